package dev.binaryvit.kernels;

/**
 * The XNOR-popcount GEMM: packed activations {@code a[N][words(K)]} (see {@link BitPacking})
 * times packed weights {@code [M x K bits]} transposed, giving {@code N x M} outputs in one of three
 * forms: the integer dot products {@code K - 2 * popcount(a XOR w)}, the fused float epilogue
 * (scale, affine, residual, RPReLU; see {@link Epilogue}), or that value's sign packed straight
 * into bits {@code out[N][words(M)]} for a consumer that is itself binary; and {@link #mlp}, two
 * such products in a row over blocks of tokens. Any K >= 1, any N and M.
 * With a {@link Parallel} pool the rows are split over its threads; results do not change.
 */
public final class Gemm {

    private static final Gemm REFERENCE = new Gemm(new ReferenceGemm());
    private static final Gemm ACTIVE = new Gemm(
            Vectorization.select("dev.binaryvit.kernels.VectorGemm", GemmSupport.class, REFERENCE.impl));
    /** Rows per parallel grain: the register block height. */
    private static final int GRAIN = 4;
    /** Bytes a block of {@link #mlp} rows touches: a quarter of a 1 MB L2, so it stays there. */
    private static final long MLP_BLOCK_BYTES = 256 * 1024;
    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    private final GemmSupport impl;

    private Gemm(GemmSupport impl) {
        this.impl = impl;
    }

    /** The vector implementation when the Vector API is usable, else the reference. */
    public static Gemm active() {
        return ACTIVE;
    }

    /** The plain scalar implementation: reads weights of any panel width. */
    public static Gemm reference() {
        return REFERENCE;
    }

    /** The vector width in bits, 0 for the scalar reference. */
    public int vectorBits() {
        return impl.vectorBits();
    }

    /** Rows per weight panel this implementation reads. */
    public int panelWidth() {
        return impl.panelWidth();
    }

    /** {@code out[n][m] = K - 2 * popcount(a[n] XOR w[m])} for n &lt; rows. */
    public void dots(long[] a, int rows, PackedWeights w, int[] out) {
        dots(a, rows, w, out, Parallel.SERIAL);
    }

    public void dots(long[] a, int rows, PackedWeights w, int[] out, Parallel parallel) {
        checkInputs(a, rows, w, parallel);
        Check.length("out", out, (long) rows * w.rows(), "rows %d x M %d", rows, w.rows());
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.dots(a, 0, rows, w, out);
        } else {
            parallel.run(rows, GRAIN, JOBS.get().dots(impl, a, w, out));
        }
    }

    /**
     * {@code out[n][m]} = the epilogue of the dot product; {@code residual} is null or
     * {@code [rows][e.residualChannels()]}.
     */
    public void fused(long[] a, int rows, PackedWeights w, Epilogue e, float[] residual, float[] out) {
        fused(a, rows, w, e, residual, null, out, null, null, Parallel.SERIAL);
    }

    public void fused(long[] a, int rows, PackedWeights w, Epilogue e, float[] residual, float[] out,
                      Parallel parallel) {
        Check.notNull("out", out);
        fused(a, rows, w, e, residual, null, out, null, null, parallel);
    }

    /**
     * {@code signs[n][words(M)]}: bit m of row n is 1 iff the epilogue value plus its sign shift is
     * {@code >= 0}; padding bits are 0.
     */
    public void signs(long[] a, int rows, PackedWeights w, Epilogue e, float[] residual, long[] signs) {
        signs(a, rows, w, e, residual, signs, Parallel.SERIAL);
    }

    public void signs(long[] a, int rows, PackedWeights w, Epilogue e, float[] residual, long[] signs,
                      Parallel parallel) {
        Check.notNull("signs", signs);
        fused(a, rows, w, e, residual, null, null, null, signs, parallel);
    }

    /**
     * The whole epilogue chain of {@link Epilogue} into whichever outputs are not null (at least
     * one): {@code out[rows][M]} the value, {@code normOut[rows][M]} its norm, {@code signs[rows][words(M)]}
     * the signs of the norm plus shift. {@code residual} is null or {@code [rows][e.residualChannels()]};
     * {@code residual2} is null or {@code [rows][M]} and may be the same array as {@code out}.
     */
    public void fused(long[] a, int rows, PackedWeights w, Epilogue e, float[] residual, float[] residual2,
                      float[] out, float[] normOut, long[] signs, Parallel parallel) {
        checkInputs(a, rows, w, parallel);
        checkEpilogue(rows, w, e, residual);
        long size = (long) rows * w.rows();
        if (out == null && normOut == null && signs == null) {
            throw new IllegalArgumentException("no output: out, normOut and signs are all null");
        }
        if (residual2 != null) {
            Check.length("residual2", residual2, size, "rows %d x M %d", rows, w.rows());
        }
        if (out != null) {
            Check.length("out", out, size, "rows %d x M %d", rows, w.rows());
        }
        if (normOut != null) {
            Check.length("normOut", normOut, size, "rows %d x M %d", rows, w.rows());
        }
        if (signs != null) {
            Check.length("signs", signs, (long) rows * BitPacking.words(w.rows()),
                    "rows %d x words(M %d)", rows, w.rows());
        }
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.fused(a, 0, rows, w, e, residual, residual2, out, normOut, signs);
        } else {
            parallel.run(rows, GRAIN, JOBS.get().fused(impl, a, w, e, residual, residual2, out, normOut, signs));
        }
    }

    /**
     * The MLP's first layer without its wide output: with v the epilogue values of a row, writes
     * {@code signs[rows][words(M)]} (bit m is 1 iff {@code v[m] + shift[m] >= 0}, as {@link #signs})
     * and {@code pooled[rows][M / pool]}, the mean of each {@code pool} consecutive channels' values
     * (as {@link Pooling#channelPool}), so that the {@code [rows x M]} floats are never stored. For an
     * epilogue {@link Epilogue#withInterleavedChannels interleaved} in G groups, pool must be G: the
     * pooled channels are then those of the layer, the signs in output order.
     */
    public void signsAndPool(long[] a, int rows, PackedWeights w, Epilogue e, float[] residual, long[] signs,
                             int pool, float[] pooled, Parallel parallel) {
        checkSignsAndPool(a, rows, w, e, residual, signs, pool, pooled, parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.signsAndPool(a, 0, rows, w, e, residual, signs, pool, pooled);
        } else {
            parallel.run(rows, GRAIN, JOBS.get().signsAndPool(impl, a, w, e, residual, signs, pool, pooled));
        }
    }

    /**
     * An MLP's two layers, {@link #signsAndPool} with {@code (w1, e1, residual1)} and then {@link #fused}
     * of its signs with {@code (w2, e2)}, its pool as the residual, {@code residual2} and {@code out},
     * over blocks of tokens: a block's signs and pool are read back by the second layer while they
     * are still in L2, and a parallel call runs both layers in one go. The results are those of the
     * two calls: each row goes through the same two epilogues.
     */
    public void mlp(long[] a, int rows, PackedWeights w1, Epilogue e1, float[] residual1, long[] signs, int pool,
                    float[] pooled, PackedWeights w2, Epilogue e2, float[] residual2, float[] out, Parallel parallel) {
        checkSignsAndPool(a, rows, w1, e1, residual1, signs, pool, pooled, parallel);
        checkWeights("w2", w2);
        Check.equal("w2 bits K", w2.bits(), "w1 rows M", w1.rows()); // so signs is also w2's input
        Check.notNull("e2", e2);
        // pooled is e2's residual
        Check.equal("e2 residual channels", e2.residualChannels(), "M / pool", w1.rows() / pool);
        checkEpilogue(rows, w2, e2, pooled);
        long size = (long) rows * w2.rows();
        if (residual2 != null) {
            Check.length("residual2", residual2, size, "rows %d x M2 %d", rows, w2.rows());
        }
        Check.length("out", out, size, "rows %d x M2 %d", rows, w2.rows());
        // Serial calls too: the block loop is the job's (Parallel.SERIAL runs it on this thread).
        parallel.run(rows, GRAIN,
                JOBS.get().mlp(impl, a, w1, e1, residual1, signs, pool, pooled, w2, e2, residual2, out));
    }

    private void checkSignsAndPool(long[] a, int rows, PackedWeights w, Epilogue e, float[] residual, long[] signs,
                                   int pool, float[] pooled, Parallel parallel) {
        checkInputs(a, rows, w, parallel);
        checkEpilogue(rows, w, e, residual);
        if (!e.endsAtRprelu()) {
            throw new IllegalArgumentException("signsAndPool takes an epilogue without layer scale or norm");
        }
        Check.positive("pool", pool);
        if (e.interleavedGroups() != 1 && e.interleavedGroups() != pool) {
            throw new IllegalArgumentException("the epilogue's outputs are interleaved in " + e.interleavedGroups()
                    + " groups, but pool is " + pool + ": an interleaved epilogue pools its own groups");
        }
        if (w.rows() % pool != 0) {
            throw new IllegalArgumentException("M " + w.rows() + " is not a multiple of pool " + pool);
        }
        Check.length("signs", signs, (long) rows * BitPacking.words(w.rows()),
                "rows %d x words(M %d)", rows, w.rows());
        Check.length("pooled", pooled, (long) rows * (w.rows() / pool), "rows %d x M / pool %d", rows, w.rows() / pool);
    }

    private void checkInputs(long[] a, int rows, PackedWeights w, Parallel parallel) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        checkWeights("weights", w);
        Check.notNull("parallel", parallel);
        Check.length("a", a, (long) rows * w.words(), "rows %d x words(K %d)", rows, w.bits());
    }

    private void checkWeights(String name, PackedWeights w) {
        Check.notNull(name, w);
        if (!impl.reads(w)) {
            throw new IllegalArgumentException(name + " are packed in panels of " + w.panelWidth()
                    + " rows but this GEMM reads panels of " + impl.panelWidth()
                    + "; pack them with PackedWeights in the same JVM as the GEMM that reads them");
        }
    }

    private static void checkEpilogue(int rows, PackedWeights w, Epilogue e, float[] residual) {
        Check.notNull("epilogue", e);
        Check.equal("epilogue channels", e.channels(), "weight rows M", w.rows());
        if (residual != null) {
            Check.length("residual", residual, (long) rows * e.residualChannels(),
                    "rows %d x residual channels %d", rows, e.residualChannels());
        }
    }

    /** A parallel call's arguments (see {@link Parallel.Job}), for one of the three forms or the MLP. */
    private static final class Job extends Parallel.Job {
        private enum Form { DOTS, FUSED, SIGNS_AND_POOL, MLP }

        private Form form;
        private GemmSupport impl;
        private long[] a;
        private PackedWeights w;
        private Epilogue e;
        private int[] dots;
        private float[] residual, residual2, out, normOut, pooled;
        private long[] signs;
        private int pool;
        // the MLP's second layer
        private PackedWeights w2;
        private Epilogue e2;

        Job dots(GemmSupport impl, long[] a, PackedWeights w, int[] dots) {
            return set(Form.DOTS, impl, a, w, null, null, null, null, null, null, 0, null, dots);
        }

        Job fused(GemmSupport impl, long[] a, PackedWeights w, Epilogue e, float[] residual, float[] residual2,
                  float[] out, float[] normOut, long[] signs) {
            return set(Form.FUSED, impl, a, w, e, residual, residual2, out, normOut, signs, 0, null, null);
        }

        Job signsAndPool(GemmSupport impl, long[] a, PackedWeights w, Epilogue e, float[] residual, long[] signs,
                         int pool, float[] pooled) {
            return set(Form.SIGNS_AND_POOL, impl, a, w, e, residual, null, null, null, signs, pool, pooled, null);
        }

        Job mlp(GemmSupport impl, long[] a, PackedWeights w1, Epilogue e1, float[] residual1, long[] signs, int pool,
                float[] pooled, PackedWeights w2, Epilogue e2, float[] residual2, float[] out) {
            set(Form.MLP, impl, a, w1, e1, residual1, residual2, out, null, signs, pool, pooled, null);
            this.w2 = w2;
            this.e2 = e2;
            return this;
        }

        private Job set(Form form, GemmSupport impl, long[] a, PackedWeights w, Epilogue e, float[] residual,
                        float[] residual2, float[] out, float[] normOut, long[] signs, int pool, float[] pooled,
                        int[] dots) {
            this.form = form;
            this.impl = impl;
            this.a = a;
            this.w = w;
            this.e = e;
            this.residual = residual;
            this.residual2 = residual2;
            this.out = out;
            this.normOut = normOut;
            this.signs = signs;
            this.pool = pool;
            this.pooled = pooled;
            this.dots = dots;
            return this;
        }

        @Override
        public void run(int from, int to) {
            switch (form) {
                case DOTS -> impl.dots(a, from, to, w, dots);
                case FUSED -> impl.fused(a, from, to, w, e, residual, residual2, out, normOut, signs);
                case SIGNS_AND_POOL -> impl.signsAndPool(a, from, to, w, e, residual, signs, pool, pooled);
                case MLP -> {
                    int block = mlpBlock(w, e, w2, pool);
                    for (int b0 = from; b0 < to; b0 += block) {
                        int b1 = Math.min(to, b0 + block);
                        impl.signsAndPool(a, b0, b1, w, e, residual, signs, pool, pooled);
                        impl.fused(signs, b0, b1, w2, e2, pooled, residual2, out, null, null);
                    }
                }
            }
        }

        /** Rows per MLP block: {@link #MLP_BLOCK_BYTES} of what the rows read and write in both layers. */
        private static int mlpBlock(PackedWeights w1, Epilogue e1, PackedWeights w2, int pool) {
            long perRow = 8L * w1.words() + 4L * e1.residualChannels() // fc1's input signs and residual
                    + 8L * w2.words() + 4L * (w1.rows() / pool)       // its signs and pool, fc2's inputs
                    + 2 * 4L * w2.rows();                             // fc2's second residual and output
            return (int) Math.max(GRAIN, MLP_BLOCK_BYTES / perRow / GRAIN * GRAIN);
        }

        @Override
        protected void clear() {
            set(null, null, null, null, null, null, null, null, null, null, 0, null, null);
            w2 = null;
            e2 = null;
        }
    }
}
