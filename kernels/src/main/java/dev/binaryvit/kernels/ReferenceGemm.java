package dev.binaryvit.kernels;

/**
 * The GEMM as plain loops on the same packed words as the vector path, with {@link Long#bitCount},
 * so that the two differ only in vectorisation and blocking: the oracle for {@link VectorGemm}.
 */
final class ReferenceGemm implements GemmSupport {

    @Override
    public boolean reads(PackedWeights w) {
        return true;
    }

    @Override
    public int vectorBits() {
        return 0;
    }

    @Override
    public int panelWidth() {
        return 16;
    }

    @Override
    public void dots(long[] a, int from, int to, PackedWeights w, int[] out) {
        int m = w.rows();
        for (int n = from; n < to; n++) {
            for (int j = 0; j < m; j++) {
                out[n * m + j] = dot(a, n, w, j);
            }
        }
    }

    @Override
    public void fused(long[] a, int from, int to, PackedWeights w, Epilogue e, float[] residual, float[] residual2,
                      float[] out, float[] normOut, long[] signs) {
        int m = w.rows();
        int words = BitPacking.words(m);
        for (int n = from; n < to; n++) {
            if (signs != null) {
                for (int k = 0; k < words; k++) {
                    signs[n * words + k] = 0L;
                }
            }
            for (int j = 0; j < m; j++) {
                float v = value(a, n, w, j, e, residual);
                v = e.layerScale(j, v);
                if (residual2 != null) {
                    v = v + residual2[n * m + j];
                }
                if (out != null) {
                    out[n * m + j] = v;
                }
                float norm = e.norm(j, v);
                if (normOut != null) {
                    normOut[n * m + j] = norm;
                }
                if (signs != null && norm + e.shift(j) >= 0f) {
                    signs[n * words + j / 64] |= 1L << (j % 64);
                }
            }
        }
    }

    @Override
    public void signsAndPool(long[] a, int from, int to, PackedWeights w, Epilogue e, float[] residual, long[] signs,
                             int pool, float[] pooled) {
        int m = w.rows();
        int words = BitPacking.words(m);
        float[] v = new float[m];
        for (int n = from; n < to; n++) {
            for (int j = 0; j < m; j++) {
                v[j] = value(a, n, w, j, e, residual);
            }
            for (int k = 0; k < words; k++) {
                signs[n * words + k] = 0L;
            }
            for (int j = 0; j < m; j++) {
                if (v[j] + e.shift(j) >= 0f) {
                    signs[n * words + j / 64] |= 1L << (j % 64);
                }
            }
            for (int g = 0; g < m / pool; g++) { // the channels g * pool .. in order, wherever their outputs are
                float sum = v[e.outputOf(g * pool)];
                for (int i = 1; i < pool; i++) {
                    sum += v[e.outputOf(g * pool + i)];
                }
                pooled[n * (m / pool) + g] = sum / pool;
            }
        }
    }

    /** {@code K - 2 * popcount(a[n] XOR w[m])}: padding bits are 0 in both, so never count. */
    static int dot(long[] a, int n, PackedWeights w, int m) {
        int words = w.words();
        int mismatches = 0;
        for (int k = 0; k < words; k++) {
            mismatches += Long.bitCount(a[n * words + k] ^ w.word(m, k));
        }
        return w.bits() - 2 * mismatches;
    }

    private static float value(long[] a, int n, PackedWeights w, int m, Epilogue e, float[] residual) {
        float v = e.affine(m, dot(a, n, w, m));
        if (residual != null) {
            int r = e.residualChannels();
            v = v + residual[n * r + e.channelOf(m) % r];
        }
        return e.rprelu(m, v);
    }
}
