package dev.binaryvit.kernels;

/**
 * Elementwise kernels on rows {@code [from, to)} of {@code x[rows][c]} with per-channel
 * parameters; arguments already checked by {@link Elementwise}. Absent (null) parameters have been
 * replaced by ones or zeros where the facade documents it. Every output element depends only on
 * the input elements of the same index (tile: of the same row), so {@code out} may be {@code x}.
 */
interface ElementwiseSupport {

    /** {@code out = fma(x, a[ch], b[ch])}. */
    void affine(float[] x, int from, int to, int c, float[] a, float[] b, float[] out);

    /** {@code out = RPReLU(x)} with per-channel move1, slope, move2. */
    void rprelu(float[] x, int from, int to, int c, float[] move1, float[] slope, float[] move2, float[] out);

    /** {@code out[i] = x[i] + y[i]} for i in {@code [from, to)}. */
    void add(float[] x, float[] y, int from, int to, float[] out);

    /** {@code out[i] = x[i] + y[i % period]} for i in [from, to). */
    void addRepeated(float[] x, float[] y, int period, int from, int to, float[] out);

    /** {@code out[row][j] = x[row][j % c]}, out rows of {@code c * times}. */
    void tile(float[] x, int from, int to, int c, int times, float[] out);

    /**
     * {@code v = fma(x, a, b)}, then {@code v = v + residual[row][ch]} if residual is not null, then
     * RPReLU if move1 is not null (slope and move2 then not null either); and, if {@code signs} is
     * not null, the signs of {@code out + signShift} packed per row: {@code signs[row][words(c)]}.
     * If {@code coarseK} is not null (coarseV and residual then not null either), the residual is
     * {@code residual[row][ch] + (coarseK[kv][ch] + coarseV[kv][ch])}, kv the token of the
     * {@code kvGrid} grid that the row's token lies in, the rows being tokens of the grid r times finer
     * ({@link Pooling#coarseToken}): a nearest upsampling of coarseK + coarseV by r.
     */
    void affineResidualRprelu(float[] x, int from, int to, int c, float[] a, float[] b, float[] residual,
                              float[] coarseK, float[] coarseV, int kvGrid, int r, float[] move1, float[] slope,
                              float[] move2, float[] out, float[] signShift, long[] signs);
}
