package dev.binaryvit.kernels;

/**
 * Elementwise kernels as plain loops: the oracle for {@link VectorElementwise}. The float
 * operations of one element, which the vector path performs in the same order:
 * <pre>
 *   affine:  out = Math.fma(x, a, b)
 *   RPReLU:  y = x - move1;  y = y &gt;= 0 ? y : slope * y;  out = y + move2
 *   add:     out = x + y
 *   fused:   v = Math.fma(x, a, b);  v = v + residual;  v = RPReLU(v)
 *            with an upsampled pair, residual = q + (k + v) at the row's coarse token
 * </pre>
 */
final class ReferenceElementwise implements ElementwiseSupport {

    private static final ReferencePacking PACKING = new ReferencePacking();

    @Override
    public void affine(float[] x, int from, int to, int c, float[] a, float[] b, float[] out) {
        for (int row = from; row < to; row++) {
            for (int ch = 0; ch < c; ch++) {
                int i = row * c + ch;
                out[i] = Math.fma(x[i], a[ch], b[ch]);
            }
        }
    }

    @Override
    public void rprelu(float[] x, int from, int to, int c, float[] move1, float[] slope, float[] move2,
                       float[] out) {
        for (int row = from; row < to; row++) {
            for (int ch = 0; ch < c; ch++) {
                int i = row * c + ch;
                out[i] = rprelu(x[i], move1[ch], slope[ch], move2[ch]);
            }
        }
    }

    @Override
    public void add(float[] x, float[] y, int from, int to, float[] out) {
        for (int i = from; i < to; i++) {
            out[i] = x[i] + y[i];
        }
    }

    @Override
    public void addRepeated(float[] x, float[] y, int period, int from, int to, float[] out) {
        for (int i = from; i < to; i++) {
            out[i] = x[i] + y[i % period];
        }
    }

    @Override
    public void tile(float[] x, int from, int to, int c, int times, float[] out) {
        int wide = c * times;
        for (int row = from; row < to; row++) {
            for (int j = 0; j < wide; j++) {
                out[row * wide + j] = x[row * c + j % c];
            }
        }
    }

    @Override
    public void affineResidualRprelu(float[] x, int from, int to, int c, float[] a, float[] b, float[] residual,
                                     float[] coarseK, float[] coarseV, int kvGrid, int r, float[] move1, float[] slope,
                                     float[] move2, float[] out, float[] signShift, long[] signs) {
        for (int row = from; row < to; row++) {
            int kv = coarseK == null ? 0 : Pooling.coarseToken(row, kvGrid, r) * c;
            for (int ch = 0; ch < c; ch++) {
                int i = row * c + ch;
                float v = Math.fma(x[i], a[ch], b[ch]);
                if (coarseK != null) {
                    v = v + (residual[i] + (coarseK[kv + ch] + coarseV[kv + ch]));
                } else if (residual != null) {
                    v = v + residual[i];
                }
                if (move1 != null) {
                    v = rprelu(v, move1[ch], slope[ch], move2[ch]);
                }
                out[i] = v;
            }
            if (signs != null) {
                PACKING.packRows(out, row, row + 1, c, 1, signShift, signs);
            }
        }
    }

    private static float rprelu(float x, float move1, float slope, float move2) {
        float y = x - move1;
        y = y >= 0f ? y : slope * y;
        return y + move2;
    }
}
