package dev.binaryvit.kernels;

/**
 * A full-precision linear layer {@code out[n][m] = sum_k x[n][k] * w[m][k] + bias[m]} (PyTorch's
 * {@code Linear}, and a convolution once its patches are gathered), for the few layers of a
 * binary network that stay in float: the patch embedding, full-precision patch merging, the
 * classifier. The sum runs over k in order with one fused multiply-add per term, in both the
 * reference and the vector path, so the two agree bit for bit.
 */
public final class FloatLinear {

    private static final FloatLinear REFERENCE = new FloatLinear(new ReferenceFloatLinear());
    private static final FloatLinear ACTIVE = new FloatLinear(
            Vectorization.select("dev.binaryvit.kernels.VectorFloatLinear", FloatLinearSupport.class, REFERENCE.impl));

    /** Output channels per parallel block when rows are too few to split. */
    private static final int COLUMN_BLOCK = 64;

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    private final FloatLinearSupport impl;

    private FloatLinear(FloatLinearSupport impl) {
        this.impl = impl;
    }

    /** The vector implementation when the Vector API is usable, else the reference. */
    public static FloatLinear active() {
        return ACTIVE;
    }

    /** The plain scalar implementation. */
    public static FloatLinear reference() {
        return REFERENCE;
    }

    /** {@code out[rows][w.out()]} from {@code x[rows][w.in()]}; {@code bias} (length out) may be null. */
    public void apply(float[] x, int rows, Weights w, float[] bias, float[] out) {
        apply(x, rows, w, bias, out, Parallel.SERIAL);
    }

    public void apply(float[] x, int rows, Weights w, float[] bias, float[] out, Parallel parallel) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        Check.notNull("weights", w);
        Check.notNull("parallel", parallel);
        Check.length("x", x, (long) rows * w.in(), "rows %d x in %d", rows, w.in());
        if (bias != null) {
            Check.length("bias", bias, w.out(), "one per output, out %d", w.out());
        }
        Check.length("out", out, (long) rows * w.out(), "rows %d x out %d", rows, w.out());
        int m = w.out();
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.apply(x, 0, rows, 0, m, w, bias, out);
        } else if (rows >= 4 * parallel.threads()) {
            parallel.run(rows, 1, JOBS.get().set(impl, false, x, rows, w, bias, out));
        } else { // a few rows (the classifier of one image): split the output channels instead
            parallel.run((m + COLUMN_BLOCK - 1) / COLUMN_BLOCK, 1, JOBS.get().set(impl, true, x, rows, w, bias, out));
        }
    }

    /** Weights {@code w[out][in]} (PyTorch layout), stored transposed and padded for the vector path. */
    public static final class Weights {
        private final int out;
        private final int in;
        private final int stride;
        private final float[] transposed;

        private Weights(int out, int in, float[] transposed, int stride) {
            this.out = out;
            this.in = in;
            this.transposed = transposed;
            this.stride = stride;
        }

        /** Copies {@code w[out][in]} into the layout the kernels read. */
        public static Weights of(float[] w, int out, int in) {
            Check.positive("out", out);
            Check.positive("in", in);
            Check.length("w", w, (long) out * in, "out %d x in %d", out, in);
            int stride = (out + Epilogue.PAD - 1) / Epilogue.PAD * Epilogue.PAD;
            float[] t = new float[Check.size("in x padded out", (long) in * stride)];
            for (int j = 0; j < out; j++) {
                for (int i = 0; i < in; i++) {
                    t[i * stride + j] = w[j * in + i];
                }
            }
            return new Weights(out, in, t, stride);
        }

        public int out() {
            return out;
        }

        public int in() {
            return in;
        }

        /** {@code w[j][i]}. */
        public float weight(int j, int i) {
            return transposed[i * stride + j];
        }

        /** Bytes held. */
        public long bytes() {
            return 4L * transposed.length;
        }

        float[] transposed() {
            return transposed;
        }

        int stride() {
            return stride;
        }
    }

    /** A parallel call's arguments (see {@link Parallel.Job}): rows, or blocks of output channels. */
    private static final class Job extends Parallel.Job {
        private FloatLinearSupport impl;
        private boolean byColumns;
        private float[] x, bias, out;
        private int rows;
        private Weights w;

        Job set(FloatLinearSupport impl, boolean byColumns, float[] x, int rows, Weights w, float[] bias, float[] out) {
            this.impl = impl;
            this.byColumns = byColumns;
            this.x = x;
            this.rows = rows;
            this.w = w;
            this.bias = bias;
            this.out = out;
            return this;
        }

        @Override
        public void run(int from, int to) {
            if (byColumns) {
                impl.apply(x, 0, rows, from * COLUMN_BLOCK, Math.min(w.out(), to * COLUMN_BLOCK), w, bias, out);
            } else {
                impl.apply(x, from, to, 0, w.out(), w, bias, out);
            }
        }

        @Override
        protected void clear() {
            set(null, false, null, 0, null, null, null);
        }
    }
}
