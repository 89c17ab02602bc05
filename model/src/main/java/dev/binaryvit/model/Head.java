package dev.binaryvit.model;

import dev.binaryvit.kernels.FloatLinear;
import dev.binaryvit.model.Workspace.F;

/** The classifier: {@code classifier(mean over tokens of BN_final(h))}, {@code vit.layernorm} being BN_final. */
final class Head {

    private final int channels;
    private final int tokens;
    private final Affine norm;
    private final FloatLinear.Weights classifier;
    private final float[] bias;

    Head(BinaryVitConfig config, Weights w) {
        int last = config.stages() - 1;
        channels = config.hiddenSize(last);
        tokens = config.grid(last) * config.grid(last);
        norm = Affine.batchNorm(w, "vit.layernorm", config.layerNormEps());
        classifier = FloatLinear.Weights.of(w.get("classifier.weight"), config.numLabels(), channels);
        bias = w.get("classifier.bias");
    }

    /** {@code logits[batch][labels]} from the encoder output {@code h[batch][tokens][C]}. */
    void forward(Ops ops, Workspace ws, int batch, float[] h, float[] logits) {
        int rows = batch * tokens;
        float[] normed = ws.floats(F.NORMED, (long) rows * channels);
        ops.elementwise().affine(h, rows, channels, norm.a(), norm.b(), normed, ops.parallel());
        float[] pooled = ws.floats(F.HEAD, (long) batch * channels);
        ops.pooling().globalAvgPool(normed, batch, tokens, channels, pooled, ops.parallel());
        ops.linear().apply(pooled, batch, classifier, bias, logits, ops.parallel());
    }

    long bytes() {
        return classifier.bytes() + 4L * (bias.length + 2L * channels);
    }
}
