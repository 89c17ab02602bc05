package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels on the Vector API along the channels of each row (the last vector of a row
 * masked), lane by lane the float operations of {@link ReferenceElementwise}: bit-identical.
 * RPReLU is written out in each loop rather than in a helper that returns a vector: when C2 does
 * not inline such a helper, every returned vector is boxed on the heap (measured: 4 MB per call
 * on a 3136 x 64 tensor, eight times slower).
 */
final class VectorElementwise implements ElementwiseSupport {

    private static final VectorSpecies<Float> F = VectorShapes.FLOATS;
    private static final int LANES = F.length();
    /** Floats of a block of rows that {@link #affineResidualRprelu} takes a vector of channels at a time: 16 KB, in L1. */
    private static final int BLOCK_FLOATS = 4096;
    /**
     * Per thread, the start of each block row's coarse k and v (at most BLOCK_FLOATS rows a block).
     * Filled on first use rather than by an initial-value lambda: this class is copied per form
     * ({@link ProfileCopies}), and a copy stays free of the original's synthetic methods.
     */
    private static final ThreadLocal<int[]> COARSE_ROWS = new ThreadLocal<>();

    @Override
    public void affine(float[] x, int from, int to, int c, float[] a, float[] b, float[] out) {
        for (int row = from; row < to; row++) {
            int base = row * c;
            for (int ch = 0; ch < c; ch += LANES) {
                VectorMask<Float> m = F.indexInRange(ch, c);
                FloatVector.fromArray(F, x, base + ch, m)
                        .fma(FloatVector.fromArray(F, a, ch, m), FloatVector.fromArray(F, b, ch, m))
                        .intoArray(out, base + ch, m);
            }
        }
    }

    @Override
    public void rprelu(float[] x, int from, int to, int c, float[] move1, float[] slope, float[] move2,
                       float[] out) {
        for (int row = from; row < to; row++) {
            int base = row * c;
            for (int ch = 0; ch < c; ch += LANES) {
                VectorMask<Float> m = F.indexInRange(ch, c);
                // y = x - move1; y = y >= 0 ? y : slope * y; out = y + move2 (the reference's select)
                FloatVector y = FloatVector.fromArray(F, x, base + ch, m).sub(FloatVector.fromArray(F, move1, ch, m));
                y = y.mul(FloatVector.fromArray(F, slope, ch, m)).blend(y, y.compare(VectorOperators.GE, 0f));
                y.add(FloatVector.fromArray(F, move2, ch, m)).intoArray(out, base + ch, m);
            }
        }
    }

    @Override
    public void add(float[] x, float[] y, int from, int to, float[] out) {
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += LANES) {
            FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(out, i);
        }
        if (i < to) {
            VectorMask<Float> m = F.indexInRange(i, to);
            FloatVector.fromArray(F, x, i, m).add(FloatVector.fromArray(F, y, i, m)).intoArray(out, i, m);
        }
    }

    /** Runs of {@link #add} over the stretches where y's index {@code i % period} is contiguous. */
    @Override
    public void addRepeated(float[] x, float[] y, int period, int from, int to, float[] out) {
        int i = from;
        while (i < to) {
            int j = i % period;
            int end = Math.min(to, i + period - j);
            int shift = i - j; // x and out index i pairs with y index i - shift
            for (int bound = i + F.loopBound(end - i); i < bound; i += LANES) {
                FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i - shift)).intoArray(out, i);
            }
            if (i < end) {
                VectorMask<Float> m = F.indexInRange(i, end);
                FloatVector.fromArray(F, x, i, m).add(FloatVector.fromArray(F, y, i - shift, m)).intoArray(out, i, m);
                i = end;
            }
        }
    }

    /** Each vector of a source row is loaded once and stored {@code times} times. */
    @Override
    public void tile(float[] x, int from, int to, int c, int times, float[] out) {
        int wide = c * times;
        for (int row = from; row < to; row++) {
            int s = row * c;
            int o = row * wide;
            for (int ch = 0; ch < c; ch += LANES) {
                VectorMask<Float> m = F.indexInRange(ch, c);
                FloatVector v = FloatVector.fromArray(F, x, s + ch, m);
                for (int t = 0; t < times; t++) {
                    v.intoArray(out, o + t * c + ch, m);
                }
            }
        }
    }

    /**
     * A block of rows at a time, a vector of channels at a time down the block's rows: the
     * per-channel parameters stay in registers and the sign bits come straight from the values
     * (about half the time of row by row with a packing pass after each row: 3136 x 64 rows, measured standalone).
     */
    @Override
    public void affineResidualRprelu(float[] x, int from, int to, int c, float[] a, float[] b, float[] residual,
                                     float[] coarseK, float[] coarseV, int kvGrid, int r, float[] move1, float[] slope,
                                     float[] move2, float[] out, float[] signShift, long[] signs) {
        int words = BitPacking.words(c);
        int[] coarse = coarseK == null ? null : COARSE_ROWS.get(); // per block row: where its coarse token's k and v start
        if (coarseK != null && coarse == null) {
            coarse = new int[BLOCK_FLOATS];
            COARSE_ROWS.set(coarse);
        }
        boolean rprelu = move1 != null;
        float[] zeros = Constants.zeros(c); // absent parameters read zeros: no vector may be null (C2 boxes it)
        int block = Math.max(1, BLOCK_FLOATS / c);
        for (int r0 = from; r0 < to; r0 += block) {
            int r1 = Math.min(to, r0 + block);
            if (coarseK != null) {
                Pooling.coarseTokens(r0, r1 - r0, kvGrid, r, c, coarse);
            }
            for (int ch = 0; ch < c; ch += LANES) {
                VectorMask<Float> m = F.indexInRange(ch, c);
                FloatVector scale = FloatVector.fromArray(F, a, ch, m);
                FloatVector shift = FloatVector.fromArray(F, b, ch, m);
                FloatVector first = FloatVector.fromArray(F, rprelu ? move1 : zeros, ch, m);
                FloatVector gain = FloatVector.fromArray(F, rprelu ? slope : zeros, ch, m);
                FloatVector last = FloatVector.fromArray(F, rprelu ? move2 : zeros, ch, m);
                FloatVector signMove = FloatVector.fromArray(F, signShift != null ? signShift : zeros, ch, m);
                long inRange = m.toLong(); // lanes past c load 0, which would read as +1
                int word = ch >>> 6;
                int bit = ch & 63;
                for (int row = r0, i = r0 * c + ch, o = r0 * words + word; row < r1; row++, i += c, o += words) {
                    FloatVector v = FloatVector.fromArray(F, x, i, m).fma(scale, shift);
                    if (coarseK != null) {
                        int kv = coarse[row - r0] + ch;
                        v = v.add(FloatVector.fromArray(F, residual, i, m).add(FloatVector.fromArray(F, coarseK, kv, m)
                                .add(FloatVector.fromArray(F, coarseV, kv, m))));
                    } else if (residual != null) {
                        v = v.add(FloatVector.fromArray(F, residual, i, m));
                    }
                    if (rprelu) {
                        FloatVector y = v.sub(first);
                        y = y.mul(gain).blend(y, y.compare(VectorOperators.GE, 0f));
                        v = y.add(last);
                    }
                    v.intoArray(out, i, m);
                    if (signs != null) { // as BitPacking.pack of the row: bit set iff out + signShift >= 0
                        long laneBits = (v.add(signMove).compare(VectorOperators.GE, 0f).toLong() & inRange) << bit;
                        signs[o] = bit == 0 ? laneBits : signs[o] | laneBits;
                    }
                }
            }
        }
    }
}
