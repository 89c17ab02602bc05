package dev.binaryvit.model;

import dev.binaryvit.kernels.Epilogue;
import dev.binaryvit.kernels.PackedWeights;

/**
 * One binary linear (or patch-merging conv) with everything that follows it up to its residual and
 * RPReLU, as the GEMM runs it: input signs of {@code x + move}, packed weights, and the epilogue
 * {@code RPReLU(BN(scale * dot + bias) + residual)}.
 */
record BinaryLinear(float[] move, PackedWeights weights, Epilogue epilogue) {

    /**
     * Loads {@code prefix.weight} {@code [out][in]} (with {@code prefix.bias} when the checkpoint has
     * one), the BatchNorm {@code norm} after it and, if {@code rprelu} is not null, that RPReLU.
     */
    static BinaryLinear linear(Weights w, String prefix, int in, int out, float[] move, Affine norm, Rprelu rprelu) {
        PackedWeights packed = PackedWeights.linear(w.get(prefix + ".weight"), out, in);
        String bias = prefix + ".bias"; // official checkpoints may carry one on query, key, value, reduction
        float[] b = w.catalogue().isOptional(bias) ? w.optional(bias) : null;
        return new BinaryLinear(move, packed, epilogue(packed, norm, b, rprelu));
    }

    /** The BatchNorm after a linear with bias: {@code a (s dot + bias) + b = (a s) dot + (a bias + b)}. */
    static Epilogue epilogue(PackedWeights packed, Affine norm, float[] bias, Rprelu rprelu) {
        float[] b = norm.b();
        if (bias != null) {
            b = new float[b.length];
            for (int c = 0; c < b.length; c++) {
                b[c] = (float) ((double) norm.a()[c] * bias[c] + norm.b()[c]);
            }
        }
        Epilogue e = Epilogue.affine(packed, norm.a(), b);
        return rprelu == null ? e : e.withRprelu(rprelu.move1(), rprelu.slope(), rprelu.move2());
    }
}
