package dev.binaryvit.kernels;

/**
 * Pooling as plain loops, line by line from {@code BINARYVIT.md}: the oracle for
 * {@link VectorPooling}. Its float operations, which the vector path reproduces where the javadoc
 * of {@link Pooling} says so:
 * <ul>
 *   <li>a window mean is {@code sum / count} (one float division by the int count), where the sum
 *       starts from the window's first element and adds the others one at a time in the order
 *       each method states;</li>
 *   <li>LayerScale is {@code Math.fma(alpha[ch], pooled, move[ch])} (null alpha 1, null move 0),
 *       and accumulating is {@code acc = acc + that}.</li>
 * </ul>
 */
final class ReferencePooling implements PoolingSupport {

    /** Sum of the k x k window in row-major (ky, kx) order, divided by k*k. */
    @Override
    public void avgPool(float[] x, int from, int to, int h, int w, int c, int k, float[] out) {
        int ho = h / k;
        int wo = w / k;
        for (int g = from; g < to; g++) {
            int b = g / ho;
            int oy = g % ho;
            for (int ox = 0; ox < wo; ox++) {
                for (int ch = 0; ch < c; ch++) {
                    float sum = x[token(b, h, w, oy * k, ox * k) * c + ch];
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            if (ky != 0 || kx != 0) {
                                sum += x[token(b, h, w, oy * k + ky, ox * k + kx) * c + ch];
                            }
                        }
                    }
                    out[token(b, ho, wo, oy, ox) * c + ch] = sum / (k * k);
                }
            }
        }
    }

    /**
     * The sum of the in-grid taps (zero padding adds nothing, but still counts in the divisor k):
     * the centre first, then for d = 1 .. (k-1)/2 the tap d before and the tap d after; then
     * {@code acc = acc + fma(alpha, sum / k, move)}.
     */
    @Override
    public void stripPool(float[] x, int from, int to, int h, int w, int c, int k, boolean alongY, float[] alpha,
                          float[] move, float[] acc) {
        int p = (k - 1) / 2;
        int step = alongY ? w * c : c;
        for (int g = from; g < to; g++) {
            int y = g % h;
            for (int xx = 0; xx < w; xx++) {
                int pos = alongY ? y : xx;
                int extent = alongY ? h : w;
                for (int ch = 0; ch < c; ch++) {
                    int i = (g * w + xx) * c + ch;
                    float sum = x[i];
                    for (int d = 1; d <= p; d++) {
                        if (pos - d >= 0) {
                            sum += x[i - d * step];
                        }
                        if (pos + d < extent) {
                            sum += x[i + d * step];
                        }
                    }
                    float pooled = sum / k;
                    float a = alpha == null ? 1f : alpha[ch];
                    float m = move == null ? 0f : move[ch];
                    acc[i] = acc[i] + Math.fma(a, pooled, m);
                }
            }
        }
    }

    /** The four branches one after the other, exactly as four {@link #stripPool} calls. */
    @Override
    public void stripBranches(float[] x, int from, int to, int h, int w, int c, float[] alphaH3, float[] moveH3,
                              float[] alphaW3, float[] moveW3, float[] alphaH5, float[] moveH5, float[] alphaW5,
                              float[] moveW5, float[] acc) {
        stripPool(x, from, to, h, w, c, 3, true, alphaH3, moveH3, acc);
        stripPool(x, from, to, h, w, c, 3, false, alphaW3, moveW3, acc);
        stripPool(x, from, to, h, w, c, 5, true, alphaH5, moveH5, acc);
        stripPool(x, from, to, h, w, c, 5, false, alphaW5, moveW5, acc);
    }

    /** Sum of the r channels in order, divided by r. */
    @Override
    public void channelPool(float[] x, int from, int to, int c, int r, float[] out) {
        int co = c / r;
        for (int row = from; row < to; row++) {
            for (int j = 0; j < co; j++) {
                float sum = x[row * c + j * r];
                for (int i = 1; i < r; i++) {
                    sum += x[row * c + j * r + i];
                }
                out[row * co + j] = sum / r;
            }
        }
    }

    /** A copy ({@code out = src}) or one addition ({@code out = out + src}) per element. */
    @Override
    public void upsampleNearest(float[] src, int from, int to, int hs, int ws, int c, int r, boolean add,
                                float[] out) {
        int h = hs * r;
        int w = ws * r;
        for (int g = from; g < to; g++) {
            int b = g / h;
            int y = g % h;
            for (int xx = 0; xx < w; xx++) {
                for (int ch = 0; ch < c; ch++) {
                    int o = token(b, h, w, y, xx) * c + ch;
                    float v = src[token(b, hs, ws, y / r, xx / r) * c + ch];
                    out[o] = add ? out[o] + v : v;
                }
            }
        }
    }

    /** Sum of the n tokens in token order, divided by n. */
    @Override
    public void globalAvgPool(float[] x, int from, int to, int n, int c, float[] out) {
        for (int b = from; b < to; b++) {
            for (int ch = 0; ch < c; ch++) {
                float sum = x[(b * n) * c + ch];
                for (int t = 1; t < n; t++) {
                    sum += x[(b * n + t) * c + ch];
                }
                out[b * c + ch] = sum / n;
            }
        }
    }

    /** Token index of grid position (y, x) of image b on an h x w grid. */
    private static int token(int b, int h, int w, int y, int x) {
        return (b * h + y) * w + x;
    }
}
