package dev.binaryvit.kernels;

/** Binarized attention, arguments already checked by {@link Attention}. */
interface AttentionSupport {

    /**
     * Prepares one call (whatever its rows share: reordered copies of the inputs, tables) and
     * returns the job that writes the context of query rows {@code [from, to)} of the flattened
     * {@code [batch][n]} index, every head of each.
     */
    Parallel.Job prepare(Shape s, long[] q, long[] k, long[] vT, float clip, float[] out);

    /** The whole call on the calling thread, allocating nothing once warm. */
    void context(Shape s, long[] q, long[] k, long[] vT, float clip, float[] out);

    /** The dimensions of one call; {@code d = channels / heads} bits per head. */
    record Shape(int batch, int n, int nkv, int channels, int heads) {

        /** Bits per head. */
        int d() {
            return channels / heads;
        }

        /** Words per packed query or key of one head: {@code words(d)}. */
        int headWords() {
            return BitPacking.words(d());
        }

        /** Words per packed value row (one channel along the keys): {@code words(nkv)}. */
        int keyWords() {
            return BitPacking.words(nkv);
        }
    }
}
