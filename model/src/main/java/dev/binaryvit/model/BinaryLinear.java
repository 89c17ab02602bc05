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

    /**
     * {@link #linear} with its outputs interleaved in {@code groups} ({@link Epilogue#withInterleavedChannels}):
     * the weight rows, bias, BatchNorm and RPReLU taken in output order, so that output j computes
     * channel {@code channelOf[j]} of {@link Epilogue#interleavedChannels}. Its packed signs come out in
     * that order, for a next layer whose weight bits are reordered to match.
     */
    static BinaryLinear interleaved(Weights w, String prefix, int in, int out, float[] move, Affine norm, Rprelu rprelu,
                                    int groups) {
        int[] channelOf = Epilogue.interleavedChannels(out, groups);
        float[] weight = w.get(prefix + ".weight");
        float[] rows = new float[weight.length];
        for (int j = 0; j < out; j++) {
            System.arraycopy(weight, channelOf[j] * in, rows, j * in, in);
        }
        PackedWeights packed = PackedWeights.linear(rows, out, in);
        String bias = prefix + ".bias";
        float[] b = w.catalogue().isOptional(bias) ? w.optional(bias) : null;
        Affine n = new Affine(inOrder(norm.a(), channelOf), inOrder(norm.b(), channelOf));
        Rprelu r = rprelu == null ? null
                : new Rprelu(inOrder(rprelu.move1(), channelOf), inOrder(rprelu.slope(), channelOf),
                        inOrder(rprelu.move2(), channelOf));
        return new BinaryLinear(move, packed,
                epilogue(packed, n, b == null ? null : inOrder(b, channelOf), r).withInterleavedChannels(groups));
    }

    /** {@code perChannel} in output order: element j is {@code perChannel[channelOf[j]]}. */
    static float[] inOrder(float[] perChannel, int[] channelOf) {
        float[] ordered = new float[channelOf.length];
        for (int j = 0; j < ordered.length; j++) {
            ordered[j] = perChannel[channelOf[j]];
        }
        return ordered;
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
