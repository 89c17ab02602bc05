package dev.binaryvit.kernels;

/** The float linear layer as a plain triple loop: the oracle for {@link VectorFloatLinear}. */
final class ReferenceFloatLinear implements FloatLinearSupport {

    @Override
    public void apply(float[] x, int from, int to, int m0, int m1, FloatLinear.Weights w, float[] bias, float[] out) {
        int k = w.in();
        int m = w.out();
        for (int n = from; n < to; n++) {
            for (int j = m0; j < m1; j++) {
                float acc = 0f;
                for (int i = 0; i < k; i++) {
                    acc = Math.fma(x[n * k + i], w.weight(j, i), acc);
                }
                out[n * m + j] = bias == null ? acc : acc + bias[j];
            }
        }
    }
}
