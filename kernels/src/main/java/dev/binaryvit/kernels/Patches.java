package dev.binaryvit.kernels;

/**
 * Gathers the 2x2 / stride 2 patches of a token grid so that a patch-merging {@code BinaryConv2d}
 * becomes a GEMM over the patches: {@code out [batch][(h/2)*(w/2)][4*c]}, each output token's
 * values in (ky, kx, ch) order, the K order {@link PackedWeights#conv2x2} packs the weights in.
 * A pure copy, so {@link #active()} and {@link #reference()} agree bit for bit.
 */
public final class Patches {

    private static final Patches REFERENCE = new Patches(new ReferencePatches());
    private static final Patches ACTIVE = new Patches(
            Vectorization.select("dev.binaryvit.kernels.VectorPatches", PatchesSupport.class, REFERENCE.impl));

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    private final PatchesSupport impl;

    private Patches(PatchesSupport impl) {
        this.impl = impl;
    }

    /** The vector implementation when the Vector API is usable, else the reference. */
    public static Patches active() {
        return ACTIVE;
    }

    /** The plain scalar implementation. */
    public static Patches reference() {
        return REFERENCE;
    }

    /**
     * {@code out[b][oy*(w/2)+ox][(ky*2+kx)*c + ch] = x[b][(2*oy+ky)*w + 2*ox+kx][ch]} for x
     * {@code [batch][h*w][c]}; h and w even.
     */
    public void gather2x2(float[] x, int batch, int h, int w, int c, float[] out) {
        gather2x2(x, batch, h, w, c, out, Parallel.SERIAL);
    }

    public void gather2x2(float[] x, int batch, int h, int w, int c, float[] out, Parallel parallel) {
        Pooling.checkGrid("x", x, batch, h, w, c);
        Pooling.multiple("h", h, "the patch size", 2);
        Pooling.multiple("w", w, "the patch size", 2);
        Check.length("out", out, (long) batch * h * w * c,
                "batch %d x (h/2 %d) x (w/2 %d) x 4c %d", batch, h / 2, w / 2, 4 * c);
        Pooling.distinct("out", out, "x", x);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.gather2x2(x, 0, batch * (h / 2), h, w, c, out);
        } else {
            parallel.run(batch * (h / 2), 1, JOBS.get().set(impl, x, h, w, c, out));
        }
    }

    /** A parallel call's arguments (see {@link Parallel.Job}). */
    private static final class Job extends Parallel.Job {
        private PatchesSupport impl;
        private float[] x, out;
        private int h, w, c;

        Job set(PatchesSupport impl, float[] x, int h, int w, int c, float[] out) {
            this.impl = impl;
            this.x = x;
            this.h = h;
            this.w = w;
            this.c = c;
            this.out = out;
            return this;
        }

        @Override
        public void run(int from, int to) {
            impl.gather2x2(x, from, to, h, w, c, out);
        }

        @Override
        protected void clear() {
            set(null, null, 0, 0, 0, null);
        }
    }
}
