package dev.binaryvit.kernels;

/** Patch gathering as plain loops, a copy element by element: the oracle for {@link VectorPatches}. */
final class ReferencePatches implements PatchesSupport {

    @Override
    public void gather2x2(float[] x, int from, int to, int h, int w, int c, float[] out) {
        int ho = h / 2;
        int wo = w / 2;
        for (int g = from; g < to; g++) {
            int b = g / ho;
            int oy = g % ho;
            for (int ox = 0; ox < wo; ox++) {
                int o = (b * ho * wo + oy * wo + ox) * 4 * c;
                for (int ky = 0; ky < 2; ky++) {
                    for (int kx = 0; kx < 2; kx++) {
                        int t = (b * h + 2 * oy + ky) * w + 2 * ox + kx;
                        for (int ch = 0; ch < c; ch++) {
                            out[o + (ky * 2 + kx) * c + ch] = x[t * c + ch];
                        }
                    }
                }
            }
        }
    }
}
