package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Patch gathering on the Vector API. In (ky, kx, ch) order the two tokens of a patch row, (ky, 0)
 * and (ky, 1), are neighbours in x as well as in out, so each output token is two contiguous runs
 * of 2c floats, copied a vector at a time (the last one masked).
 */
final class VectorPatches implements PatchesSupport {

    private static final VectorSpecies<Float> F = VectorShapes.FLOATS;
    private static final int LANES = F.length();

    @Override
    public void gather2x2(float[] x, int from, int to, int h, int w, int c, float[] out) {
        int wo = w / 2;
        int run = 2 * c;
        for (int g = from; g < to; g++) {
            int top = 2 * g * w * c; // row 2*oy of image b: g = b*(h/2) + oy, so 2g = b*h + 2*oy
            int bottom = top + w * c;
            for (int ox = 0; ox < wo; ox++) {
                int o = (g * wo + ox) * 2 * run;
                copy(x, top + ox * run, out, o, run);
                copy(x, bottom + ox * run, out, o + run, run);
            }
        }
    }

    private static void copy(float[] src, int s, float[] dst, int d, int n) {
        for (int i = 0; i < n; i += LANES) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector.fromArray(F, src, s + i, m).intoArray(dst, d + i, m);
        }
    }
}
