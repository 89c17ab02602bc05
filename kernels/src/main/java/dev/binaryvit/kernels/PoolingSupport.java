package dev.binaryvit.kernels;

/**
 * Pooling and layout kernels on {@code [batch][tokens][c]} activations over a row-major token
 * grid, on a range of rows; arguments already checked by {@link Pooling}. A "grid row" {@code g}
 * stands for image {@code g / rowsPerImage}, grid row {@code g % rowsPerImage}; every kernel writes
 * only the outputs of its rows, so any split of the rows gives the same results.
 */
interface PoolingSupport {

    /** Output grid rows {@code [from, to)} ({@code g = b * (h / k) + oy}) of k x k / stride k average pooling. */
    void avgPool(float[] x, int from, int to, int h, int w, int c, int k, float[] out);

    /** Grid rows {@code [from, to)} ({@code g = b * h + y}) of one strip branch, accumulated into {@code acc}. */
    void stripPool(float[] x, int from, int to, int h, int w, int c, int k, boolean alongY, float[] alpha,
                   float[] move, float[] acc);

    /** Grid rows {@code [from, to)} of the four strip branches (3,1), (1,3), (5,1), (1,5), accumulated in that order. */
    void stripBranches(float[] x, int from, int to, int h, int w, int c, float[] alphaH3, float[] moveH3,
                       float[] alphaW3, float[] moveW3, float[] alphaH5, float[] moveH5, float[] alphaW5,
                       float[] moveW5, float[] acc);

    /** Rows {@code [from, to)} of {@code AvgPool1d(r)} over the channels of {@code x[rows][c]}. */
    void channelPool(float[] x, int from, int to, int c, int r, float[] out);

    /**
     * Output grid rows {@code [from, to)} ({@code g = b * (hs * r) + y}) of nearest upsampling by r;
     * {@code add} adds to {@code out} instead of overwriting it.
     */
    void upsampleNearest(float[] src, int from, int to, int hs, int ws, int c, int r, boolean add, float[] out);

    /** Images {@code [from, to)} of the mean over their n tokens. */
    void globalAvgPool(float[] x, int from, int to, int n, int c, float[] out);
}
