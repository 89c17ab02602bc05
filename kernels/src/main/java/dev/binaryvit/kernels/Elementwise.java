package dev.binaryvit.kernels;

/**
 * Elementwise passes over activations {@code x [rows][c]} with per-channel parameters: folded
 * BatchNorm or LayerScale affine, RPReLU, adds, channel tiling, and the fused
 * affine + residual + RPReLU pass. {@code out} may be the same array as {@code x} (in place), and
 * the residual of the fused pass may be {@code out} too. With a {@link Parallel} pool the rows are
 * split over its threads; results do not change.
 *
 * <p>Float semantics, per element (see {@link ReferenceElementwise}); the vector path performs
 * the same operations in the same order, so {@link #active()} and {@link #reference()} agree bit
 * for bit:
 * <pre>
 *   affine:  out = Math.fma(x, a[ch], b[ch])            a null means 1, b null means 0
 *   RPReLU:  y = x - move1[ch];  y = y &gt;= 0 ? y : slope[ch] * y;  out = y + move2[ch]
 * </pre>
 * (So affine with null a and b maps -0 to +0, as {@code fma(-0, 1, 0)} does; every other value is kept.)
 */
public final class Elementwise {

    private static final Elementwise REFERENCE = new Elementwise(new ReferenceElementwise());
    private static final Elementwise ACTIVE = new Elementwise(
            Vectorization.select("dev.binaryvit.kernels.VectorElementwise", ElementwiseSupport.class, REFERENCE.impl));
    /** Rows per parallel grain. */
    private static final int ROW_GRAIN = 8;
    /** Elements per parallel grain of {@link #add}: a multiple of every vector length. */
    private static final int ELEMENT_GRAIN = 1024;

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    /** Forms of the fused pass: which of residual, upsampled pair, RPReLU and signs it has. */
    private static final int FUSED_FORMS = 16;

    private final ElementwiseSupport impl;
    /**
     * The fused pass, a copy of the implementation per form: the model runs it with no residual
     * (norm_before) and with an upsampled residual and RPReLU (the context epilogue). With one
     * compiled loop for both, the context epilogue of BinaryViT-S's first layer took 135 us,
     * against 86 us for the three passes it replaced (about 110 us with a copy per form).
     */
    private final ProfileCopies<ElementwiseSupport> fused;

    private Elementwise(ElementwiseSupport impl) {
        this.impl = impl;
        this.fused = new ProfileCopies<>(ElementwiseSupport.class, impl.getClass(), impl, FUSED_FORMS);
    }

    /** The vector implementation when the Vector API is usable, else the reference. */
    public static Elementwise active() {
        return ACTIVE;
    }

    /** The plain scalar implementation. */
    public static Elementwise reference() {
        return REFERENCE;
    }

    /** {@code out = fma(x, a[ch], b[ch])}: folded BatchNorm or LayerScale; a null means 1, b null means 0. */
    public void affine(float[] x, int rows, int c, float[] a, float[] b, float[] out) {
        affine(x, rows, c, a, b, out, Parallel.SERIAL);
    }

    public void affine(float[] x, int rows, int c, float[] a, float[] b, float[] out, Parallel parallel) {
        checkRows(x, rows, c, out, parallel);
        Pooling.checkChannels("a", a, c);
        Pooling.checkChannels("b", b, c);
        float[] scale = a == null ? Constants.ones(c) : a;
        float[] shift = b == null ? Constants.zeros(c) : b;
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.affine(x, 0, rows, c, scale, shift, out);
        } else {
            parallel.run(rows, ROW_GRAIN, JOBS.get().set(Op.AFFINE, impl, x, null, c, 0, scale, shift, null, null, null, null,
                    out, null, null));
        }
    }

    /** {@code out = RPReLU(x)}: {@code y = x - move1[ch]; y = y >= 0 ? y : slope[ch]*y; out = y + move2[ch]}. */
    public void rprelu(float[] x, int rows, int c, float[] move1, float[] slope, float[] move2, float[] out) {
        rprelu(x, rows, c, move1, slope, move2, out, Parallel.SERIAL);
    }

    public void rprelu(float[] x, int rows, int c, float[] move1, float[] slope, float[] move2, float[] out,
                       Parallel parallel) {
        checkRows(x, rows, c, out, parallel);
        Check.notNull("move1", move1);
        Check.notNull("slope", slope);
        Check.notNull("move2", move2);
        checkRprelu(move1, slope, move2, c);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.rprelu(x, 0, rows, c, move1, slope, move2, out);
        } else {
            parallel.run(rows, ROW_GRAIN, JOBS.get().set(Op.RPRELU, impl, x, null, c, 0, null, null, null, move1, slope,
                    move2, out, null, null));
        }
    }

    /** {@code out[i] = x[i] + y[i]} for i &lt; length. */
    public void add(float[] x, float[] y, int length, float[] out) {
        add(x, y, length, out, Parallel.SERIAL);
    }

    public void add(float[] x, float[] y, int length, float[] out, Parallel parallel) {
        Pooling.nonNegative("length", length);
        Check.length("x", x, length, "length %d", length);
        Check.length("y", y, length, "length %d", length);
        Check.length("out", out, length, "length %d", length);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.add(x, y, 0, length, out);
        } else {
            parallel.run(length, ELEMENT_GRAIN, JOBS.get().set(Op.ADD, impl, x, y, 0, 0, null, null, null, null, null, null,
                    out, null, null));
        }
    }

    /**
     * {@code out[i] = x[i] + y[i % period]} for i &lt; length, length a multiple of period: a
     * per-image tensor (position embeddings) added to every image of a batch. out may be x.
     */
    public void addRepeated(float[] x, int length, float[] y, int period, float[] out) {
        addRepeated(x, length, y, period, out, Parallel.SERIAL);
    }

    public void addRepeated(float[] x, int length, float[] y, int period, float[] out, Parallel parallel) {
        Pooling.nonNegative("length", length);
        Check.positive("period", period);
        if (length % period != 0) {
            throw new IllegalArgumentException("length " + length + " is not a multiple of period " + period);
        }
        Check.length("x", x, length, "length %d", length);
        Check.length("y", y, period, "period %d", period);
        Check.length("out", out, length, "length %d", length);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.addRepeated(x, y, period, 0, length, out);
        } else {
            parallel.run(length, ELEMENT_GRAIN, JOBS.get().set(Op.ADD_REPEATED, impl, x, y, 0, period, null, null, null,
                    null, null, null, out, null, null));
        }
    }

    /** Channel tiling: {@code out [rows][c*times]}, {@code out[row][j] = x[row][j % c]}. */
    public void tile(float[] x, int rows, int c, int times, float[] out) {
        tile(x, rows, c, times, out, Parallel.SERIAL);
    }

    public void tile(float[] x, int rows, int c, int times, float[] out, Parallel parallel) {
        Pooling.nonNegative("rows", rows);
        Check.positive("c", c);
        Check.positive("times", times);
        Check.length("x", x, (long) rows * c, "rows %d x c %d", rows, c);
        long wide = (long) c * times;
        Check.size("c x times", wide);
        Check.length("out", out, Check.size("out", rows * wide), "rows %d x (c*times %d)", rows, wide);
        if (times > 1) {
            Pooling.distinct("out", out, "x", x);
        }
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.tile(x, 0, rows, c, times, out);
        } else {
            parallel.run(rows, ROW_GRAIN, JOBS.get().set(Op.TILE, impl, x, null, c, times, null, null, null, null, null, null,
                    out, null, null));
        }
    }

    /**
     * The fused pass: {@code v = fma(x, a[ch], b[ch])}; if residual is not null
     * {@code v = v + residual[row][ch]}; if move1 is not null {@code v = RPReLU(v)} (move1, slope,
     * move2 all set or all null); {@code out = v}. residual is {@code [rows][c]} and may be out.
     */
    public void affineResidualRprelu(float[] x, int rows, int c, float[] a, float[] b, float[] residual,
                                     float[] move1, float[] slope, float[] move2, float[] out) {
        affineResidualRprelu(x, rows, c, a, b, residual, move1, slope, move2, out, Parallel.SERIAL);
    }

    public void affineResidualRprelu(float[] x, int rows, int c, float[] a, float[] b, float[] residual,
                                     float[] move1, float[] slope, float[] move2, float[] out,
                                     Parallel parallel) {
        affineResidualRprelu(x, rows, c, a, b, residual, move1, slope, move2, out, null, null, parallel);
    }

    /**
     * {@link #affineResidualRprelu} that also packs the signs of its output for the binary layer
     * that reads it: {@code signs[row][words(c)]}, bit ch set iff {@code out + signShift >= 0}
     * (as {@link BitPacking#pack}), while the row is still in cache. signShift may be null (0).
     */
    public void affineResidualRprelu(float[] x, int rows, int c, float[] a, float[] b, float[] residual,
                                     float[] move1, float[] slope, float[] move2, float[] out,
                                     float[] signShift, long[] signs, Parallel parallel) {
        checkRows(x, rows, c, out, parallel);
        fusedPass(x, rows, c, a, b, residual, null, null, 0, 0, move1, slope, move2, out, signShift, signs, parallel);
    }

    /**
     * {@link #affineResidualRprelu(float[], int, int, float[], float[], float[], float[], float[], float[], float[], float[], long[], Parallel)}
     * whose residual is {@code residual + (coarseK + coarseV)} upsampled: the rows of x are the
     * tokens of {@code batch} grids of {@code kvGrid * r} squared, coarseK and coarseV
     * {@code [batch][kvGrid^2][c]}, and a row adds the coarse token it lies in (a nearest upsampling
     * by r). Per element {@code residual[i] + (coarseK[kv] + coarseV[kv])}, so the same floats as
     * {@link #add} of the pair, {@link Pooling#upsampleNearestAdd} of the sum into residual, then
     * the call above: BinaryViT's context shortcut {@code q1 + k1 + v1} with k1 and v1 computed on the
     * pooled grid, without the two passes. residual is not changed; out may be x.
     */
    public void affineResidualRprelu(float[] x, int batch, int kvGrid, int r, int c, float[] a, float[] b,
                                     float[] residual, float[] coarseK, float[] coarseV, float[] move1, float[] slope,
                                     float[] move2, float[] out, float[] signShift, long[] signs, Parallel parallel) {
        Pooling.nonNegative("batch", batch);
        Check.positive("kvGrid", kvGrid);
        Check.positive("r", r);
        long fine = (long) kvGrid * r;
        int rows = Check.size("batch x (kvGrid x r)^2", batch * fine * fine);
        checkRows(x, rows, c, out, parallel);
        Check.notNull("residual", residual);
        Pooling.checkGrid("coarseK", coarseK, batch, kvGrid, kvGrid, c);
        Pooling.checkGrid("coarseV", coarseV, batch, kvGrid, kvGrid, c);
        Pooling.distinct("out", out, "residual", residual);
        Pooling.distinct("out", out, "coarseK", coarseK);
        Pooling.distinct("out", out, "coarseV", coarseV);
        fusedPass(x, rows, c, a, b, residual, coarseK, coarseV, kvGrid, r, move1, slope, move2, out, signShift, signs,
                parallel);
    }

    /** The fused pass's remaining checks, then the pass itself on the copy of its form. */
    private void fusedPass(float[] x, int rows, int c, float[] a, float[] b, float[] residual, float[] coarseK,
                           float[] coarseV, int kvGrid, int r, float[] move1, float[] slope, float[] move2,
                           float[] out, float[] signShift, long[] signs, Parallel parallel) {
        if (signs != null) {
            Check.length("signs", signs, (long) rows * BitPacking.words(c), "rows %d x words(c %d)", rows, c);
            Pooling.checkChannels("signShift", signShift, c);
        }
        Pooling.checkChannels("a", a, c);
        Pooling.checkChannels("b", b, c);
        if (residual != null) {
            Check.length("residual", residual, (long) rows * c, "rows %d x c %d", rows, c);
        }
        if (move1 != null || slope != null || move2 != null) {
            checkRprelu(move1, slope, move2, c);
        }
        float[] scale = a == null ? Constants.ones(c) : a;
        float[] shift = b == null ? Constants.zeros(c) : b;
        ElementwiseSupport form = fused.get((residual != null ? 1 : 0) | (coarseK != null ? 2 : 0)
                | (move1 != null ? 4 : 0) | (signs != null ? 8 : 0));
        if (parallel.threads() == 1) { // a serial call needs no job
            form.affineResidualRprelu(x, 0, rows, c, scale, shift, residual, coarseK, coarseV, kvGrid, r, move1, slope,
                    move2, out, signShift, signs);
        } else {
            parallel.run(rows, ROW_GRAIN, JOBS.get().set(Op.AFFINE_RESIDUAL_RPRELU, form, x, null, c, 0, scale, shift,
                    residual, move1, slope, move2, out, signShift, signs).coarse(coarseK, coarseV, kvGrid, r));
        }
    }

    private static void checkRows(float[] x, int rows, int c, float[] out, Parallel parallel) {
        Pooling.nonNegative("rows", rows);
        Check.positive("c", c);
        long size = (long) rows * c;
        Check.size("rows x c", size);
        Check.length("x", x, size, "rows %d x c %d", rows, c);
        Check.length("out", out, size, "rows %d x c %d", rows, c);
        Check.notNull("parallel", parallel);
    }

    /** RPReLU parameters: all three set, one per channel. */
    private static void checkRprelu(float[] move1, float[] slope, float[] move2, int c) {
        if (move1 == null || slope == null || move2 == null) {
            throw new IllegalArgumentException("RPReLU needs move1, slope and move2 all set or all null; got "
                    + (move1 == null ? "move1 null, " : "move1 set, ") + (slope == null ? "slope null, " : "slope set, ")
                    + (move2 == null ? "move2 null" : "move2 set"));
        }
        Check.length("move1", move1, c, "one per channel, c %d", c);
        Check.length("slope", slope, c, "one per channel, c %d", c);
        Check.length("move2", move2, c, "one per channel, c %d", c);
    }

    private enum Op { AFFINE, RPRELU, ADD, ADD_REPEATED, TILE, AFFINE_RESIDUAL_RPRELU }

    /**
     * A parallel call's arguments (see {@link Parallel.Job}); {@code n} is the period of
     * {@code addRepeated} or the times of {@code tile}.
     */
    private static final class Job extends Parallel.Job {
        private Op op;
        private ElementwiseSupport impl;
        private float[] x, y, a, b, residual, move1, slope, move2, out, signShift, coarseK, coarseV;
        private int c, n, kvGrid, r;
        private long[] signs;

        Job set(Op op, ElementwiseSupport impl, float[] x, float[] y, int c, int n, float[] a, float[] b,
                float[] residual, float[] move1, float[] slope, float[] move2, float[] out, float[] signShift,
                long[] signs) {
            this.op = op;
            this.impl = impl;
            this.x = x;
            this.y = y;
            this.c = c;
            this.n = n;
            this.a = a;
            this.b = b;
            this.residual = residual;
            this.move1 = move1;
            this.slope = slope;
            this.move2 = move2;
            this.out = out;
            this.signShift = signShift;
            this.signs = signs;
            return coarse(null, null, 0, 0);
        }

        /** The upsampled pair of the fused pass, if it has one. */
        Job coarse(float[] coarseK, float[] coarseV, int kvGrid, int r) {
            this.coarseK = coarseK;
            this.coarseV = coarseV;
            this.kvGrid = kvGrid;
            this.r = r;
            return this;
        }

        @Override
        public void run(int from, int to) {
            switch (op) {
                case AFFINE -> impl.affine(x, from, to, c, a, b, out);
                case RPRELU -> impl.rprelu(x, from, to, c, move1, slope, move2, out);
                case ADD -> impl.add(x, y, from, to, out);
                case ADD_REPEATED -> impl.addRepeated(x, y, n, from, to, out);
                case TILE -> impl.tile(x, from, to, c, n, out);
                case AFFINE_RESIDUAL_RPRELU -> impl.affineResidualRprelu(x, from, to, c, a, b, residual, coarseK, coarseV,
                        kvGrid, r, move1, slope, move2, out, signShift, signs);
            }
        }

        @Override
        protected void clear() {
            set(null, null, null, null, 0, 0, null, null, null, null, null, null, null, null, null);
        }
    }
}
