package dev.binaryvit.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Binarized attention on the Vector API, using that a score takes only {@code d + 1} values: it
 * depends on the key only through {@code pop = popcount(q XOR k)}. Per query and head:
 * <ol>
 *   <li>the popcounts of {@code LANES} keys at a time (a broadcast query word XOR a vector of the
 *       same word of {@code LANES} keys, reordered once per call to lie side by side);
 *   <li>their histogram {@code count[pop]}; the largest score belongs to the smallest popcount;
 *   <li>{@code e(pop) = (float) Math.exp(s(pop) - s(minPop))} from a per-thread table, filled
 *       lazily and reused while d stays the same: the very float operations of the reference, so
 *       each key's {@code e} equals the reference's bit for bit;
 *   <li>the denominator {@code total = (float) sum over pop of count[pop] * (double) e(pop)}, in
 *       double in increasing pop order;
 *   <li>the keep test of the reference, {@code (e(pop) / total) / clip > 0.5f}, level by level from
 *       the smallest pop: it is monotone in pop ({@code Math.exp} is semi-monotonic), so the kept
 *       keys are exactly those with {@code pop <= T};
 *   <li>the key mask from one vector compare {@code pop <= T} per {@code LANES} keys;
 *   <li>the context across channels: a broadcast mask word AND a vector of the same word of
 *       {@code LANES} channels' value bits (reordered once per call), popcount, accumulate, then
 *       {@code clip * (2 * andCount - kept)}.
 * </ol>
 *
 * <p><b>Where it may differ from the reference.</b> Every key's {@code e} is the reference's, and
 * both denominators are the same positive terms added in double and rounded once to float: the
 * reference in key order, this path grouped by popcount. The two doubles differ by far less than
 * a float ulp, so the two float totals are equal, or adjacent floats when the exact sum lies
 * next to a float rounding boundary. Only then can {@code p / clip} land on different sides of
 * 0.5, and only for a level whose exact {@code p / clip} is within a few float ulps (under 1e-6
 * relative) of 0.5: there, and only there, this path may keep a key that the reference drops or
 * the converse; the properties count such borderline cases. The denominator, and so every result,
 * does not depend on the key order, the vector width or the number of threads.
 */
final class VectorAttention implements AttentionSupport {

    private static final VectorSpecies<Long> L = VectorShapes.LONGS;
    private static final VectorSpecies<Float> F = VectorShapes.FLOATS_PER_LONG;
    private static final int LANES = L.length();

    /** Per-thread scratch, reused across calls so that no call allocates per query. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public Parallel.RangeBody prepare(Shape s, long[] q, long[] k, long[] vT, float clip, float[] out) {
        Scratch caller = SCRATCH.get();
        long[] keys = caller.keysByHead(s, k);
        long[] values = caller.valuesByWord(s, vT);
        return (from, to) -> new Rows(s, q, keys, values, clip, out, SCRATCH.get()).run(from, to);
    }

    /** Stride of a reordered key row: the keys rounded up to whole vectors. */
    private static int keyStride(int nkv) {
        return (nkv + LANES - 1) / LANES * LANES;
    }

    /** Stride of a reordered value row: the channels plus one vector, so a head's last vector can load. */
    private static int channelStride(int channels) {
        return channels + LANES;
    }

    /** The rows of one call on one thread. */
    private static final class Rows {
        final Shape s;
        final long[] q;
        final long[] keys;
        final long[] values;
        final float clip;
        final float[] out;
        final int d;
        final int headWords;
        final int keyWords;
        final int keyStride;
        final int channelStride;
        final long[] pops;
        final int[] count;
        final long[] mask;
        final float[] table;
        final int[] filled;
        /** Lanes of a head's last, partial vector of channels; null when d is a multiple of LANES. */
        final VectorMask<Float> lastChannels;

        Rows(Shape s, long[] q, long[] keys, long[] values, float clip, float[] out, Scratch scratch) {
            this.s = s;
            this.q = q;
            this.keys = keys;
            this.values = values;
            this.clip = clip;
            this.out = out;
            this.d = s.d();
            this.headWords = s.headWords();
            this.keyWords = s.keyWords();
            this.keyStride = keyStride(s.nkv());
            this.channelStride = channelStride(s.channels());
            scratch.ensure(d, keyStride, keyWords);
            this.pops = scratch.pops;
            this.count = scratch.count;
            this.mask = scratch.mask;
            this.table = scratch.table;
            this.filled = scratch.filled;
            this.lastChannels = d % LANES == 0 ? null : F.indexInRange(0, d % LANES);
        }

        void run(int from, int to) {
            int n = s.n();
            for (int row = from; row < to; row++) {
                int b = row / n;
                for (int h = 0; h < s.heads(); h++) {
                    head(b, row, h);
                }
            }
        }

        /** Query {@code row} (of the flattened [batch][n]) of image b, head h. */
        private void head(int b, int row, int h) {
            int nkv = s.nkv();
            popcounts(((row * s.heads()) + h) * headWords, (b * s.heads() + h) * headWords * keyStride);

            int min = d;
            int max = 0;
            for (int j = 0; j < nkv; j++) {
                int p = (int) pops[j];
                count[p]++;
                min = Math.min(min, p);
                max = Math.max(max, p);
            }
            int e = row(min, max);
            double sum = 0;
            for (int p = min; p <= max; p++) {
                sum += count[p] * (double) table[e + p];
            }
            float total = (float) sum;
            int threshold = min - 1;
            int kept = 0;
            for (int p = min; p <= max; p++) {
                int c = count[p];
                if (c != 0) {
                    float prob = table[e + p] / total;
                    if (!(prob / clip > 0.5f)) {
                        break;
                    }
                    threshold = p;
                    kept += c;
                }
            }
            for (int p = min; p <= max; p++) {
                count[p] = 0;
            }

            int outBase = row * s.channels() + h * d;
            if (kept == 0) {
                Arrays.fill(out, outBase, outBase + d, clip * 0f);
                return;
            }
            keyMask(threshold);
            context(b * keyWords * channelStride + h * d, kept, outBase);
        }

        /** {@code pops[j] = popcount(q XOR k_j)} for every key j of one head, LANES keys at a time. */
        private void popcounts(int qBase, int kBase) {
            if (headWords == 1) {
                long qw = q[qBase] & BitPacking.validBits(d, 0);
                for (int j = 0; j < keyStride; j += LANES) {
                    LongVector.fromArray(L, keys, kBase + j)
                            .lanewise(VectorOperators.XOR, qw)
                            .lanewise(VectorOperators.BIT_COUNT)
                            .intoArray(pops, j);
                }
            } else {
                for (int j = 0; j < keyStride; j += LANES) {
                    LongVector acc = LongVector.zero(L);
                    for (int w = 0; w < headWords; w++) {
                        long qw = q[qBase + w] & BitPacking.validBits(d, w);
                        acc = acc.add(LongVector.fromArray(L, keys, kBase + w * keyStride + j)
                                .lanewise(VectorOperators.XOR, qw)
                                .lanewise(VectorOperators.BIT_COUNT));
                    }
                    acc.intoArray(pops, j);
                }
            }
            for (int j = s.nkv(); j < keyStride; j++) {
                pops[j] = Long.MAX_VALUE; // padding keys: never kept (and never counted)
            }
        }

        /** {@code mask[w]}: bit j set iff key j is kept, i.e. {@code pops[j] <= threshold}. */
        private void keyMask(int threshold) {
            for (int w = 0; w < keyWords; w++) {
                long bits = 0L;
                int end = Math.min(keyStride, w * 64 + 64);
                for (int j = w * 64; j < end; j += LANES) {
                    bits |= LongVector.fromArray(L, pops, j).compare(VectorOperators.LE, threshold).toLong()
                            << (j - w * 64);
                }
                mask[w] = bits;
            }
        }

        /** The context of one head: LANES channels at a time, {@code clip * (2 * popcount(mask AND v) - kept)}. */
        private void context(int vBase, int kept, int outBase) {
            LongVector keptCount = LongVector.broadcast(L, kept);
            for (int c = 0; c < d; c += LANES) {
                LongVector acc = LongVector.zero(L);
                for (int w = 0; w < keyWords; w++) {
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

        /**
         * The offset in {@code table} of the row of {@code e(pop)} for this smallest popcount, filled
         * at least up to {@code max}.
         */
        private int row(int min, int max) {
            int base = min * (d + 1);
            if (filled[min] < max) {
                float sqrtD = (float) Math.sqrt(d);
                float top = (d - 2 * min) / sqrtD;
                for (int p = Math.max(min, filled[min] + 1); p <= max; p++) {
                    int dot = d - 2 * p;
                    float score = dot / sqrtD;
                    table[base + p] = (float) Math.exp(score - top);
                }
                filled[min] = max;
            }
            return base;
        }
    }

    /** Arrays one thread reuses from call to call. */
    private static final class Scratch {
        long[] pops = new long[0];
        int[] count = new int[0];
        long[] mask = new long[0];
        /** {@code e(pop)} for head size {@link #tableD}: row min, column pop. */
        float[] table = new float[0];
        /** Per row: the largest pop whose entry is filled, or min - 1 (row empty). */
        int[] filled = new int[0];
        int tableD = -1;
        long[] keys = new long[0];
        long[] values = new long[0];

        void ensure(int d, int keyStride, int keyWords) {
            if (pops.length < keyStride) {
                pops = new long[keyStride];
            }
            if (mask.length < keyWords) {
                mask = new long[keyWords];
            }
            if (tableD != d) {
                count = new int[d + 1];
                table = new float[(d + 1) * (d + 1)];
                filled = new int[d + 1];
                Arrays.fill(filled, -1);
                tableD = d;
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
