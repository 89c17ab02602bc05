package dev.binaryvit.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Binarized attention on the Vector API, using that a score takes only {@code d + 1} values: it
 * depends on the key only through {@code pop = popcount(q XOR k)}. Per query and head (query-heads
 * go in blocks of {@link #BLOCK}, each step below over the whole block before the next):
 * <ol>
 *   <li>the popcounts of {@code LANES} keys at a time (a broadcast query word XOR a vector of the
 *       same word of {@code LANES} keys, reordered once per call to lie side by side), and their
 *       smallest and largest value; the largest score belongs to the smallest popcount;
 *   <li>{@code e(pop) = (float) Math.exp(s(pop) - s(minPop))} from a per-thread table, a row per
 *       minPop, allocated and filled lazily and kept while d stays the same (at most
 *       {@code (d+1)^2 / 2} exponentials per thread, none in the steady state): the very float operations of the reference, so each
 *       key's {@code e} equals the reference's bit for bit;
 *   <li>the denominator: the same table in fixed point, {@code round(e(pop) * 2^S)} with
 *       {@code S = 48} (less for more than 16383 keys so the sum fits a long), looked up per key
 *       (by lane selections from four vectors of the table when the popcounts span no more, else
 *       a load per key) and added in long: an exact integer sum, so it does not depend on the key
 *       order, the vector width or the thread count; {@code total = (float) (sum * 2^-S)}. (This is
 *       {@code sum over pop of count[pop] * e(pop)}, the popcount histogram form, without building
 *       the histogram: its scalar increments cost more than the lookups.)
 *   <li>the keep test of the reference, {@code (e(pop) / total) / clip > 0.5f}, level by level from
 *       the smallest pop: it is monotone in pop ({@code Math.exp} is semi-monotonic), so the kept
 *       keys are exactly those with {@code pop <= T} for the last level T that passes;
 *   <li>the key mask from one vector compare {@code pop <= T} per {@code LANES} keys;
 *   <li>the context across channels: a broadcast mask word AND a vector of the same word of
 *       {@code LANES} channels' value bits (reordered once per call), popcount, accumulate, then
 *       {@code clip * (2 * andCount - kept)}.
 * </ol>
 *
 * <p><b>Where it may differ from the reference.</b> Every key's {@code e} is the reference's; only
 * the denominator is added differently: the reference in double in key order (within
 * {@code nkv * 2^-53} relative of the exact sum of the float terms), this path exactly in fixed
 * point (each term within {@code 2^-(S+1)} of its float, so within {@code nkv * 2^-49} relative for
 * S = 48: about 1e-15 per key; the sum is at least 1, the top key's term). So the two float totals
 * are equal, or adjacent floats when the exact sum lies that close to a float rounding boundary.
 * Only then can {@code p / clip} land on different sides of 0.5, and only for a level whose exact
 * {@code p / clip} is within a few float ulps (under 1e-6 relative) of 0.5: there, and only there,
 * this path may keep a key that the reference drops or the converse. The properties count such
 * borderline cases and allow a difference nowhere else.
 */
final class VectorAttention implements AttentionSupport {

    private static final VectorSpecies<Long> L = VectorShapes.LONGS;
    private static final VectorSpecies<Float> F = VectorShapes.FLOATS_PER_LONG;
    private static final VectorSpecies<Integer> I = VectorShapes.INTS_PER_LONG;
    private static final int LANES = L.length();
    /**
     * Query-heads per block. Each step runs over the whole block before the next step starts: the
     * steps of one query-head wait on each other (popcounts, their smallest, the denominator, two
     * divisions, the mask), those of different query-heads do not, so the core overlaps them.
     */
    private static final int BLOCK = 8;
    /** Table entries that {@code denominatorByPermutes} holds in registers: four vectors. */
    private static final int TABLE_LANES = 4 * LANES;
    private static final VectorSpecies<Float> FULL = VectorShapes.FLOATS;
    private static final int FLANES = FULL.length();
    private static final long FULL_MASK = FLANES == 64 ? -1L : (1L << FLANES) - 1;
    /** {@code FIRST_KEYS[r]}: the first r lanes. Masks are objects, so they are made once, not per call. */
    private static final VectorMask<Long>[] FIRST_KEYS = firstLanes(L);
    /** {@code FIRST_CHANNELS[r]}: the first r lanes. */
    private static final VectorMask<Float>[] FIRST_CHANNELS = firstLanes(F);

    @SuppressWarnings("unchecked")
    private static <E> VectorMask<E>[] firstLanes(VectorSpecies<E> species) {
        VectorMask<E>[] masks = new VectorMask[species.length()];
        for (int r = 0; r < masks.length; r++) {
            masks[r] = species.indexInRange(0, r);
        }
        return masks;
    }

    /** Per-thread scratch, reused across calls so that no call allocates per query. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public Parallel.Job prepare(Shape s, long[] q, long[] k, long[] vT, float clip, float[] out) {
        Scratch caller = SCRATCH.get();
        long[] keys = caller.keysByHead(s, k);
        long[] values = caller.valuesByWord(s, vT);
        return caller.job.set(s, q, keys, values, clip, out);
    }

    /** A parallel call's inputs, reordered by the caller; each thread runs its rows with its own scratch. */
    private static final class Job extends Parallel.Job {
        private Shape s;
        private long[] q, keys, values;
        private float clip;
        private float[] out;

        Job set(Shape s, long[] q, long[] keys, long[] values, float clip, float[] out) {
            this.s = s;
            this.q = q;
            this.keys = keys;
            this.values = values;
            this.clip = clip;
            this.out = out;
            return this;
        }

        @Override
        public void run(int from, int to) {
            SCRATCH.get().rows.set(s, q, keys, values, clip, out).run(from, to);
        }

        @Override
        protected void clear() {
            set(null, null, null, null, 0f, null);
        }
    }

    @Override
    public void context(Shape s, long[] q, long[] k, long[] vT, float clip, float[] out) {
        Scratch scratch = SCRATCH.get();
        long[] keys = scratch.keysByHead(s, k);
        long[] values = scratch.valuesByWord(s, vT);
        scratch.rows.set(s, q, keys, values, clip, out).run(0, s.batch() * s.n());
    }

    /** Stride of a reordered key row: the keys rounded up to whole vectors. */
    private static int keyStride(int nkv) {
        return (nkv + LANES - 1) / LANES * LANES;
    }

    /** Stride of a reordered value row: the channels plus one vector, so a head's last vector can load. */
    private static int channelStride(int channels) {
        return channels + LANES;
    }

    /**
     * Fixed-point bits of the denominator's terms: 48, fewer when {@code nkv * 2^S} would not stay
     * below 2^62.
     */
    private static int scaleBits(int nkv) {
        return Math.min(48, 62 - (32 - Integer.numberOfLeadingZeros(nkv)));
    }

    /** The rows of one call on one thread; one per thread, set anew for each call. */
    private static final class Rows {
        int n;
        int channels;
        long[] q;
        long[] keys;
        long[] values;
        float clip;
        float[] out;
        int d;
        int nkv;
        int heads;
        int headWords;
        int keyWords;
        int keyStride;
        /** Keys in whole vectors; the rest, if any, are the last, partial vector. */
        int fullKeys;
        int channelStride;
        double inverseScale;
        /** The popcounts of the block's query-heads, {@code keyStride} ints each (int: cheap to index with). */
        int[] pops;
        /** Per query-head of the block: the smallest and largest popcount, and the last kept level. */
        int[] mins;
        int[] maxs;
        int[] thresholds;
        long[] mask;
        Scratch table;
        /** Lanes of the last, partial vector of keys that hold keys; null when nkv is a multiple of LANES. */
        VectorMask<Long> lastKeys;
        /** Lanes of a head's last, partial vector of channels; null when d is a multiple of LANES. */
        VectorMask<Float> lastChannels;

        private final Scratch scratch;

        Rows(Scratch scratch) {
            this.scratch = scratch;
        }

        Rows set(Shape s, long[] q, long[] keys, long[] values, float clip, float[] out) {
            this.n = s.n(); // the ints, not the shape: a call's Shape then never escapes
            this.channels = s.channels();
            this.q = q;
            this.keys = keys;
            this.values = values;
            this.clip = clip;
            this.out = out;
            this.d = s.d();
            this.nkv = s.nkv();
            this.heads = s.heads();
            this.headWords = s.headWords();
            this.keyWords = s.keyWords();
            this.keyStride = keyStride(nkv);
            this.fullKeys = nkv / LANES * LANES;
            this.channelStride = channelStride(s.channels());
            int scale = scaleBits(nkv);
            this.inverseScale = Math.scalb(1.0, -scale);
            scratch.ensure(d, scale, keyStride, keyWords);
            this.pops = scratch.pops;
            this.mins = scratch.mins;
            this.maxs = scratch.maxs;
            this.thresholds = scratch.thresholds;
            this.mask = scratch.mask;
            this.table = scratch;
            this.lastKeys = fullKeys == nkv ? null : FIRST_KEYS[nkv - fullKeys];
            this.lastChannels = d % LANES == 0 ? null : FIRST_CHANNELS[d % LANES];
            return this;
        }

        /** Query-heads {@code row * heads + h} for rows [from, to) of the flattened [batch][n], in blocks. */
        void run(int from, int to) {
            int last = to * heads;
            for (int q0 = from * heads; q0 < last; q0 += BLOCK) {
                int q1 = Math.min(last, q0 + BLOCK);
                for (int qh = q0; qh < q1; qh++) {
                    int row = qh / heads;
                    int h = qh - row * heads;
                    int slot = qh - q0;
                    popcounts(qh * headWords, (row / n * heads + h) * headWords * keyStride, slot);
                }
                for (int slot = 0; slot < q1 - q0; slot++) {
                    int min = mins[slot];
                    int max = maxs[slot];
                    table.fill(min, max);
                    long[] fixed = table.fixed[min];
                    long sum = max - min < TABLE_LANES
                            ? denominatorByPermutes(fixed, min, slot * keyStride)
                            : denominator(fixed, slot * keyStride);
                    float total = (float) ((double) sum * inverseScale);
                    thresholds[slot] = lastKeptLevel(table.e[min], min, max, total);
                }
                for (int qh = q0; qh < q1; qh++) {
                    int row = qh / heads;
                    int h = qh - row * heads;
                    int slot = qh - q0;
                    int outBase = row * channels + h * d;
                    if (thresholds[slot] < mins[slot]) {
                        Arrays.fill(out, outBase, outBase + d, clip * 0f);
                    } else {
                        int kept = keyMask(thresholds[slot], slot * keyStride);
                        context(row / n * keyWords * channelStride + h * d, kept, outBase);
                    }
                }
            }
        }

        /** The denominator in fixed point: {@code fixed[pops[at + j]]} added over the keys. */
        private long denominator(long[] fixed, int at) {
            // Exact integer adds, so four independent chains give the same sum as one.
            long sum0 = 0;
            long sum1 = 0;
            long sum2 = 0;
            long sum3 = 0;
            int j = 0;
            for (; j + 4 <= nkv; j += 4) {
                sum0 += fixed[pops[at + j]];
                sum1 += fixed[pops[at + j + 1]];
                sum2 += fixed[pops[at + j + 2]];
                sum3 += fixed[pops[at + j + 3]];
            }
            for (; j < nkv; j++) {
                sum0 += fixed[pops[at + j]];
            }
            return sum0 + sum1 + sum2 + sum3;
        }

        /**
         * {@link #denominator} when every popcount lies in {@code [min, min + TABLE_LANES)}: the table
         * entries there sit in four vectors, and each vector of popcounts looks its entries up with
         * two two-vector lane selections instead of a load per key (the same integers, so the same sum).
         */
        private long denominatorByPermutes(long[] fixed, int min, int at) {
            LongVector t0 = LongVector.fromArray(L, fixed, min);
            LongVector t1 = LongVector.fromArray(L, fixed, min + LANES);
            LongVector t2 = LongVector.fromArray(L, fixed, min + 2 * LANES);
            LongVector t3 = LongVector.fromArray(L, fixed, min + 3 * LANES);
            LongVector sum = LongVector.zero(L);
            int j = 0;
            for (; j < fullKeys; j += LANES) {
                LongVector index = ((LongVector) IntVector.fromArray(I, pops, at + j).convertShape(VectorOperators.I2L, L, 0)).sub(min);
                sum = sum.add(index.selectFrom(t0, t1).blend(index.selectFrom(t2, t3), index.compare(VectorOperators.GE, 2 * LANES)));
            }
            if (j < nkv) { // padding keys' popcounts are out of range: their lanes are not added
                LongVector index = ((LongVector) IntVector.fromArray(I, pops, at + j).convertShape(VectorOperators.I2L, L, 0)).sub(min);
                sum = sum.add(index.selectFrom(t0, t1).blend(index.selectFrom(t2, t3), index.compare(VectorOperators.GE, 2 * LANES)),
                        lastKeys);
            }
            return sum.reduceLanes(VectorOperators.ADD);
        }

        /**
         * The largest popcount level p in [min, max] whose keys are kept, {@code (e[p] / total) / clip > 0.5f}
         * exactly as the reference tests it, or min - 1. The test is monotone in p (e[p] does not grow
         * with p), so the levels are tested a vector at a time and counted, without a chain of
         * dependent divisions; levels past max (the table rows are padded for the vector) are not
         * counted, so there is no scalar tail and its branch to mispredict.
         */
        private int lastKeptLevel(float[] e, int min, int max, float total) {
            for (int p = min; ; p += FLANES) {
                FloatVector prob = FloatVector.fromArray(FULL, e, p).div(total);
                long pass = prob.div(clip).compare(VectorOperators.GT, 0.5f).toLong();
                long levels = max - p + 1 >= FLANES ? FULL_MASK : (1L << (max - p + 1)) - 1;
                if ((pass & levels) != levels) { // the first failing level ends the kept ones
                    return p + Long.numberOfTrailingZeros(~pass) - 1;
                }
                if (p + FLANES > max) {
                    return max;
                }
            }
        }

        /**
         * {@code pops[slot * keyStride + j] = popcount(q XOR k_j)} for every key j of one head, LANES
         * keys at a time, padding keys set to {@code Integer.MAX_VALUE} (never kept), and the smallest
         * and largest into {@code mins[slot]} and {@code maxs[slot]}.
         */
        private void popcounts(int qBase, int kBase, int slot) {
            int at = slot * keyStride;
            LongVector lo = LongVector.broadcast(L, Long.MAX_VALUE);
            LongVector hi = LongVector.zero(L);
            int j = 0;
            for (; j < fullKeys; j += LANES) {
                LongVector pop = popcount(qBase, kBase, j);
                ((IntVector) pop.convertShape(VectorOperators.L2I, I, 0)).intoArray(pops, at + j);
                lo = lo.min(pop);
                hi = hi.max(pop);
            }
            if (j < nkv) {
                LongVector pop = LongVector.broadcast(L, Integer.MAX_VALUE).blend(popcount(qBase, kBase, j), lastKeys);
                ((IntVector) pop.convertShape(VectorOperators.L2I, I, 0)).intoArray(pops, at + j);
                lo = lo.min(pop);
                hi = hi.lanewise(VectorOperators.MAX, pop, lastKeys);
            }
            mins[slot] = (int) lo.reduceLanes(VectorOperators.MIN);
            maxs[slot] = (int) hi.reduceLanes(VectorOperators.MAX);
        }

        /** The popcounts of keys j .. j + LANES - 1. */
        private LongVector popcount(int qBase, int kBase, int j) {
            LongVector pop = LongVector.fromArray(L, keys, kBase + j)
                    .lanewise(VectorOperators.XOR, q[qBase] & BitPacking.validBits(d, 0))
                    .lanewise(VectorOperators.BIT_COUNT);
            for (int w = 1; w < headWords; w++) {
                pop = pop.add(LongVector.fromArray(L, keys, kBase + w * keyStride + j)
                        .lanewise(VectorOperators.XOR, q[qBase + w] & BitPacking.validBits(d, w))
                        .lanewise(VectorOperators.BIT_COUNT));
            }
            return pop;
        }

        /** {@code mask[w]}: bit j set iff key j is kept, i.e. {@code pops[at + j] <= threshold}; returns the count. */
        private int keyMask(int threshold, int at) {
            int kept = 0;
            for (int w = 0; w < keyWords; w++) {
                long bits = 0L;
                int end = Math.min(keyStride, w * 64 + 64);
                for (int j = w * 64; j < end; j += LANES) {
                    bits |= IntVector.fromArray(I, pops, at + j).compare(VectorOperators.LE, threshold).toLong()
                            << (j - w * 64);
                }
                mask[w] = bits;
                kept += Long.bitCount(bits);
            }
            return kept;
        }

        /** The context of one head: LANES channels at a time, {@code clip * (2 * popcount(mask AND v) - kept)}. */
        private void context(int vBase, int kept, int outBase) {
            LongVector keptCount = LongVector.broadcast(L, kept);
            long first = mask[0];
            for (int c = 0; c < d; c += LANES) {
                // The first word outside the loop: most calls have one word of keys (nkv <= 64), and
                // a loop of one step cost a quarter of this method's time in loop set-up.
                LongVector acc = LongVector.fromArray(L, values, vBase + c)
                        .lanewise(VectorOperators.AND, first)
                        .lanewise(VectorOperators.BIT_COUNT);
                for (int w = 1; w < keyWords; w++) {
                    acc = acc.add(LongVector.fromArray(L, values, vBase + w * channelStride + c)
                            .lanewise(VectorOperators.AND, mask[w])
                            .lanewise(VectorOperators.BIT_COUNT));
                }
                LongVector signed = acc.lanewise(VectorOperators.LSHL, 1).sub(keptCount);
                FloatVector ctx = ((FloatVector) signed.convertShape(VectorOperators.L2F, F, 0)).mul(clip);
                if (c + LANES <= d) {
                    ctx.intoArray(out, outBase + c);
                } else {
                    ctx.intoArray(out, outBase + c, lastChannels);
                }
            }
        }
    }

    /** Arrays one thread reuses from call to call, and its table of {@code e(pop)}. */
    private static final class Scratch {
        int[] pops = new int[0];
        final int[] mins = new int[BLOCK];
        final int[] maxs = new int[BLOCK];
        final int[] thresholds = new int[BLOCK];
        long[] mask = new long[0];
        /**
         * {@code e[min][pop]}: {@code e(pop)} for head size {@link #tableD} when the smallest popcount
         * is min; a row is allocated when first needed (a few rows occur, out of d + 1).
         */
        float[][] e = new float[0][];
        /** {@code round(e * 2^tableScale)}, the same layout. */
        long[][] fixed = new long[0][];
        /** Per row min: the largest pop whose entry is filled, or -1. */
        int[] filled = new int[0];
        int tableD = -1;
        int tableScale = -1;
        long[] keys = new long[0];
        long[] values = new long[0];
        final Rows rows = new Rows(this);
        /** The job of this thread's parallel calls: reused, so that such a call allocates nothing. */
        final Job job = new Job();

        void ensure(int d, int scale, int keyStride, int keyWords) {
            if (pops.length < BLOCK * keyStride) {
                pops = new int[BLOCK * keyStride];
            }
            if (mask.length < keyWords) {
                mask = new long[keyWords];
            }
            if (tableD != d || tableScale != scale) {
                e = new float[d + 1][];
                fixed = new long[d + 1][];
                filled = new int[d + 1];
                Arrays.fill(filled, -1);
                tableD = d;
                tableScale = scale;
            }
        }

        /** Fills the row of {@code e(pop)} for this smallest popcount at least up to {@code max}. */
        void fill(int min, int max) {
            int d = tableD;
            if (filled[min] < max) {
                if (e[min] == null) {
                    e[min] = new float[d + 1 + FLANES]; // room for a vector of levels from any p <= d
                    fixed[min] = new long[d + 1 + TABLE_LANES]; // room for four vectors from any min
                }
                float[] row = e[min];
                long[] fixedRow = fixed[min];
                float sqrtD = (float) Math.sqrt(d);
                float top = (d - 2 * min) / sqrtD; // the largest score: the reference's max
                for (int p = Math.max(min, filled[min] + 1); p <= max; p++) {
                    int dot = d - 2 * p;
                    float score = dot / sqrtD;
                    float value = (float) Math.exp(score - top);
                    row[p] = value;
                    fixedRow[p] = Math.round(Math.scalb((double) value, tableScale));
                }
                filled[min] = max;
            }
        }

        /**
         * Keys reordered so that one word of {@code LANES} consecutive keys of one head is one
         * vector: {@code [batch][heads][words(d)][keyStride]}, padding bits and padding keys 0.
         */
        long[] keysByHead(Shape s, long[] k) {
            int nkv = s.nkv();
            int heads = s.heads();
            int words = s.headWords();
            int stride = keyStride(nkv);
            int size = Check.size("reordered keys", (long) s.batch() * heads * words * stride);
            if (keys.length < size) {
                keys = new long[size];
            }
            for (int b = 0; b < s.batch(); b++) {
                for (int h = 0; h < heads; h++) {
                    for (int w = 0; w < words; w++) {
                        long valid = BitPacking.validBits(s.d(), w);
                        int to = ((b * heads + h) * words + w) * stride;
                        for (int j = 0; j < nkv; j++) {
                            keys[to + j] = k[((b * nkv + j) * heads + h) * words + w] & valid;
                        }
                        Arrays.fill(keys, to + nkv, to + stride, 0L);
                    }
                }
            }
            return keys;
        }

        /**
         * Value bits reordered so that one word of {@code LANES} consecutive channels is one vector:
         * {@code [batch][words(nkv)][channelStride]}, padding channels 0.
         */
        long[] valuesByWord(Shape s, long[] vT) {
            int channels = s.channels();
            int words = s.keyWords();
            int stride = channelStride(channels);
            int size = Check.size("reordered values", (long) s.batch() * words * stride);
            if (values.length < size) {
                values = new long[size];
            }
            for (int b = 0; b < s.batch(); b++) {
                for (int w = 0; w < words; w++) {
                    int to = (b * words + w) * stride;
                    for (int c = 0; c < channels; c++) {
                        values[to + c] = vT[(b * channels + c) * words + w];
                    }
                    Arrays.fill(values, to + channels, to + stride, 0L);
                }
            }
            return values;
        }
    }
}
