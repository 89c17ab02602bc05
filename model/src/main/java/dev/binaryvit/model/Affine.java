package dev.binaryvit.model;

/**
 * A per-channel affine map {@code y = x * a[c] + b[c]}: an inference BatchNorm folded at load time,
 * or a LayerScale as it is.
 */
record Affine(float[] a, float[] b) {

    /**
     * {@code (x - mean) / sqrt(var + eps) * weight + bias} folded into {@code a = weight / sqrt(var + eps)},
     * {@code b = bias - mean * a}, computed in double and rounded once.
     */
    static Affine batchNorm(Weights w, String prefix, double eps) {
        float[] weight = w.get(prefix + ".weight");
        float[] bias = w.get(prefix + ".bias");
        float[] mean = w.get(prefix + ".running_mean");
        float[] var = w.get(prefix + ".running_var");
        float[] a = new float[weight.length];
        float[] b = new float[weight.length];
        for (int c = 0; c < a.length; c++) {
            double scale = weight[c] / Math.sqrt(var[c] + eps);
            a[c] = (float) scale;
            b[c] = (float) (bias[c] - mean[c] * scale);
        }
        return new Affine(a, b);
    }

    /** {@code x * alpha + move} ({@code LayerScale}). */
    static Affine layerScale(Weights w, String prefix) {
        return new Affine(w.get(prefix + ".alpha"), w.get(prefix + ".move"));
    }
}
