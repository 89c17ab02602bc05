package dev.binaryvit.kernels;

/** Patch gathering, arguments already checked by {@link Patches}. */
interface PatchesSupport {

    /**
     * Output grid rows {@code [from, to)} ({@code g = b * (h/2) + oy}) of the 2x2 / stride 2 patches
     * of {@code x [batch][h*w][c]}, each output token's 4c values in (ky, kx, ch) order.
     */
    void gather2x2(float[] x, int from, int to, int h, int w, int c, float[] out);
}
