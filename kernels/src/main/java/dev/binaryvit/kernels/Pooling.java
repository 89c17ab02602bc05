package dev.binaryvit.kernels;

/**
 * Pooling and layout on activations {@code [batch][h*w tokens][c channels]}, row-major, token
 * {@code t = y*w + x}: k x k average pooling, BinaryViT's stride-1 strip branches with their
 * LayerScale, channel average pooling, nearest upsampling and global average pooling. With a
 * {@link Parallel} pool the grid rows (or images) are split over its threads; results do not change.
 *
 * <p>Float semantics (see {@link ReferencePooling}): a window mean is the window's sum, taken in
 * a fixed order, divided by the window's count. The vector path keeps that order everywhere, so
 * {@link #active()} and {@link #reference()} agree bit for bit on every method.
 *
 * <p>Outputs must not be the same array as the inputs they are computed from.
 */
public final class Pooling {

    private static final Pooling REFERENCE = new Pooling(new ReferencePooling());
    private static final Pooling ACTIVE = new Pooling(
            Vectorization.select("dev.binaryvit.kernels.VectorPooling", PoolingSupport.class, REFERENCE.impl));
    /** Token rows per parallel grain for the per-row kernels. */
    private static final int ROW_GRAIN = 8;

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    private final PoolingSupport impl;

    private Pooling(PoolingSupport impl) {
        this.impl = impl;
    }

    /** The vector implementation when the Vector API is usable, else the reference. */
    public static Pooling active() {
        return ACTIVE;
    }

    /** The plain scalar implementation. */
    public static Pooling reference() {
        return REFERENCE;
    }

    /**
     * k x k average pooling with stride k: {@code out [batch][(h/k)*(w/k)][c]}; h and w must be
     * multiples of k. Each output is the sum of its window in row-major (ky, kx) order divided by k*k.
     */
    public void avgPool(float[] x, int batch, int h, int w, int c, int k, float[] out) {
        avgPool(x, batch, h, w, c, k, out, Parallel.SERIAL);
    }

    public void avgPool(float[] x, int batch, int h, int w, int c, int k, float[] out, Parallel parallel) {
        checkGrid("x", x, batch, h, w, c);
        Check.positive("k", k);
        multiple("h", h, "k", k);
        multiple("w", w, "k", k);
        Check.length("out", out, (long) batch * (h / k) * (w / k) * c,
                "batch %d x (h/k %d) x (w/k %d) x c %d", batch, h / k, w / k, c);
        distinct("out", out, "x", x);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.avgPool(x, 0, batch * (h / k), h, w, c, k, out);
        } else {
            parallel.run(batch * (h / k), 1, JOBS.get().set(Op.AVG_POOL, impl, x, h, w, c, k, false, out));
        }
    }

    /**
     * The BinaryViT strip branch with its LayerScale, accumulated:
     * {@code acc[b][t][ch] += alpha[ch] * pool(x)[b][t][ch] + move[ch]}, where pool is AvgPool2d
     * with kernel (k,1) if {@code alongY} (else (1,k)), stride 1, zero padding (k-1)/2,
     * count_include_pad=True: the sum of the in-grid taps divided by k, even at the border. k odd
     * {@code >= 1}; {@code alpha} and {@code move} (length c) null mean 1 and 0.
     *
     * <p>Float operations: the sum starts at the centre and adds, for d = 1 .. (k-1)/2, the tap d
     * before and then the tap d after (those in the grid); then
     * {@code acc = acc + fma(alpha, sum / k, move)}.
     */
    public void stripPoolAccumulate(float[] x, int batch, int h, int w, int c, int k, boolean alongY,
                                    float[] alpha, float[] move, float[] acc) {
        stripPoolAccumulate(x, batch, h, w, c, k, alongY, alpha, move, acc, Parallel.SERIAL);
    }

    public void stripPoolAccumulate(float[] x, int batch, int h, int w, int c, int k, boolean alongY,
                                    float[] alpha, float[] move, float[] acc, Parallel parallel) {
        checkGrid("x", x, batch, h, w, c);
        Check.positive("k", k);
        if (k % 2 == 0) {
            throw new IllegalArgumentException("strip kernel k must be odd (zero padding (k-1)/2 each side), got " + k);
        }
        checkChannels("alpha", alpha, c);
        checkChannels("move", move, c);
        checkGrid("acc", acc, batch, h, w, c);
        distinct("acc", acc, "x", x);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.stripPool(x, 0, batch * h, h, w, c, k, alongY, alpha, move, acc);
        } else {
            parallel.run(batch * h, 1, JOBS.get().set(Op.STRIP, impl, x, h, w, c, k, alongY, acc)
                    .params(alpha, move, null, null, null, null, null, null));
        }
    }

    /**
     * All four BinaryViT strip branches in one pass, accumulated in the model's order:
     * {@code acc += LS_h3(pool(3,1)(x)); acc += LS_w3(pool(1,3)(x)); acc += LS_h5(pool(5,1)(x));
     * acc += LS_w5(pool(1,5)(x))}. Bit for bit the same as the four {@link #stripPoolAccumulate}
     * calls in that order, but x is read and acc read and written once. Any alpha or move may be null.
     * Prefer it: each branch streams acc through memory, so one pass costs about what a single
     * {@link #stripPoolAccumulate} call costs (measured on 56 x 56 x 64: about 100 us against 80 to
     * 110 us per single branch, 512-bit, one core).
     */
    public void stripBranchesAccumulate(float[] x, int batch, int h, int w, int c,
                                        float[] alphaH3, float[] moveH3, float[] alphaW3, float[] moveW3,
                                        float[] alphaH5, float[] moveH5, float[] alphaW5, float[] moveW5,
                                        float[] acc) {
        stripBranchesAccumulate(x, batch, h, w, c, alphaH3, moveH3, alphaW3, moveW3, alphaH5, moveH5, alphaW5,
                moveW5, acc, Parallel.SERIAL);
    }

    public void stripBranchesAccumulate(float[] x, int batch, int h, int w, int c,
                                        float[] alphaH3, float[] moveH3, float[] alphaW3, float[] moveW3,
                                        float[] alphaH5, float[] moveH5, float[] alphaW5, float[] moveW5,
                                        float[] acc, Parallel parallel) {
        checkGrid("x", x, batch, h, w, c);
        checkChannels("alphaH3", alphaH3, c);
        checkChannels("moveH3", moveH3, c);
        checkChannels("alphaW3", alphaW3, c);
        checkChannels("moveW3", moveW3, c);
        checkChannels("alphaH5", alphaH5, c);
        checkChannels("moveH5", moveH5, c);
        checkChannels("alphaW5", alphaW5, c);
        checkChannels("moveW5", moveW5, c);
        checkGrid("acc", acc, batch, h, w, c);
        distinct("acc", acc, "x", x);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.stripBranches(x, 0, batch * h, h, w, c, alphaH3, moveH3, alphaW3, moveW3, alphaH5, moveH5, alphaW5, moveW5, acc);
        } else {
            parallel.run(batch * h, 1, JOBS.get().set(Op.STRIP_BRANCHES, impl, x, h, w, c, 0, false, acc)
                    .params(alphaH3, moveH3, alphaW3, moveW3, alphaH5, moveH5, alphaW5, moveW5));
        }
    }

    /**
     * AvgPool1d(r) over channels: {@code out[row][j] = mean(x[row][j*r .. j*r+r-1])},
     * {@code out [rows][c/r]}; c must be a multiple of r. The sum runs in channel order.
     */
    public void channelPool(float[] x, int rows, int c, int r, float[] out) {
        channelPool(x, rows, c, r, out, Parallel.SERIAL);
    }

    public void channelPool(float[] x, int rows, int c, int r, float[] out, Parallel parallel) {
        nonNegative("rows", rows);
        Check.positive("c", c);
        Check.positive("r", r);
        multiple("c", c, "r", r);
        Check.length("x", x, (long) rows * c, "rows %d x c %d", rows, c);
        Check.length("out", out, (long) rows * (c / r), "rows %d x (c/r %d)", rows, c / r);
        distinct("out", out, "x", x);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.channelPool(x, 0, rows, c, r, out);
        } else {
            parallel.run(rows, ROW_GRAIN, JOBS.get().set(Op.CHANNEL_POOL, impl, x, 0, 0, c, r, false, out));
        }
    }

    /**
     * Nearest upsampling by r: {@code out [batch][(hs*r)*(ws*r)][c]},
     * {@code out[b][y][x] = src[b][y/r][x/r]}.
     */
    public void upsampleNearest(float[] src, int batch, int hs, int ws, int c, int r, float[] out) {
        upsampleNearest(src, batch, hs, ws, c, r, out, Parallel.SERIAL);
    }

    public void upsampleNearest(float[] src, int batch, int hs, int ws, int c, int r, float[] out,
                                Parallel parallel) {
        upsample(src, batch, hs, ws, c, r, false, "out", out, parallel);
    }

    /** {@code acc[b][y][x][ch] += src[b][y/r][x/r][ch]}, {@code acc [batch][(hs*r)*(ws*r)][c]}. */
    public void upsampleNearestAdd(float[] src, int batch, int hs, int ws, int c, int r, float[] acc) {
        upsampleNearestAdd(src, batch, hs, ws, c, r, acc, Parallel.SERIAL);
    }

    public void upsampleNearestAdd(float[] src, int batch, int hs, int ws, int c, int r, float[] acc,
                                   Parallel parallel) {
        upsample(src, batch, hs, ws, c, r, true, "acc", acc, parallel);
    }

    /** Mean over the n tokens of each image: {@code out [batch][c]}; the sum runs in token order. */
    public void globalAvgPool(float[] x, int batch, int n, int c, float[] out) {
        globalAvgPool(x, batch, n, c, out, Parallel.SERIAL);
    }

    public void globalAvgPool(float[] x, int batch, int n, int c, float[] out, Parallel parallel) {
        nonNegative("batch", batch);
        Check.positive("n", n);
        Check.positive("c", c);
        Check.length("x", x, (long) batch * n * c, "batch %d x n %d x c %d", batch, n, c);
        Check.length("out", out, (long) batch * c, "batch %d x c %d", batch, c);
        distinct("out", out, "x", x);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.globalAvgPool(x, 0, batch, n, c, out);
        } else {
            parallel.run(batch, 1, JOBS.get().set(Op.GLOBAL_AVG_POOL, impl, x, n, 0, c, 0, false, out));
        }
    }

    private void upsample(float[] src, int batch, int hs, int ws, int c, int r, boolean add, String outName,
                          float[] out, Parallel parallel) {
        checkGrid("src", src, batch, hs, ws, c);
        Check.positive("r", r);
        long h = (long) hs * r;
        long w = (long) ws * r;
        Check.size("hs*r x ws*r tokens", h * w);
        Check.length(outName, out, (long) batch * h * w * c,
                "batch %d x (hs*r %d) x (ws*r %d) x c %d", batch, h, w, c);
        distinct(outName, out, "src", src);
        Check.notNull("parallel", parallel);
        int rows = Check.size("batch x hs*r", batch * h);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.upsampleNearest(src, 0, rows, hs, ws, c, r, add, out);
        } else {
            parallel.run(rows, 1, JOBS.get().set(Op.UPSAMPLE, impl, src, hs, ws, c, r, add, out));
        }
    }

    /**
     * The token of a {@code coarse x coarse} grid that token {@code row} of the grid r times finer
     * (rows of {@code [batch][(coarse*r)^2]}) lies in: where a nearest upsampling by r reads it.
     */
    static int coarseToken(int row, int coarse, int r) {
        int fine = coarse * r;
        int image = row / (fine * fine);
        int t = row - image * fine * fine;
        return (image * coarse + t / fine / r) * coarse + t % fine / r;
    }

    /**
     * {@code out[i] = coarseToken(from + i, coarse, r) * scale} for i &lt; count, stepping along the
     * grid instead of dividing per row (a handful of integer divisions per row cost more than the
     * row's float work).
     */
    static void coarseTokens(int from, int count, int coarse, int r, int scale, int[] out) {
        int fine = coarse * r;
        int image = from / (fine * fine);
        int t = from - image * fine * fine;
        int y = t / fine;
        int x = t - y * fine;
        int row = image * coarse + y / r; // coarse row, counted over all images
        int yIn = y % r; // fine rows of this coarse row already passed
        int col = x / r;
        int xIn = x % r; // fine columns of this coarse column already passed
        for (int i = 0; i < count; i++) {
            out[i] = (row * coarse + col) * scale;
            if (++xIn == r) {
                xIn = 0;
                if (++col == coarse) { // next fine row
                    col = 0;
                    if (++yIn == r) {
                        yIn = 0;
                        row++; // the next coarse row, or the first of the next image
                    }
                }
            }
        }
    }

    static void checkGrid(String what, float[] x, int batch, int h, int w, int c) {
        nonNegative("batch", batch);
        Check.positive("h", h);
        Check.positive("w", w);
        Check.positive("c", c);
        long size = (long) batch * h * w * c;
        Check.size(what, size);
        Check.length(what, x, size, "batch %d x h %d x w %d x c %d", batch, h, w, c);
    }

    /** A per-channel parameter: null, or at least c values. */
    static void checkChannels(String what, float[] values, int c) {
        if (values != null) {
            Check.length(what, values, c, "one per channel, c %d", c);
        }
    }

    static void nonNegative(String what, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + value);
        }
    }

    static void multiple(String what, int value, String ofWhat, int of) {
        if (value % of != 0) {
            throw new IllegalArgumentException(what + " " + value + " is not a multiple of " + ofWhat + " " + of);
        }
    }

    static void distinct(String what, float[] a, String otherWhat, float[] b) {
        if (a == b) {
            throw new IllegalArgumentException(what + " must not be the same array as " + otherWhat);
        }
    }

    private enum Op { AVG_POOL, STRIP, STRIP_BRANCHES, CHANNEL_POOL, UPSAMPLE, GLOBAL_AVG_POOL }

    /**
     * A parallel call's arguments (see {@link Parallel.Job}): the input grid {@code h x w} (for the
     * upsampling the source grid, for the global pool h is the token count), the kernel or ratio
     * {@code k}, {@code flag} (along y for a strip, add for the upsampling), the output or
     * accumulator, and the per-channel parameters of the strip branches in their method's order.
     */
    private static final class Job extends Parallel.Job {
        private Op op;
        private PoolingSupport impl;
        private float[] x, out;
        private int h, w, c, k;
        private boolean flag;
        private final float[][] p = new float[8][];

        Job set(Op op, PoolingSupport impl, float[] x, int h, int w, int c, int k, boolean flag, float[] out) {
            this.op = op;
            this.impl = impl;
            this.x = x;
            this.h = h;
            this.w = w;
            this.c = c;
            this.k = k;
            this.flag = flag;
            this.out = out;
            return params(null, null, null, null, null, null, null, null);
        }

        Job params(float[] p0, float[] p1, float[] p2, float[] p3, float[] p4, float[] p5, float[] p6, float[] p7) {
            p[0] = p0;
            p[1] = p1;
            p[2] = p2;
            p[3] = p3;
            p[4] = p4;
            p[5] = p5;
            p[6] = p6;
            p[7] = p7;
            return this;
        }

        @Override
        public void run(int from, int to) {
            switch (op) {
                case AVG_POOL -> impl.avgPool(x, from, to, h, w, c, k, out);
                case STRIP -> impl.stripPool(x, from, to, h, w, c, k, flag, p[0], p[1], out);
                case STRIP_BRANCHES -> impl.stripBranches(x, from, to, h, w, c, p[0], p[1], p[2], p[3], p[4], p[5],
                        p[6], p[7], out);
                case CHANNEL_POOL -> impl.channelPool(x, from, to, c, k, out);
                case UPSAMPLE -> impl.upsampleNearest(x, from, to, h, w, c, k, flag, out);
                case GLOBAL_AVG_POOL -> impl.globalAvgPool(x, from, to, h, c, out);
            }
        }

        @Override
        protected void clear() {
            set(null, null, null, 0, 0, 0, 0, false, null);
        }
    }
}
