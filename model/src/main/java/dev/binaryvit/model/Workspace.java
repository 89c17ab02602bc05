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

    /**
     * Bytes added to each buffer, a different multiple per buffer, so that buffers of equal size
     * allocated one after another do not start at the same offset within a 4 KB page. Stage 0's
     * activations are exactly 196 pages (3136 x 64 floats), so buffers allocated one after another
     * often did, and a pass reading one buffer while writing another then paid for it (4K aliasing,
     * loads held behind stores whose addresses match in their low 12 bits, or conflicts in the L1's
     * sets, whose period is also 4 KB). At 256-bit vectors half the JVMs ran every operator about 1.5
     * times slower ({@code ModelTime} and the operator profile: 27.4-28.6 ms in 4 of 8 runs, 18.0-19.1
     * in the others); with the skew 17.4-19.8 ms in 7 of 7.
     */
    private static final int SKEW_BYTES = 320;

    private final float[][] floats = new float[F.values().length][];
    private final long[][] longs = new long[L.values().length][];

    float[] floats(F name, long size) {
        float[] a = floats[name.ordinal()];
        if (a == null || a.length < size) {
            a = new float[checked(name, size + skew(name.ordinal(), Float.BYTES))];
            floats[name.ordinal()] = a;
        }
        return a;
    }

    long[] longs(L name, long size) {
        long[] a = longs[name.ordinal()];
        if (a == null || a.length < size) {
            a = new long[checked(name, size + skew(F.values().length + name.ordinal(), Long.BYTES))];
            longs[name.ordinal()] = a;
        }
        return a;
    }

    /** The elements that buffer number k adds: k + 1 steps of {@link #SKEW_BYTES}. */
    private static long skew(int k, int elementBytes) {
        return (long) (k + 1) * SKEW_BYTES / elementBytes;
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
