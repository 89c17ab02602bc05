package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float linear layer on the Vector API as an outer product over the transposed weights: each
 * input value is broadcast and multiplied into a vector of output channels, so every lane follows
 * exactly the reference's sequence of fused multiply-adds and the result is bit-identical.
 */
final class VectorFloatLinear implements FloatLinearSupport {

    private static final VectorSpecies<Float> F = VectorShapes.FLOATS;
    private static final int LANES = F.length();

    @Override
    public void apply(float[] x, int from, int to, int m0, int m1, FloatLinear.Weights w, float[] bias, float[] out) {
        int k = w.in();
        int m = w.out();
        float[] wt = w.transposed();
        int stride = w.stride();
        for (int n = from; n < to; n++) {
            int xRow = n * k;
            int j = m0;
            for (; j + 4 * LANES <= m1; j += 4 * LANES) { // four vectors of channels at a time
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                for (int i = 0, t = j; i < k; i++, t += stride) {
                    FloatVector xi = FloatVector.broadcast(F, x[xRow + i]);
                    a0 = xi.fma(FloatVector.fromArray(F, wt, t), a0);
                    a1 = xi.fma(FloatVector.fromArray(F, wt, t + LANES), a1);
                    a2 = xi.fma(FloatVector.fromArray(F, wt, t + 2 * LANES), a2);
                    a3 = xi.fma(FloatVector.fromArray(F, wt, t + 3 * LANES), a3);
                }
                if (bias != null) {
                    a0 = a0.add(FloatVector.fromArray(F, bias, j));
                    a1 = a1.add(FloatVector.fromArray(F, bias, j + LANES));
                    a2 = a2.add(FloatVector.fromArray(F, bias, j + 2 * LANES));
                    a3 = a3.add(FloatVector.fromArray(F, bias, j + 3 * LANES));
                }
                a0.intoArray(out, n * m + j);
                a1.intoArray(out, n * m + j + LANES);
                a2.intoArray(out, n * m + j + 2 * LANES);
                a3.intoArray(out, n * m + j + 3 * LANES);
            }
            for (; j < m1; j += LANES) { // remaining channels, the last vector masked
                VectorMask<Float> in = F.indexInRange(j, m1);
                FloatVector a0 = FloatVector.zero(F);
                for (int i = 0, t = j; i < k; i++, t += stride) {
                    a0 = FloatVector.broadcast(F, x[xRow + i]).fma(FloatVector.fromArray(F, wt, t), a0);
                }
                if (bias != null) {
                    a0 = a0.add(FloatVector.fromArray(F, bias, j, in));
                }
                a0.intoArray(out, n * m + j, in);
            }
        }
    }
}
