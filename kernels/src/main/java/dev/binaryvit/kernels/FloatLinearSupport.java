package dev.binaryvit.kernels;

/** Full-precision linear layers, arguments already checked by {@link FloatLinear}. */
interface FloatLinearSupport {

    /**
     * Rows {@code [from, to)}, output channels {@code [m0, m1)}: {@code out[n][m] = acc + bias[m]}
     * where acc starts at 0 and takes {@code acc = fma(x[n][k], w[m][k], acc)} for k ascending;
     * {@code bias} may be null.
     */
    void apply(float[] x, int from, int to, int m0, int m1, FloatLinear.Weights w, float[] bias, float[] out);
}
