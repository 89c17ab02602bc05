package dev.binaryvit.kernels;

/**
 * Binarized attention as plain loops, one image, query and head at a time: the oracle for
 * {@link VectorAttention}. For head h of image b, query i, with {@code d = channels / heads}:
 * <pre>
 *   pop_j   = popcount(q_i XOR k_j) over the head's d bits (padding bits ignored)       int
 *   dot_j   = d - 2 * pop_j                                                             int
 *   s_j     = dot_j / (float) Math.sqrt(d)                                              float
 *   max     = the largest s_j                                                           float
 *   e_j     = (float) Math.exp(s_j - max)                                               float
 *   total   = (float) (e_0 + e_1 + ... + e_(nkv-1)), added in key order in double        float
 *   p_j     = e_j / total                                                               float
 *   keep_j  = p_j / clip &gt; 0.5f                 (BiT: round(p / clip) clamped to [0, 1])
 *   ctx[i][h*d + c] = clip * (sum over kept j of (+1 if bit j of vT[h*d + c] is set, else -1))
 * </pre>
 * The denominator is accumulated in double and rounded to float once, so that its float value
 * hardly depends on the order in which the terms are added (the vector path adds the same float
 * terms exactly, in fixed point); every other step is float32 as in the model. The context is {@code clip} times an
 * integer, computed as {@code clip * (float) count}.
 */
final class ReferenceAttention implements AttentionSupport {

    @Override
    public Parallel.Job prepare(Shape s, long[] q, long[] k, long[] vT, float clip, float[] out) {
        return new Parallel.Job() { // a new one per call: the reference allocates its rows' scratch anyway
            @Override
            public void run(int from, int to) {
                rows(s, q, k, vT, clip, out, from, to);
            }

            @Override
            protected void clear() {}
        };
    }

    @Override
    public void context(Shape s, long[] q, long[] k, long[] vT, float clip, float[] out) {
        rows(s, q, k, vT, clip, out, 0, s.batch() * s.n());
    }

    private static void rows(Shape s, long[] q, long[] k, long[] vT, float clip, float[] out, int from, int to) {
        int n = s.n();
        int nkv = s.nkv();
        int heads = s.heads();
        int channels = s.channels();
        int d = s.d();
        int headWords = s.headWords();
        int keyWords = s.keyWords();
        float[] scores = new float[nkv];
        float[] e = new float[nkv];
        boolean[] keep = new boolean[nkv];
        for (int row = from; row < to; row++) {
            int b = row / n;
            int i = row % n;
            for (int h = 0; h < heads; h++) {
                int qBase = ((b * n + i) * heads + h) * headWords;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < nkv; j++) {
                    int kBase = ((b * nkv + j) * heads + h) * headWords;
                    int pop = 0;
                    for (int w = 0; w < headWords; w++) {
                        pop += Long.bitCount((q[qBase + w] ^ k[kBase + w]) & BitPacking.validBits(d, w));
                    }
                    int dot = d - 2 * pop;
                    float score = dot / (float) Math.sqrt(d);
                    scores[j] = score;
                    max = Math.max(max, score);
                }
                double sum = 0;
                for (int j = 0; j < nkv; j++) {
                    e[j] = (float) Math.exp(scores[j] - max);
                    sum += e[j];
                }
                float total = (float) sum;
                for (int j = 0; j < nkv; j++) {
                    float p = e[j] / total;
                    keep[j] = p / clip > 0.5f;
                }
                for (int c = 0; c < d; c++) {
                    int channel = h * d + c;
                    int vBase = (b * channels + channel) * keyWords;
                    int count = 0;
                    for (int j = 0; j < nkv; j++) {
                        if (keep[j]) {
                            boolean positive = ((vT[vBase + j / 64] >>> (j % 64)) & 1L) != 0;
                            count += positive ? 1 : -1;
                        }
                    }
                    out[(b * n + i) * channels + channel] = clip * (float) count;
                }
            }
        }
    }
}
