package dev.binaryvit.model;

/**
 * The scratch arrays of one model, reused across forward calls: each named buffer grows to the
 * largest size asked of it, so after the first call at a given batch size nothing is allocated.
 */
final class Workspace {

    /**
     * The float buffers of a forward pass. A layer reuses a buffer once its value is used up (NORMED
     * holds hn, then the attention context and its epilogue's output, then fc1's pool; Q holds q1,
     * then h2), so that fewer distinct lines pass through the caches.
     */
    enum F { HIDDEN_A, HIDDEN_B, NORMED, Q, POOLED, KV, K, V, NORMED2, PATCHES, HEAD, LOGITS }

    /** The packed-bit buffers. */
    enum L { BITS, QUERY, KEY, VALUE, WIDE_BITS }

    private final float[][] floats = new float[F.values().length][];
    private final long[][] longs = new long[L.values().length][];

    float[] floats(F name, long size) {
        float[] a = floats[name.ordinal()];
        if (a == null || a.length < size) {
            a = new float[checked(name, size)];
            floats[name.ordinal()] = a;
        }
        return a;
    }

    long[] longs(L name, long size) {
        long[] a = longs[name.ordinal()];
        if (a == null || a.length < size) {
            a = new long[checked(name, size)];
            longs[name.ordinal()] = a;
        }
        return a;
    }

    /** Bytes held by all buffers. */
    long bytes() {
        long total = 0;
        for (float[] a : floats) {
            total += a == null ? 0 : 4L * a.length;
        }
        for (long[] a : longs) {
            total += a == null ? 0 : 8L * a.length;
        }
        return total;
    }

    private static int checked(Enum<?> name, long size) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("buffer " + name + " would need " + size
                    + " elements, more than a Java array holds: use a smaller batch");
        }
        return (int) size;
    }
}
