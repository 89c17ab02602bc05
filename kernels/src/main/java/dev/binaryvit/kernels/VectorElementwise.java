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

    @Override
    public void affineResidualRprelu(float[] x, int from, int to, int c, float[] a, float[] b, float[] residual,
                                     float[] move1, float[] slope, float[] move2, float[] out,
                                     float[] signShift, long[] signs) {
        int words = BitPacking.words(c);
        for (int row = from; row < to; row++) {
            int base = row * c;
            for (int ch = 0; ch < c; ch += LANES) {
                VectorMask<Float> m = F.indexInRange(ch, c);
                int i = base + ch;
                FloatVector v = FloatVector.fromArray(F, x, i, m)
                        .fma(FloatVector.fromArray(F, a, ch, m), FloatVector.fromArray(F, b, ch, m));
                if (residual != null) {
                    v = v.add(FloatVector.fromArray(F, residual, i, m));
                }
                if (move1 != null) {
                    FloatVector y = v.sub(FloatVector.fromArray(F, move1, ch, m));
                    y = y.mul(FloatVector.fromArray(F, slope, ch, m)).blend(y, y.compare(VectorOperators.GE, 0f));
                    v = y.add(FloatVector.fromArray(F, move2, ch, m));
                }
                v.intoArray(out, i, m);
            }
            if (signs != null) { // the row just written is in L1: pack it now rather than in another pass
                for (int w = 0; w < words; w++) {
                    signs[row * words + w] = VectorPacking.packWord(out, base, signShift, 0, w * 64, c);
                }
            }
        }
    }
}
