package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The XNOR-popcount GEMM on the Vector API, as an outer product: one 64-bit activation word is
 * broadcast and XORed with a vector of the same word of {@code LANES} output channels, so every
 * lane does useful work even at K = 64 bits and no horizontal reduction is needed. A register
 * block is {@value #MR} tokens x one panel of {@link #NR} channels (two vectors), eight
 * accumulators; the epilogue turns them into outputs while they are still in registers.
 *
 * <p>Loops, BLIS style: panels are taken in chunks whose weights stay in L1, and within a chunk
 * each block of tokens runs over every panel.
 */
final class VectorGemm implements GemmSupport {

    private static final VectorSpecies<Long> L = VectorShapes.LONGS;
    private static final VectorSpecies<Float> F = VectorShapes.FLOATS_PER_LONG;
    private static final VectorSpecies<Integer> I = VectorShapes.INTS_PER_LONG;
    private static final int LANES = L.length();
    /** Channels per panel: two vectors. */
    static final int NR = 2 * LANES;
    /** Tokens per register block. */
    private static final int MR = 4;
    /** Weight words per chunk of panels: 16 KB, half of L1. */
    private static final int CHUNK_WORDS = 2048;

    private static final int DOTS = 0;
    private static final int FUSED = 1;
    private static final int SIGNS = 2;

    @Override
    public boolean reads(PackedWeights w) {
        return w.panelWidth() == NR;
    }

    @Override
    public int panelWidth() {
        return NR;
    }

    @Override
    public void dots(long[] a, int from, int to, PackedWeights w, int[] out) {
        run(DOTS, a, from, to, w, null, null, out, null, null);
    }

    @Override
    public void fused(long[] a, int from, int to, PackedWeights w, Epilogue e, float[] residual, float[] out) {
        run(FUSED, a, from, to, w, e, residual, null, out, null);
    }

    @Override
    public void signs(long[] a, int from, int to, PackedWeights w, Epilogue e, float[] residual, long[] out) {
        run(SIGNS, a, from, to, w, e, residual, null, null, out);
    }

    private static void run(int form, long[] a, int from, int to, PackedWeights w, Epilogue e, float[] residual,
                            int[] dots, float[] floats, long[] bits) {
        int words = w.words();
        int panels = (w.rows() + NR - 1) / NR;
        int chunk = Math.max(1, CHUNK_WORDS / (words * NR));
        Out out = new Out(form, w, e, residual, dots, floats, bits);
        for (int p0 = 0; p0 < panels; p0 += chunk) {
            int p1 = Math.min(panels, p0 + chunk);
            int n = from;
            for (; n + MR <= to; n += MR) {
                for (int p = p0; p < p1; p++) {
                    block4(a, n, words, w.panels(), p, out);
                }
            }
            for (; n < to; n++) {
                for (int p = p0; p < p1; p++) {
                    block1(a, n, words, w.panels(), p, out);
                }
            }
        }
    }

    /** Tokens n..n+3 against panel p. */
    private static void block4(long[] a, int n, int words, long[] panels, int p, Out out) {
        int r0 = n * words;
        int r1 = r0 + words;
        int r2 = r1 + words;
        int r3 = r2 + words;
        int base = p * words * NR;
        LongVector c00 = LongVector.zero(L);
        LongVector c01 = c00;
        LongVector c10 = c00;
        LongVector c11 = c00;
        LongVector c20 = c00;
        LongVector c21 = c00;
        LongVector c30 = c00;
        LongVector c31 = c00;
        for (int k = 0; k < words; k++) {
            LongVector w0 = LongVector.fromArray(L, panels, base + k * NR);
            LongVector w1 = LongVector.fromArray(L, panels, base + k * NR + LANES);
            long x0 = a[r0 + k];
            long x1 = a[r1 + k];
            long x2 = a[r2 + k];
            long x3 = a[r3 + k];
            c00 = c00.add(w0.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.BIT_COUNT));
            c01 = c01.add(w1.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.BIT_COUNT));
            c10 = c10.add(w0.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.BIT_COUNT));
            c11 = c11.add(w1.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.BIT_COUNT));
            c20 = c20.add(w0.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.BIT_COUNT));
            c21 = c21.add(w1.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.BIT_COUNT));
            c30 = c30.add(w0.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.BIT_COUNT));
            c31 = c31.add(w1.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.BIT_COUNT));
        }
        int m0 = p * NR;
        emit(out, n, m0, c00, c01);
        emit(out, n + 1, m0, c10, c11);
        emit(out, n + 2, m0, c20, c21);
        emit(out, n + 3, m0, c30, c31);
    }

    /** Token n against panel p: the tail of {@link #block4}. */
    private static void block1(long[] a, int n, int words, long[] panels, int p, Out out) {
        int r0 = n * words;
        int base = p * words * NR;
        LongVector c00 = LongVector.zero(L);
        LongVector c01 = c00;
        for (int k = 0; k < words; k++) {
            long x0 = a[r0 + k];
            c00 = c00.add(LongVector.fromArray(L, panels, base + k * NR)
                    .lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.BIT_COUNT));
            c01 = c01.add(LongVector.fromArray(L, panels, base + k * NR + LANES)
                    .lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.BIT_COUNT));
        }
        emit(out, n, p * NR, c00, c01);
    }

    /** Writes the outputs of token n, channels m0 .. m0 + NR - 1, from their mismatch counts. */
    private static void emit(Out out, int n, int m0, LongVector pop0, LongVector pop1) {
        LongVector k = LongVector.broadcast(L, out.k);
        LongVector dot0 = k.sub(pop0.lanewise(VectorOperators.LSHL, 1));
        LongVector dot1 = k.sub(pop1.lanewise(VectorOperators.LSHL, 1));
        int m1 = m0 + LANES;
        switch (out.form) {
            case DOTS -> {
                storeDots(out, n, m0, dot0);
                storeDots(out, n, m1, dot1);
            }
            case FUSED -> {
                VectorMask<Float> in0 = F.indexInRange(m0, out.m);
                VectorMask<Float> in1 = F.indexInRange(m1, out.m);
                value(out, n, m0, dot0, in0).intoArray(out.floats, n * out.m + m0, in0);
                value(out, n, m1, dot1, in1).intoArray(out.floats, n * out.m + m1, in1);
            }
            default -> {
                long bits = signBits(out, n, m0, dot0) | signBits(out, n, m1, dot1) << LANES;
                int word = n * out.bitWords + (m0 >>> 6);
                int shift = m0 & 63;
                out.bits[word] = shift == 0 ? bits : out.bits[word] | bits << shift;
            }
        }
    }

    private static void storeDots(Out out, int n, int m, LongVector dot) {
        VectorMask<Integer> in = I.indexInRange(m, out.m);
        ((IntVector) dot.convertShape(VectorOperators.L2I, I, 0)).intoArray(out.dots, n * out.m + m, in);
    }

    /** The epilogue value of token n, channels m .. m + LANES - 1, exactly as {@link ReferenceGemm}. */
    private static FloatVector value(Out out, int n, int m, LongVector dot, VectorMask<Float> in) {
        Epilogue e = out.e;
        FloatVector v = ((FloatVector) dot.convertShape(VectorOperators.L2F, F, 0))
                .fma(FloatVector.fromArray(F, e.alpha, m), FloatVector.fromArray(F, e.beta, m));
        if (out.residual != null) {
            v = v.add(residual(out, n, m, in));
        }
        if (e.move1 != null) {
            FloatVector y = v.sub(FloatVector.fromArray(F, e.move1, m));
            y = y.blend(y.mul(FloatVector.fromArray(F, e.slope, m)), y.compare(VectorOperators.LT, 0f));
            v = y.add(FloatVector.fromArray(F, e.move2, m));
        }
        return v;
    }

    private static FloatVector residual(Out out, int n, int m, VectorMask<Float> in) {
        int r = out.e.residualChannels();
        if (out.contiguousResidual) {
            return FloatVector.fromArray(F, out.residual, n * r + m % r, in);
        }
        return FloatVector.fromArray(F, out.residual, n * r, out.tiledIndex, m, in);
    }

    /** LANES sign bits of {@code value + shift}, zero past M. */
    private static long signBits(Out out, int n, int m, LongVector dot) {
        VectorMask<Float> in = F.indexInRange(m, out.m);
        FloatVector v = value(out, n, m, dot, in);
        if (out.e.shift != null) {
            v = v.add(FloatVector.fromArray(F, out.e.shift, m));
        }
        return v.compare(VectorOperators.GE, 0f).and(in).toLong();
    }

    /** Where the outputs of one call go, and the per-call constants the epilogue reads. */
    private static final class Out {
        final int form;
        final int m;
        final int bitWords;
        final long k;
        final Epilogue e;
        final float[] residual;
        final boolean contiguousResidual;
        final int[] tiledIndex;
        final int[] dots;
        final float[] floats;
        final long[] bits;

        Out(int form, PackedWeights w, Epilogue e, float[] residual, int[] dots, float[] floats, long[] bits) {
            this.form = form;
            this.m = w.rows();
            this.bitWords = BitPacking.words(m);
            this.k = w.bits();
            this.e = e;
            this.residual = residual;
            int r = e == null ? m : e.residualChannels();
            this.contiguousResidual = r == m || r % LANES == 0;
            this.tiledIndex = residual == null || contiguousResidual ? null : tiledIndex(m, r);
            this.dots = dots;
            this.floats = floats;
            this.bits = bits;
        }

        /** {@code m % r} for every channel of the padded panels, for a gathered tiled residual. */
        private static int[] tiledIndex(int m, int r) {
            int[] index = new int[(m + NR - 1) / NR * NR];
            for (int j = 0; j < m; j++) {
                index[j] = j % r;
            }
            return index;
        }
    }
}
