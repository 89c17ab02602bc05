package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.BIT_COUNT;
import static jdk.incubator.vector.VectorOperators.UGE;
import static jdk.incubator.vector.VectorOperators.XOR;

/**
 * The XNOR-popcount GEMM on the Vector API, as an outer product: a 32-bit half of an activation
 * word is broadcast and XORed with a vector of the same half-word of {@code LANES} output channels,
 * so every lane does useful work even at K = 64 bits and no horizontal reduction is needed. A
 * register block is {@value #MR} tokens x one panel of {@link #NR} channels (two vectors): eight
 * accumulators. The activation words of a call are first split into 32-bit halves in an int array,
 * so that each broadcast is a load from memory rather than a move from a general register (1.3
 * times the block's rate: {@code PeakBinaryProbe}).
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
    /** Activation half-words split per block of tokens: 256 KB, so a stage-0 image is one block. */
    private static final int HALVES_INTS = 64 * 1024;
    /** Up to this many words of K, the float epilogue makes the dots itself rather than read them from the tile. */
    static final int FUSED_WORDS = 2;

    private static final int DOTS = 0;
    private static final int FUSED = 1;
    private static final int SIGNS_POOL = 2;

    private static final ThreadLocal<Call> CALLS = ThreadLocal.withInitial(Call::new);
    /** The float epilogue, a copy per form: see {@link GemmEpilogue}. */
    private static final ProfileCopies<GemmEpilogue> EPILOGUES = new ProfileCopies<>(GemmEpilogue.class,
            VectorGemmEpilogue.class, new VectorGemmEpilogue(), GemmEpilogue.FORMS);

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
                ? e.signThresholds(c.weights.bits()) : null;
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
        int panels = (c.m() + NR - 1) / NR;
        int panelsPerWord = 64 / NR;
        int chunk = Math.max(1, CHUNK_BYTES / (2 * c.weights.words() * NR * Integer.BYTES));
        chunk = Math.min(panels, Math.max(panelsPerWord, chunk / panelsPerWord * panelsPerWord)); // whole words
        int chunkChannels = chunk * NR;
        // Tokens in blocks whose half-words fit HALVES_INTS: a bounded buffer whatever N and K.
        int block = Math.max(MR, HALVES_INTS / (2 * c.weights.words()) / MR * MR);
        try {
            for (int b0 = from; b0 < to; b0 += block) {
                int b1 = to - b0 <= block ? to : b0 + block;
                c.splitHalves(b0, b1);
                if (c.form == DOTS || c.thresholds != null) { // no float values needed
                    direct(c, b0, b1, panels, chunk, chunkChannels);
                } else {
                    throughTile(c, b0, b1, panels, chunk, chunkChannels);
                }
            }
        } finally {
            c.clear();
        }
    }

    /**
     * The int form, and the sign form without residual (compared in registers): each chunk of
     * panels, whose weights stay in L1, runs over the tokens. The int form with K over one word
     * goes row by row ({@link #rowBlock}): a column's stores, one output row apart (4 KB at
     * M = 1024, so in a handful of L1 sets and each in a page of its own), made the int form of
     * 196x256x1024 about 1.1 times slower than row runs of whole panels (JMH, both orders
     * alternated: 62.5 and 60.2 against 55.7 and 55.9 us).
     */
    private static void direct(Call c, int from, int to, int panels, int chunk, int chunkChannels) {
        if (c.thresholds == null && c.weights.words() > 1) {
            for (int p0 = 0; p0 < panels; p0 += chunk) {
                int p1 = Math.min(panels, p0 + chunk);
                int n = from;
                for (; n + MR <= to; n += MR) {
                    rowBlock(c, n, p0, p1);
                }
                for (; n < to; n++) { // the last tokens, one at a time
                    for (int p = p0; p < p1; p++) {
                        tailRow(c, n, p, c.dots, n * c.m() + p * NR, LANES);
                    }
                }
            }
            return;
        }
        // Sign bits are 32 times smaller than ints: for them every token runs against a panel in one go.
        int group = c.thresholds != null ? to - from : Math.max(MR, GROUP_INTS / chunkChannels / MR * MR);
        for (int p0 = 0; p0 < panels; p0 += chunk) {
            int p1 = Math.min(panels, p0 + chunk);
            for (int g0 = from; g0 < to; g0 += group) {
                int g1 = Math.min(to, g0 + group);
                for (int p = p0; p < p1; p++) {
                    column(c, p, g0, g1, c.dots, 0, 0, c.m(), LANES);
                }
            }
        }
    }

    /**
     * The float epilogues: for each group of tokens, each chunk of panels writes its dots into the
     * int tile and the epilogue turns them into values, written out (fused), packed (signs) or kept
     * in the float tile until the row is complete (signs and pool). The tile is vector-major (the
     * group's rows of one vector of channels, then the next vector's): the epilogue runs down the
     * rows of one vector of channels, and so reads the tile in order (about 0.85 times the time of
     * a row-major tile for fc1's {@code signsAndPool} at 3136x64x512 and 784x128x1024). When K is
     * at most {@link #FUSED_WORDS} words and M whole vectors, a dot is a few instructions and the
     * epilogue makes it itself from the panel and the token's halves, with no tile between (fc1,
     * three alternations: 599 against 533 us at 3136x64x512, 436 against 338 at 784x128x1024).
     */
    private static void throughTile(Call c, int from, int to, int panels, int chunk, int chunkChannels) {
        boolean pooled = c.form == SIGNS_POOL;
        boolean inPlace = c.poolsInPlace();
        int group = GROUP_INTS / chunkChannels;
        if (pooled && !inPlace) {
            group = Math.min(group, GROUP_FLOATS / c.m());
            c.ensureValues(Math.max(MR, group / MR * MR) * c.m());
        }
        group = Math.max(MR, group / MR * MR);
        boolean throughTile = c.fusedWords() == 0;
        if (throughTile) {
            c.ensureTile(group * chunkChannels);
        }
        // The pooled form keeps a group's values for its pool, unless it adds them up in place.
        float[] dst = pooled && !inPlace ? c.values : c.floats;
        GemmEpilogue epilogue = EPILOGUES.get(GemmEpilogue.form(c, dst != null));
        for (int g0 = from; g0 < to; g0 += group) {
            int g1 = Math.min(to, g0 + group);
            if (c.plan != null) {
                rearrangeResidual(c, g0, g1);
            }
            for (int p0 = 0; p0 < panels; p0 += chunk) {
                int p1 = Math.min(panels, p0 + chunk);
                int m0 = p0 * NR;
                int m1 = Math.min(c.m(), p1 * NR);
                if (throughTile) {
                    for (int p = p0; p < p1; p++) {
                        column(c, p, g0, g1, c.tile, g0, m0, LANES, group * LANES);
                    }
                }
                epilogue.rows(c, g0, g1, m0, m1, group * LANES, dst, pooled && !inPlace ? g0 : 0);
            }
            if (pooled && !inPlace) {
                for (int row = g0; row < g1; row++) {
                    poolRow(c, row, (row - g0) * c.m());
                }
            }
        }
    }

    /**
     * {@link #panelColumn}, or {@link #oneWordColumn} when K fits one word. The dots of token n and
     * the vector of channels starting at j go to {@code dest[(n - rowOrigin) * stride + (j - colOrigin)
     * / LANES * vecStride]}: row-major with {@code vecStride = LANES}, vector-major with
     * {@code stride = LANES}.
     */
    private static void column(Call c, int p, int n0, int n1, int[] dest, int rowOrigin, int colOrigin, int stride,
                               int vecStride) {
        if (c.weights.words() == 1) {
            oneWordColumn(c, p, n0, n1, dest, rowOrigin, colOrigin, stride, vecStride);
        } else {
            panelColumn(c, p, n0, n1, dest, rowOrigin, colOrigin, stride, vecStride);
        }
    }

    /**
     * {@link #panelColumn} for K &lt;= 64 bits (stage 0 of BinaryViT-S, where most products have
     * K = 64): the panel's two weight vectors, and the sign thresholds, stay in registers across
     * all the tokens, and each block is one XOR-popcount step with nothing to accumulate.
     */
    private static void oneWordColumn(Call c, int p, int n0, int n1, int[] dest, int rowOrigin, int colOrigin,
                                      int stride, int vecStride) {
        int[] h = c.halves;
        int first = c.first;
        int w = p * 2 * NR;
        IntVector lo0 = IntVector.fromArray(I, c.weights.panels(), w);
        IntVector lo1 = IntVector.fromArray(I, c.weights.panels(), w + LANES);
        IntVector hi0 = IntVector.fromArray(I, c.weights.panels(), w + NR);
        IntVector hi1 = IntVector.fromArray(I, c.weights.panels(), w + NR + LANES);
        int j0 = p * NR;
        int j1 = j0 + LANES;
        SignThresholds th = c.thresholds;
        int[] zeros = Constants.intZeros(Epilogue.padded(c.m())); // the thresholds' stand-in when there are none
        int[] start = th == null ? zeros : th.bandStart;
        int[] width = th == null ? zeros : th.bandWidth;
        IntVector s0 = IntVector.fromArray(I, start, j0);
        IntVector s1 = IntVector.fromArray(I, start, j1);
        IntVector b0 = IntVector.fromArray(I, width, j0);
        IntVector b1 = IntVector.fromArray(I, width, j1);
        IntVector kv = IntVector.broadcast(I, c.weights.bits());
        VectorMask<Integer> in0 = I.indexInRange(j0, c.m());
        VectorMask<Integer> in1 = I.indexInRange(j1, c.m());
        long[] bitsOut = c.bits;
        int bitWords = c.bitWords();
        int word = j0 >>> 6;
        int shift = j0 & 63;
        long keep = j0 + NR > c.m() ? (1L << (c.m() - j0)) - 1 : -1L; // no bits past M
        int n = n0;
        for (; n + 4 <= n1; n += 4) { // four tokens a step
            int r = 2 * (n - first);
            IntVector c00 = lo0.lanewise(XOR, h[r]).lanewise(BIT_COUNT).add(hi0.lanewise(XOR, h[r + 1]).lanewise(BIT_COUNT));
            IntVector c01 = lo1.lanewise(XOR, h[r]).lanewise(BIT_COUNT).add(hi1.lanewise(XOR, h[r + 1]).lanewise(BIT_COUNT));
            IntVector c10 = lo0.lanewise(XOR, h[r + 2]).lanewise(BIT_COUNT).add(hi0.lanewise(XOR, h[r + 3]).lanewise(BIT_COUNT));
            IntVector c11 = lo1.lanewise(XOR, h[r + 2]).lanewise(BIT_COUNT).add(hi1.lanewise(XOR, h[r + 3]).lanewise(BIT_COUNT));
            IntVector c20 = lo0.lanewise(XOR, h[r + 4]).lanewise(BIT_COUNT).add(hi0.lanewise(XOR, h[r + 5]).lanewise(BIT_COUNT));
            IntVector c21 = lo1.lanewise(XOR, h[r + 4]).lanewise(BIT_COUNT).add(hi1.lanewise(XOR, h[r + 5]).lanewise(BIT_COUNT));
            IntVector c30 = lo0.lanewise(XOR, h[r + 6]).lanewise(BIT_COUNT).add(hi0.lanewise(XOR, h[r + 7]).lanewise(BIT_COUNT));
            IntVector c31 = lo1.lanewise(XOR, h[r + 6]).lanewise(BIT_COUNT).add(hi1.lanewise(XOR, h[r + 7]).lanewise(BIT_COUNT));
            if (th != null) {
                long bits0 = (c00.sub(s0).compare(UGE, b0).toLong() | c01.sub(s1).compare(UGE, b1).toLong() << LANES) & keep;
                long bits1 = (c10.sub(s0).compare(UGE, b0).toLong() | c11.sub(s1).compare(UGE, b1).toLong() << LANES) & keep;
                long bits2 = (c20.sub(s0).compare(UGE, b0).toLong() | c21.sub(s1).compare(UGE, b1).toLong() << LANES) & keep;
                long bits3 = (c30.sub(s0).compare(UGE, b0).toLong() | c31.sub(s1).compare(UGE, b1).toLong() << LANES) & keep;
                // putBits written out: four putBits calls here made the packed 3136x64x512 GEMM
                // four times slower (512 against 125 us).
                int o = n * bitWords + word;
                if (shift == 0) {
                    bitsOut[o] = bits0;
                    bitsOut[o + bitWords] = bits1;
                    bitsOut[o + 2 * bitWords] = bits2;
                    bitsOut[o + 3 * bitWords] = bits3;
                } else {
                    bitsOut[o] |= bits0 << shift;
                    bitsOut[o + bitWords] |= bits1 << shift;
                    bitsOut[o + 2 * bitWords] |= bits2 << shift;
                    bitsOut[o + 3 * bitWords] |= bits3 << shift;
                }
            } else {
                int d = (n - rowOrigin) * stride + (j0 - colOrigin) / LANES * vecStride;
                kv.sub(c00.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c01.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + vecStride, in1);
                d += stride;
                kv.sub(c10.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c11.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + vecStride, in1);
                d += stride;
                kv.sub(c20.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c21.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + vecStride, in1);
                d += stride;
                kv.sub(c30.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c31.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + vecStride, in1);
            }
        }
        for (; n < n1; n++) {
            tailRow(c, n, p, dest, (n - rowOrigin) * stride + (j0 - colOrigin) / LANES * vecStride, vecStride);
        }
    }

    /**
     * Tokens {@code [n0, n1)} against the NR channels of panel p, four tokens at a time: their dot
     * products go to {@code dest} as {@link #column} says, or, in the thresholded
     * sign form, their sign bits straight into the output. Looping over tokens inside keeps the
     * call overhead off small K, where one block is only a few dozen instructions.
     */
    private static void panelColumn(Call c, int p, int n0, int n1, int[] dest, int rowOrigin, int colOrigin,
                                    int stride, int vecStride) {
        int[] h = c.halves;
        int first = c.first;
        int[] panels = c.weights.panels();
        int words = c.weights.words();
        int w0 = p * 2 * words * NR;
        int j0 = p * NR;
        int j1 = j0 + LANES;
        IntVector kv = IntVector.broadcast(I, c.weights.bits());
        VectorMask<Integer> in0 = I.indexInRange(j0, c.m());
        VectorMask<Integer> in1 = I.indexInRange(j1, c.m());
        SignThresholds th = c.thresholds;
        long[] bitsOut = c.bits;
        int bitWords = c.bitWords();
        int word = j0 >>> 6;
        int shift = j0 & 63;
        long keep = j0 + NR > c.m() ? (1L << (c.m() - j0)) - 1 : -1L; // no bits past M
        int n = n0;
        for (; n + MR <= n1; n += MR) {
            int r0 = 2 * (n - first) * words; // the four tokens' half-words
            int r1 = r0 + 2 * words;
            int r2 = r1 + 2 * words;
            int r3 = r2 + 2 * words;
            // The first half-word starts the counts, as in rowBlock.
            IntVector w0f = IntVector.fromArray(I, panels, w0);
            IntVector w1f = IntVector.fromArray(I, panels, w0 + LANES);
            int xf = h[r0];
            IntVector c00 = w0f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            IntVector c01 = w1f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            xf = h[r1];
            IntVector c10 = w0f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            IntVector c11 = w1f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            xf = h[r2];
            IntVector c20 = w0f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            IntVector c21 = w1f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            xf = h[r3];
            IntVector c30 = w0f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            IntVector c31 = w1f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            // One 32-bit half-word of K a step: the half of each token's activation word, read as an
            // int from memory (so that the broadcast is a load, not a move from a register), XORed
            // with that half-word of the panel's channels. (A step over both halves of a word
            // doubles the Vector API calls in this method, and C1 then runs out of registers on it:
            // the method stayed in C1 code, some hundred times slower, when first run in a long loop.)
            for (int kh = 1, w = w0 + NR; kh < 2 * words; kh++, w += NR) {
                IntVector w0v = IntVector.fromArray(I, panels, w);
                IntVector w1v = IntVector.fromArray(I, panels, w + LANES);
                int x = h[r0 + kh];
                c00 = c00.add(w0v.lanewise(XOR, x).lanewise(BIT_COUNT));
                c01 = c01.add(w1v.lanewise(XOR, x).lanewise(BIT_COUNT));
                x = h[r1 + kh];
                c10 = c10.add(w0v.lanewise(XOR, x).lanewise(BIT_COUNT));
                c11 = c11.add(w1v.lanewise(XOR, x).lanewise(BIT_COUNT));
                x = h[r2 + kh];
                c20 = c20.add(w0v.lanewise(XOR, x).lanewise(BIT_COUNT));
                c21 = c21.add(w1v.lanewise(XOR, x).lanewise(BIT_COUNT));
                x = h[r3 + kh];
                c30 = c30.add(w0v.lanewise(XOR, x).lanewise(BIT_COUNT));
                c31 = c31.add(w1v.lanewise(XOR, x).lanewise(BIT_COUNT));
            }
            if (th != null) { // one subtract and one unsigned compare per vector (SignThresholds)
                IntVector s0 = IntVector.fromArray(I, th.bandStart, j0);
                IntVector s1 = IntVector.fromArray(I, th.bandStart, j1);
                IntVector b0 = IntVector.fromArray(I, th.bandWidth, j0);
                IntVector b1 = IntVector.fromArray(I, th.bandWidth, j1);
                long bits0 = (c00.sub(s0).compare(UGE, b0).toLong() | c01.sub(s1).compare(UGE, b1).toLong() << LANES) & keep;
                long bits1 = (c10.sub(s0).compare(UGE, b0).toLong() | c11.sub(s1).compare(UGE, b1).toLong() << LANES) & keep;
                long bits2 = (c20.sub(s0).compare(UGE, b0).toLong() | c21.sub(s1).compare(UGE, b1).toLong() << LANES) & keep;
                long bits3 = (c30.sub(s0).compare(UGE, b0).toLong() | c31.sub(s1).compare(UGE, b1).toLong() << LANES) & keep;
                int o = n * bitWords + word; // as putBits, written out (see oneWordColumn)
                if (shift == 0) { // the first panel of an output word sets it, the next ones add their bits
                    bitsOut[o] = bits0;
                    bitsOut[o + bitWords] = bits1;
                    bitsOut[o + 2 * bitWords] = bits2;
                    bitsOut[o + 3 * bitWords] = bits3;
                } else {
                    bitsOut[o] |= bits0 << shift;
                    bitsOut[o + bitWords] |= bits1 << shift;
                    bitsOut[o + 2 * bitWords] |= bits2 << shift;
                    bitsOut[o + 3 * bitWords] |= bits3 << shift;
                }
            } else {
                // dot = K - 2 * mismatches
                int d = (n - rowOrigin) * stride + (j0 - colOrigin) / LANES * vecStride;
                kv.sub(c00.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c01.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + vecStride, in1);
                d += stride;
                kv.sub(c10.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c11.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + vecStride, in1);
                d += stride;
                kv.sub(c20.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c21.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + vecStride, in1);
                d += stride;
                kv.sub(c30.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, in0);
                kv.sub(c31.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + vecStride, in1);
            }
        }
        for (; n < n1; n++) { // the last tokens, one at a time
            tailRow(c, n, p, dest, (n - rowOrigin) * stride + (j0 - colOrigin) / LANES * vecStride, vecStride);
        }
    }

    /**
     * Tokens n .. n + 3 against panels {@code [p0, p1)} into the int output, panel after panel, so
     * that each token's dots go out as one run: {@link #panelColumn}'s micro-kernel in the other
     * loop order (a method of its own, as vectors cannot cross a call).
     */
    private static void rowBlock(Call c, int n, int p0, int p1) {
        int[] h = c.halves;
        int[] panels = c.weights.panels();
        int words = c.weights.words();
        int m = c.m();
        int[] out = c.dots;
        IntVector kv = IntVector.broadcast(I, c.weights.bits());
        int r0 = 2 * (n - c.first) * words;
        int r1 = r0 + 2 * words;
        int r2 = r1 + 2 * words;
        int r3 = r2 + 2 * words;
        for (int p = p0; p < p1; p++) {
            int j0 = p * NR;
            // The first half-word starts the counts (not an addition to zero: at K = 256 bits that
            // is one vector operation in 26).
            int w = p * 2 * words * NR;
            IntVector w0f = IntVector.fromArray(I, panels, w);
            IntVector w1f = IntVector.fromArray(I, panels, w + LANES);
            int xf = h[r0];
            IntVector c00 = w0f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            IntVector c01 = w1f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            xf = h[r1];
            IntVector c10 = w0f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            IntVector c11 = w1f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            xf = h[r2];
            IntVector c20 = w0f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            IntVector c21 = w1f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            xf = h[r3];
            IntVector c30 = w0f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            IntVector c31 = w1f.lanewise(XOR, xf).lanewise(BIT_COUNT);
            w += NR;
            for (int kh = 1; kh < 2 * words; kh++, w += NR) {
                IntVector w0v = IntVector.fromArray(I, panels, w);
                IntVector w1v = IntVector.fromArray(I, panels, w + LANES);
                int x = h[r0 + kh];
                c00 = c00.add(w0v.lanewise(XOR, x).lanewise(BIT_COUNT));
                c01 = c01.add(w1v.lanewise(XOR, x).lanewise(BIT_COUNT));
                x = h[r1 + kh];
                c10 = c10.add(w0v.lanewise(XOR, x).lanewise(BIT_COUNT));
                c11 = c11.add(w1v.lanewise(XOR, x).lanewise(BIT_COUNT));
                x = h[r2 + kh];
                c20 = c20.add(w0v.lanewise(XOR, x).lanewise(BIT_COUNT));
                c21 = c21.add(w1v.lanewise(XOR, x).lanewise(BIT_COUNT));
                x = h[r3 + kh];
                c30 = c30.add(w0v.lanewise(XOR, x).lanewise(BIT_COUNT));
                c31 = c31.add(w1v.lanewise(XOR, x).lanewise(BIT_COUNT));
            }
            VectorMask<Integer> in0 = I.indexInRange(j0, m);
            VectorMask<Integer> in1 = I.indexInRange(j0 + LANES, m);
            int d = n * m + j0;
            kv.sub(c00.lanewise(VectorOperators.LSHL, 1)).intoArray(out, d, in0);
            kv.sub(c01.lanewise(VectorOperators.LSHL, 1)).intoArray(out, d + LANES, in1);
            d += m;
            kv.sub(c10.lanewise(VectorOperators.LSHL, 1)).intoArray(out, d, in0);
            kv.sub(c11.lanewise(VectorOperators.LSHL, 1)).intoArray(out, d + LANES, in1);
            d += m;
            kv.sub(c20.lanewise(VectorOperators.LSHL, 1)).intoArray(out, d, in0);
            kv.sub(c21.lanewise(VectorOperators.LSHL, 1)).intoArray(out, d + LANES, in1);
            d += m;
            kv.sub(c30.lanewise(VectorOperators.LSHL, 1)).intoArray(out, d, in0);
            kv.sub(c31.lanewise(VectorOperators.LSHL, 1)).intoArray(out, d + LANES, in1);
        }
    }

    /**
     * One token against panel p, for the tokens left over by {@link #panelColumn}'s blocks of four.
     * A method of its own: in one method with the four-token block, C1 runs out of registers and
     * the method never reaches C2.
     */
    private static void tailRow(Call c, int n, int p, int[] dest, int d, int vecStride) {
        int[] h = c.halves;
        int[] panels = c.weights.panels();
        int words = c.weights.words();
        int w0 = p * 2 * words * NR;
        int j0 = p * NR;
        int j1 = j0 + LANES;
        SignThresholds th = c.thresholds;
        int r0 = 2 * (n - c.first) * words;
        IntVector c00 = IntVector.zero(I);
        IntVector c01 = c00;
        for (int kw = 0, w = w0; kw < 2 * words; kw += 2, w += 2 * NR) {
            int lo = h[r0 + kw];
            int hi = h[r0 + kw + 1];
            c00 = c00.add(IntVector.fromArray(I, panels, w).lanewise(XOR, lo).lanewise(BIT_COUNT))
                    .add(IntVector.fromArray(I, panels, w + NR).lanewise(XOR, hi).lanewise(BIT_COUNT));
            c01 = c01.add(IntVector.fromArray(I, panels, w + LANES).lanewise(XOR, lo).lanewise(BIT_COUNT))
                    .add(IntVector.fromArray(I, panels, w + NR + LANES).lanewise(XOR, hi).lanewise(BIT_COUNT));
        }
        if (th != null) {
            putBits(c, n, j0, c00.sub(IntVector.fromArray(I, th.bandStart, j0))
                    .compare(UGE, IntVector.fromArray(I, th.bandWidth, j0)).toLong()
                    | c01.sub(IntVector.fromArray(I, th.bandStart, j1))
                    .compare(UGE, IntVector.fromArray(I, th.bandWidth, j1)).toLong() << LANES);
        } else {
            IntVector kv = IntVector.broadcast(I, c.weights.bits());
            kv.sub(c00.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d, I.indexInRange(j0, c.m()));
            kv.sub(c01.lanewise(VectorOperators.LSHL, 1)).intoArray(dest, d + vecStride, I.indexInRange(j1, c.m()));
        }
    }

    /**
     * The residual rows of tokens {@code [g0, g1)} split by the call's {@link ResidualPlan} into the
     * rows of {@link Call#rearranged}, a block of vectors at a time in registers.
     */
    private static void rearrangeResidual(Call c, int g0, int g1) {
        ResidualPlan plan = c.plan;
        int r = c.e.residualChannels();
        c.ensureRearranged((g1 - g0) * plan.rowFloats);
        for (int row = g0; row < g1; row++) {
            int d = (row - g0) * plan.rowFloats;
            for (int b = 0, a = row * r; b < plan.blocks; b++, a += plan.block * LANES, d += LANES) {
                switch (plan.block) {
                    case 2 -> split2(c.residual, a, c.rearranged, d, plan.streamFloats, plan.again);
                    case 4 -> split4(c.residual, a, c.rearranged, d, plan.streamFloats, plan.again);
                    default -> split8(c.residual, a, c.rearranged, d, plan.streamFloats, plan.again);
                }
            }
        }
    }

    // The splits of a block of 2, 4 or 8 vectors in registers, for rearrangeResidual: the outputs in
    // the plan's stream order (each level sends a stream's even lanes first), stream k at d + k * stride;
    // with again, each output is split once more with itself, into streams 2k and 2k + 1.

    private static void split2(float[] src, int a, float[] dst, int d, int stride, boolean again) {
        FloatVector v0 = FloatVector.fromArray(F, src, a);
        FloatVector v1 = FloatVector.fromArray(F, src, a + LANES);
        put(VectorPooling.even(v0, v1), dst, d, stride, 0, again);
        put(VectorPooling.odd(v0, v1), dst, d, stride, 1, again);
    }

    private static void split4(float[] src, int a, float[] dst, int d, int stride, boolean again) {
        FloatVector v0 = FloatVector.fromArray(F, src, a);
        FloatVector v1 = FloatVector.fromArray(F, src, a + LANES);
        FloatVector v2 = FloatVector.fromArray(F, src, a + 2 * LANES);
        FloatVector v3 = FloatVector.fromArray(F, src, a + 3 * LANES);
        FloatVector e0 = VectorPooling.even(v0, v1);
        FloatVector e1 = VectorPooling.even(v2, v3);
        FloatVector o0 = VectorPooling.odd(v0, v1);
        FloatVector o1 = VectorPooling.odd(v2, v3);
        put(VectorPooling.even(e0, e1), dst, d, stride, 0, again);
        put(VectorPooling.odd(e0, e1), dst, d, stride, 1, again);
        put(VectorPooling.even(o0, o1), dst, d, stride, 2, again);
        put(VectorPooling.odd(o0, o1), dst, d, stride, 3, again);
    }

    private static void split8(float[] src, int a, float[] dst, int d, int stride, boolean again) {
        FloatVector v0 = FloatVector.fromArray(F, src, a);
        FloatVector v1 = FloatVector.fromArray(F, src, a + LANES);
        FloatVector v2 = FloatVector.fromArray(F, src, a + 2 * LANES);
        FloatVector v3 = FloatVector.fromArray(F, src, a + 3 * LANES);
        FloatVector v4 = FloatVector.fromArray(F, src, a + 4 * LANES);
        FloatVector v5 = FloatVector.fromArray(F, src, a + 5 * LANES);
        FloatVector v6 = FloatVector.fromArray(F, src, a + 6 * LANES);
        FloatVector v7 = FloatVector.fromArray(F, src, a + 7 * LANES);
        FloatVector e0 = VectorPooling.even(v0, v1);
        FloatVector e1 = VectorPooling.even(v2, v3);
        FloatVector e2 = VectorPooling.even(v4, v5);
        FloatVector e3 = VectorPooling.even(v6, v7);
        FloatVector o0 = VectorPooling.odd(v0, v1);
        FloatVector o1 = VectorPooling.odd(v2, v3);
        FloatVector o2 = VectorPooling.odd(v4, v5);
        FloatVector o3 = VectorPooling.odd(v6, v7);
        FloatVector ee0 = VectorPooling.even(e0, e1);
        FloatVector ee1 = VectorPooling.even(e2, e3);
        FloatVector eo0 = VectorPooling.odd(e0, e1);
        FloatVector eo1 = VectorPooling.odd(e2, e3);
        FloatVector oe0 = VectorPooling.even(o0, o1);
        FloatVector oe1 = VectorPooling.even(o2, o3);
        FloatVector oo0 = VectorPooling.odd(o0, o1);
        FloatVector oo1 = VectorPooling.odd(o2, o3);
        put(VectorPooling.even(ee0, ee1), dst, d, stride, 0, again);
        put(VectorPooling.odd(ee0, ee1), dst, d, stride, 1, again);
        put(VectorPooling.even(eo0, eo1), dst, d, stride, 2, again);
        put(VectorPooling.odd(eo0, eo1), dst, d, stride, 3, again);
        put(VectorPooling.even(oe0, oe1), dst, d, stride, 4, again);
        put(VectorPooling.odd(oe0, oe1), dst, d, stride, 5, again);
        put(VectorPooling.even(oo0, oo1), dst, d, stride, 6, again);
        put(VectorPooling.odd(oo0, oo1), dst, d, stride, 7, again);
    }

    /** Stream k of a block's split, or with again its two halves, streams 2k and 2k + 1. */
    private static void put(FloatVector v, float[] dst, int d, int stride, int k, boolean again) {
        if (again) {
            VectorPooling.even(v, v).intoArray(dst, d + 2 * k * stride);
            VectorPooling.odd(v, v).intoArray(dst, d + (2 * k + 1) * stride);
        } else {
            v.intoArray(dst, d + k * stride);
        }
    }

    /** Writes the NR sign bits of token row, channels j0.., clearing those past M. */
    private static void putBits(Call c, int row, int j0, long bits) {
        if (j0 + NR > c.m()) {
            bits &= (1L << (c.m() - j0)) - 1;
        }
        int word = row * c.bitWords() + (j0 >>> 6);
        int shift = j0 & 63;
        c.bits[word] = shift == 0 ? bits : c.bits[word] | bits << shift;
    }

    /** {@code pooled[row]}: the row {@code values[v .. v + M)} average-pooled in groups of {@code pool}, as {@link Pooling#channelPool}. */
    private static void poolRow(Call c, int row, int v) {
        int outChannels = c.m() / c.pool;
        if (c.e.interleavedGroups() == 1) {
            VectorPooling.poolGroups(c.values, v, c.floats, row * outChannels, outChannels, c.pool);
            return;
        }
        // Interleaved outputs whose groups are not whole vectors: output q + i * outChannels is the
        // group's i-th channel, summed in channel order as the reference does.
        for (int q = 0; q < outChannels; q++) {
            float sum = c.values[v + q];
            for (int i = 1; i < c.pool; i++) {
                sum += c.values[v + i * outChannels + q];
            }
            c.floats[row * outChannels + q] = sum / c.pool;
        }
    }

    /** One call's operands and the calling thread's tile, reused across calls so a call allocates nothing. */
    static final class Call {
        int form;
        long[] a;
        PackedWeights weights;
        Epilogue e;
        float[] residual;
        float[] residual2;
        float[] normOut;
        int[] tiledIndex;
        /** How an interleaved epilogue reads its residual, or null; when set, tiledIndex is not used. */
        ResidualPlan plan;
        /** The rows of the current group of tokens rearranged by {@link #plan}. */
        float[] rearranged = new float[0];
        SignThresholds thresholds;
        int[] dots;
        float[] floats;
        long[] bits;
        int[] tile = new int[0];
        float[] values = new float[0];
        /** The activation words of tokens {@code [first, ...)} as 32-bit halves, low half first. */
        int[] halves = new int[0];
        int first;
        int pool;

        Call set(int form, long[] a, PackedWeights w, Epilogue e, float[] residual, int[] dots, float[] floats,
                 long[] bits) {
            this.form = form;
            this.a = a;
            this.weights = w;
            this.e = e;
            this.residual = residual;
            this.plan = residual == null ? null : e.residualPlan(LANES);
            this.tiledIndex = residual == null || plan != null ? null : e.tiledIndex(LANES);
            this.residual2 = null;
            this.normOut = null;
            this.thresholds = null;
            this.dots = dots;
            this.floats = floats;
            this.bits = bits;
            return this;
        }

        /** M: the weights' rows, the call's output channels. */
        int m() {
            return weights.rows();
        }

        /**
         * Whether the pooled form adds each group up in the pooled output itself: when the outputs
         * are interleaved ({@link Epilogue#withInterleavedChannels}) in groups of whole vectors, a
         * vector of outputs holds one channel of {@code LANES} pool groups, which the epilogue adds
         * to their running sums as it goes through the outputs in order.
         */
        boolean poolsInPlace() {
            return form == SIGNS_POOL && e.interleavedGroups() > 1 && (m() / pool) % LANES == 0;
        }

        /** Sign words per token of the output: words(M). */
        int bitWords() {
            return BitPacking.words(m());
        }

        /** K's words when the float epilogue makes the dots itself, from the halves; 0 when they go through the tile. */
        int fusedWords() {
            int words = weights.words();
            return words <= FUSED_WORDS && m() % LANES == 0 ? words : 0;
        }

        /** Splits the activation words of tokens {@code [from, to)} into {@link #halves}. */
        void splitHalves(int from, int to) {
            int words = weights.words();
            int size = 2 * (to - from) * words;
            if (halves.length < size) {
                halves = new int[size];
            }
            first = from;
            for (int i = 0, x = from * words; i < size; i += 2, x++) {
                halves[i] = (int) a[x];
                halves[i + 1] = (int) (a[x] >>> 32);
            }
        }

        void ensureTile(int size) {
            if (tile.length < size) {
                tile = new int[size];
            }
        }

        void ensureRearranged(int size) {
            if (rearranged.length < size) {
                rearranged = new float[size];
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
            weights = null;
            e = null;
            residual = null;
            residual2 = null;
            normOut = null;
            tiledIndex = null;
            plan = null;
            thresholds = null;
            dots = null;
            floats = null;
            bits = null;
        }
    }
}
