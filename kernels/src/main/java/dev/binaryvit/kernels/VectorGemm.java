package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.BIT_COUNT;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.XOR;

/**
 * The XNOR-popcount GEMM on the Vector API, as an outer product: a 32-bit half of an activation
 * word is broadcast and XORed with a vector of the same half-word of {@code LANES} output channels,
 * so every lane does useful work even at K = 64 bits and no horizontal reduction is needed. A
 * register block is {@value #MR} tokens x one panel of {@link #NR} channels (two vectors): eight
 * accumulators.
 *
 * <p>BLIS-style loops: panels are taken in chunks whose weights stay in L1; within a chunk, a
 * group of tokens runs against each panel in turn, writing its dot products (int lanes, so no
 * narrowing) into a per-thread tile, and the float epilogue then streams the tile rows with
 * full-width float vectors. Vectors never cross a method boundary: C2 does not reliably inline methods this large,
 * and a vector passed to a method that is not inlined is boxed on the heap.
 */
final class VectorGemm implements GemmSupport {

    private static final VectorSpecies<Integer> I = VectorShapes.INTS;
    private static final VectorSpecies<Float> F = VectorShapes.FLOATS;
    private static final int LANES = I.length();
    /** Channels per panel: two vectors. Divides 64, so panels never straddle an output bit word. */
    static final int NR = 2 * LANES;
    /** Tokens per register block. */
    private static final int MR = 4;
    /** Weight bytes per chunk of panels: half of a 32 KB L1. */
    private static final int CHUNK_BYTES = 16 * 1024;
    /** Dots held in the tile between the micro-kernel and a float epilogue: 64 KB, in L2. */
    private static final int GROUP_INTS = 16 * 1024;
    /** Values held per group for the pooled sign form, whose rows are complete only after every chunk. */
    private static final int GROUP_FLOATS = 16 * 1024;

    private static final int DOTS = 0;
    private static final int FUSED = 1;
    private static final int SIGNS_POOL = 2;

    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);

    @Override
    public boolean reads(PackedWeights w) {
        return w.panelWidth() == NR;
    }

    @Override
    public int vectorBits() {
        return VectorShapes.BITS;
    }

    @Override
    public int panelWidth() {
        return NR;
    }

    @Override
    public void dots(long[] a, int from, int to, PackedWeights w, int[] out) {
        run(CALLS.get().set(DOTS, a, w, null, null, out, null, null), from, to);
    }

    @Override
    public void fused(long[] a, int from, int to, PackedWeights w, Epilogue e, float[] residual, float[] residual2,
                      float[] out, float[] normOut, long[] signs) {
        Call c = CALLS.get().set(FUSED, a, w, e, residual, null, out, signs);
        c.residual2 = residual2;
        c.normOut = normOut;
        c.thresholds = out == null && normOut == null && residual == null && residual2 == null
                ? e.signThresholds(c.k) : null;
        run(c, from, to);
    }

    @Override
    public void signsAndPool(long[] a, int from, int to, PackedWeights w, Epilogue e, float[] residual, long[] signs,
                             int pool, float[] pooled) {
        Call c = CALLS.get().set(SIGNS_POOL, a, w, e, residual, null, pooled, signs);
        c.pool = pool;
        run(c, from, to);
    }

    private static void run(Call c, int from, int to) {
        int panels = (c.m + NR - 1) / NR;
        int panelsPerWord = 64 / NR;
        int chunk = Math.max(1, CHUNK_BYTES / (2 * c.words * NR * Integer.BYTES));
        chunk = Math.min(panels, Math.max(panelsPerWord, chunk / panelsPerWord * panelsPerWord)); // whole words
        int chunkChannels = chunk * NR;
        try {
            if (c.form == DOTS || c.thresholds != null) { // no float values needed
                direct(c, from, to, panels, chunk, chunkChannels);
            } else {
                throughTile(c, from, to, panels, chunk, chunkChannels);
            }
        } finally {
            c.clear();
        }
    }

    /**
     * The int form, and the sign form without residual (compared in registers): each chunk of
     * panels, whose weights stay in L1, runs over groups of tokens whose outputs stay in L2.
     */
    private static void direct(Call c, int from, int to, int panels, int chunk, int chunkChannels) {
        int group = Math.max(MR, GROUP_INTS / chunkChannels / MR * MR);
        for (int p0 = 0; p0 < panels; p0 += chunk) {
            int p1 = Math.min(panels, p0 + chunk);
            for (int g0 = from; g0 < to; g0 += group) {
                int g1 = Math.min(to, g0 + group);
                for (int p = p0; p < p1; p++) {
                    panelColumn(c, p, g0, g1, c.dots, 0, 0, c.m);
                }
            }
        }
    }

    /**
     * The float epilogues: for each group of tokens, each chunk of panels writes its dots into the
     * int tile and the epilogue turns them into values, written out (fused), packed (signs) or kept
     * in the float tile until the row is complete (signs and pool).
     */
    private static void throughTile(Call c, int from, int to, int panels, int chunk, int chunkChannels) {
        int group = GROUP_INTS / chunkChannels;
        if (c.form == SIGNS_POOL) {
            group = Math.min(group, GROUP_FLOATS / c.m);
            c.ensureValues(Math.max(MR, group / MR * MR) * c.m);
        }
        group = Math.max(MR, group / MR * MR);
        c.ensureTile(group * chunkChannels);
        for (int g0 = from; g0 < to; g0 += group) {
            int g1 = Math.min(to, g0 + group);
            for (int p0 = 0; p0 < panels; p0 += chunk) {
                int p1 = Math.min(panels, p0 + chunk);
                int m0 = p0 * NR;
                int m1 = Math.min(c.m, p1 * NR);
                for (int p = p0; p < p1; p++) {
                    panelColumn(c, p, g0, g1, c.tile, g0, m0, chunkChannels);
                }
                for (int row = g0; row < g1; row++) {
                    int t = (row - g0) * chunkChannels - m0; // tile index of (row, channel j) is t + j
                    if (c.form == FUSED) {
                        values(c, row, t, m0, m1, c.floats, row * c.m, c.bits != null);
                    } else {
                        values(c, row, t, m0, m1, c.values, (row - g0) * c.m, true);
                    }
                }
            }
            if (c.form == SIGNS_POOL) {
                for (int row = g0; row < g1; row++) {
                    poolRow(c, row, (row - g0) * c.m);
                }
            }
        }
    }

    /**
     * Tokens {@code [n0, n1)} against the NR channels of panel p, four tokens at a time: their dot
     * products go to {@code dest[(n - rowOrigin) * stride + j - colOrigin]}, or, in the thresholded
     * sign form, their sign bits straight into the output. Looping over tokens inside keeps the
     * call overhead off small K, where one block is only a few dozen instructions.
     */
    private static void panelColumn(Call c, int p, int n0, int n1, int[] dest, int rowOrigin, int colOrigin,
                                    int stride) {
        long[] a = c.a;
        int[] panels = c.panels;
        int words = c.words;
        int w0 = p * 2 * words * NR;
        int j0 = p * NR;
        int j1 = j0 + LANES;
        IntVector kv = IntVector.broadcast(I, c.k);
        VectorMask<Integer> in0 = I.indexInRange(j0, c.m);
        VectorMask<Integer> in1 = I.indexInRange(j1, c.m);
        SignThresholds th = c.thresholds;
        int n = n0;
        for (; n + MR <= n1; n += MR) {
            int r0 = n * words;
            int r1 = r0 + words;
            int r2 = r1 + words;
            int r3 = r2 + words;
            IntVector c00 = IntVector.zero(I);
            IntVector c01 = c00;
            IntVector c10 = c00;
            IntVector c11 = c00;
            IntVector c20 = c00;
            IntVector c21 = c00;
            IntVector c30 = c00;
            IntVector c31 = c00;
            for (int kw = 0, w = w0; kw < words; kw++, w += 2 * NR) {
                IntVector lo0 = IntVector.fromArray(I, panels, w);
                IntVector lo1 = IntVector.fromArray(I, panels, w + LANES);
                IntVector hi0 = IntVector.fromArray(I, panels, w + NR);
                IntVector hi1 = IntVector.fromArray(I, panels, w + NR + LANES);
                // Low and high halves of each token's activation word, XORed with the weight half-words.
                long x = a[r0 + kw];
                int lo = (int) x;
                int hi = (int) (x >>> 32);
                c00 = c00.add(lo0.lanewise(XOR, lo).lanewise(BIT_COUNT)).add(hi0.lanewise(XOR, hi).lanewise(BIT_COUNT));
                c01 = c01.add(lo1.lanewise(XOR, lo).lanewise(BIT_COUNT)).add(hi1.lanewise(XOR, hi).lanewise(BIT_COUNT));
                x = a[r1 + kw];
                lo = (int) x;
                hi = (int) (x >>> 32);
                c10 = c10.add(lo0.lanewise(XOR, lo).lanewise(BIT_COUNT)).add(hi0.lanewise(XOR, hi).lanewise(BIT_COUNT));
                c11 = c11.add(lo1.lanewise(XOR, lo).lanewise(BIT_COUNT)).add(hi1.lanewise(XOR, hi).lanewise(BIT_COUNT));
                x = a[r2 + kw];
                lo = (int) x;
                hi = (int) (x >>> 32);
                c20 = c20.add(lo0.lanewise(XOR, lo).lanewise(BIT_COUNT)).add(hi0.lanewise(XOR, hi).lanewise(BIT_COUNT));
                c21 = c21.add(lo1.lanewise(XOR, lo).lanewise(BIT_COUNT)).add(hi1.lanewise(XOR, hi).lanewise(BIT_COUNT));
                x = a[r3 + kw];
                lo = (int) x;
                hi = (int) (x >>> 32);
                c30 = c30.add(lo0.lanewise(XOR, lo).lanewise(BIT_COUNT)).add(hi0.lanewise(XOR, hi).lanewise(BIT_COUNT));
                c31 = c31.add(lo1.lanewise(XOR, lo).lanewise(BIT_COUNT)).add(hi1.lanewise(XOR, hi).lanewise(BIT_COUNT));
            }
            if (th != null) {
                IntVector ge0 = IntVector.fromArray(I, th.popAtLeast, j0);
                IntVector ge1 = IntVector.fromArray(I, th.popAtLeast, j1);
                IntVector le0 = IntVector.fromArray(I, th.popAtMost, j0);
                IntVector le1 = IntVector.fromArray(I, th.popAtMost, j1);
                putBits(c, n, j0, c00.compare(GE, ge0).or(c00.compare(LE, le0)).toLong()
                        | c01.compare(GE, ge1).or(c01.compare(LE, le1)).toLong() << LANES);
                putBits(c, n + 1, j0, c10.compare(GE, ge0).or(c10.compare(LE, le0)).toLong()
                        | c11.compare(GE, ge1).or(c11.compare(LE, le1)).toLong() << LANES);
                putBits(c, n + 2, j0, c20.compare(GE, ge0).or(c20.compare(LE, le0)).toLong()
                        | c21.compare(GE, ge1).or(c21.compare(LE, le1)).toLong() << LANES);
                putBits(c, n + 3, j0, c30.compare(GE, ge0).or(c30.compare(LE, le0)).toLong()
                        | c31.compare(GE, ge1).or(c31.compare(LE, le1)).toLong() << LANES);
            } else {
                // dot = K - 2 * mismatches
                int d = (n - rowOrigin) * stride + j0 - colOrigin;
                kv.sub(c00.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c01.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + LANES, in1);
                d += stride;
                kv.sub(c10.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c11.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + LANES, in1);
                d += stride;
                kv.sub(c20.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c21.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + LANES, in1);
                d += stride;
                kv.sub(c30.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c31.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + LANES, in1);
            }
        }
        for (; n < n1; n++) { // the last tokens, one at a time
            tailRow(c, n, p, dest, (n - rowOrigin) * stride + j0 - colOrigin);
        }
    }

    /**
     * One token against panel p, for the tokens left over by {@link #panelColumn}'s blocks of four.
     * A method of its own: in one method with the four-token block, C1 runs out of registers and
     * the method never reaches C2.
     */
    private static void tailRow(Call c, int n, int p, int[] dest, int d) {
        long[] a = c.a;
        int[] panels = c.panels;
        int words = c.words;
        int w0 = p * 2 * words * NR;
        int j0 = p * NR;
        int j1 = j0 + LANES;
        SignThresholds th = c.thresholds;
        int r0 = n * words;
        IntVector c00 = IntVector.zero(I);
        IntVector c01 = c00;
        for (int kw = 0, w = w0; kw < words; kw++, w += 2 * NR) {
            long x = a[r0 + kw];
            int lo = (int) x;
            int hi = (int) (x >>> 32);
            c00 = c00.add(IntVector.fromArray(I, panels, w).lanewise(XOR, lo).lanewise(BIT_COUNT))
                    .add(IntVector.fromArray(I, panels, w + NR).lanewise(XOR, hi).lanewise(BIT_COUNT));
            c01 = c01.add(IntVector.fromArray(I, panels, w + LANES).lanewise(XOR, lo).lanewise(BIT_COUNT))
                    .add(IntVector.fromArray(I, panels, w + NR + LANES).lanewise(XOR, hi).lanewise(BIT_COUNT));
        }
        if (th != null) {
            putBits(c, n, j0, c00.compare(GE, IntVector.fromArray(I, th.popAtLeast, j0))
                    .or(c00.compare(LE, IntVector.fromArray(I, th.popAtMost, j0))).toLong()
                    | c01.compare(GE, IntVector.fromArray(I, th.popAtLeast, j1))
                    .or(c01.compare(LE, IntVector.fromArray(I, th.popAtMost, j1))).toLong() << LANES);
        } else {
            IntVector kv = IntVector.broadcast(I, c.k);
            kv.sub(c00.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, I.indexInRange(j0, c.m));
            kv.sub(c01.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + LANES, I.indexInRange(j1, c.m));
        }
    }

    /** Writes the NR sign bits of token row, channels j0.., clearing those past M. */
    private static void putBits(Call c, int row, int j0, long bits) {
        if (j0 + NR > c.m) {
            bits &= (1L << (c.m - j0)) - 1;
        }
        int word = row * c.bitWords + (j0 >>> 6);
        int shift = j0 & 63;
        c.bits[word] = shift == 0 ? bits : c.bits[word] | bits << shift;
    }

    /**
     * The epilogue of token {@code row}, channels {@code [m0, m1)} (m0 a multiple of 64), from the
     * dots at {@code tile[t + j]}: the value v to {@code dst[d + j]} unless dst is null, its norm w
     * to the norm output if there is one, and, if {@code signs}, the signs of w + shift into the
     * row's output words. Exactly {@link ReferenceGemm}'s float operations, in its order.
     */
    private static void values(Call c, int row, int t, int m0, int m1, float[] dst, int d, boolean signs) {
        Epilogue e = c.e;
        int[] tile = c.tile;
        float[] residual = c.residual;
        float[] residual2 = c.residual2;
        float[] normOut = c.normOut;
        float[] shift = e.shift;
        int m = c.m;
        int r = e.residualChannels();
        int resBase = row * r;
        int jr = m0 % r; // the residual column of channel j, kept without a division per vector
        for (int word = m0 >>> 6; word << 6 < m1; word++) {
            int end = Math.min(m1, (word + 1) << 6);
            long bits = 0L;
            int j = word << 6;
            for (; j + LANES <= end; j += LANES) {
                FloatVector dot = (FloatVector) IntVector.fromArray(I, tile, t + j).convert(VectorOperators.I2F, 0);
                FloatVector v = dot.fma(FloatVector.fromArray(F, e.alpha, j), FloatVector.fromArray(F, e.beta, j));
                if (residual != null) {
                    v = v.add(c.tiledIndex == null
                            ? FloatVector.fromArray(F, residual, resBase + jr)
                            : FloatVector.fromArray(F, residual, resBase, c.tiledIndex, j));
                    jr += LANES;
                    if (jr == r) { // r is a multiple of LANES, or r = M and the row ends here
                        jr = 0;
                    }
                }
                if (e.move1 != null) {
                    FloatVector y = v.sub(FloatVector.fromArray(F, e.move1, j));
                    y = y.blend(y.mul(FloatVector.fromArray(F, e.slope, j)), y.compare(VectorOperators.LT, 0f));
                    v = y.add(FloatVector.fromArray(F, e.move2, j));
                }
                if (e.scaleA != null) {
                    v = v.fma(FloatVector.fromArray(F, e.scaleA, j), FloatVector.fromArray(F, e.scaleB, j));
                }
                if (residual2 != null) {
                    v = v.add(FloatVector.fromArray(F, residual2, row * m + j));
                }
                if (dst != null) {
                    v.intoArray(dst, d + j);
                }
                if (e.normA != null) {
                    v = v.fma(FloatVector.fromArray(F, e.normA, j), FloatVector.fromArray(F, e.normB, j));
                }
                if (normOut != null) {
                    v.intoArray(normOut, row * m + j);
                }
                if (signs) {
                    FloatVector shifted = shift == null ? v : v.add(FloatVector.fromArray(F, shift, j));
                    bits |= shifted.compare(VectorOperators.GE, 0f).toLong() << (j & 63);
                }
            }
            for (; j < end; j++) { // the last channels of M, if M is not a multiple of LANES: same operations
                float v = e.affine(j, tile[t + j]);
                if (residual != null) {
                    v = v + residual[resBase + j % r];
                }
                v = e.layerScale(j, e.rprelu(j, v));
                if (residual2 != null) {
                    v = v + residual2[row * m + j];
                }
                if (dst != null) {
                    dst[d + j] = v;
                }
                float w = e.norm(j, v);
                if (normOut != null) {
                    normOut[row * m + j] = w;
                }
                if (signs && w + e.shift(j) >= 0f) {
                    bits |= 1L << (j & 63);
                }
            }
            if (signs) {
                c.bits[row * c.bitWords + word] = bits;
            }
        }
    }

    /** {@code pooled[row]}: the row {@code values[v .. v + M)} average-pooled in groups of {@code pool}, as {@link Pooling#channelPool}. */
    private static void poolRow(Call c, int row, int v) {
        int outChannels = c.m / c.pool;
        VectorPooling.poolGroups(c.values, v, c.floats, row * outChannels, outChannels, c.pool);
    }

    /** One call's operands and the calling thread's tile, reused across calls so a call allocates nothing. */
    private static final class Call {
        int form;
        long[] a;
        int[] panels;
        int words;
        int k;
        int m;
        int bitWords;
        Epilogue e;
        float[] residual;
        float[] residual2;
        float[] normOut;
        int[] tiledIndex;
        SignThresholds thresholds;
        int[] dots;
        float[] floats;
        long[] bits;
        int[] tile = new int[0];
        float[] values = new float[0];
        int pool;

        Call set(int form, long[] a, PackedWeights w, Epilogue e, float[] residual, int[] dots, float[] floats,
                 long[] bits) {
            this.form = form;
            this.a = a;
            this.panels = w.panels();
            this.words = w.words();
            this.k = w.bits();
            this.m = w.rows();
            this.bitWords = BitPacking.words(m);
            this.e = e;
            this.residual = residual;
            this.tiledIndex = residual == null ? null : e.tiledIndex(LANES);
            this.residual2 = null;
            this.normOut = null;
            this.thresholds = null;
            this.dots = dots;
            this.floats = floats;
            this.bits = bits;
            return this;
        }

        void ensureTile(int size) {
            if (tile.length < size) {
                tile = new int[size];
            }
        }

        void ensureValues(int size) {
            if (values.length < size) {
                values = new float[size];
            }
        }

        /** Drops the references to the caller's arrays. */
        void clear() {
            a = null;
            panels = null;
            e = null;
            residual = null;
            residual2 = null;
            normOut = null;
            tiledIndex = null;
            thresholds = null;
            dots = null;
            floats = null;
            bits = null;
        }
    }
}
