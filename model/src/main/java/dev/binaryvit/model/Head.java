package dev.binaryvit.model;

import dev.binaryvit.kernels.FloatLinear;
import dev.binaryvit.model.Trace.Kind;
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

    /** {@code logits[offset ..]}, {@code [batch][labels]}, from the encoder output {@code h[batch][tokens][C]}. */
    void forward(Ops ops, Workspace ws, Trace trace, int batch, float[] h, float[] logits, int offset) {
        int rows = batch * tokens;
        float[] normed = ws.floats(F.NORMED, (long) rows * channels);
        ops.elementwise().affine(h, rows, channels, norm.a(), norm.b(), normed, ops.parallel());
        trace.mark("norm", Kind.ELEMENTWISE, rows * channels, 1, 1, 2);
        float[] pooled = ws.floats(F.HEAD, (long) batch * channels);
        ops.pooling().globalAvgPool(normed, batch, tokens, channels, pooled, ops.parallel());
        trace.mark("pool", Kind.POOL, rows * channels, 1, 0, 1);
        float[] out = offset == 0 ? logits : ws.floats(F.LOGITS, (long) batch * classifier.out());
        ops.linear().apply(pooled, batch, classifier, bias, out, ops.parallel());
        if (out != logits) {
            System.arraycopy(out, 0, logits, offset, batch * classifier.out());
        }
        trace.mark("classifier", Kind.FLOAT_GEMM, batch, channels, classifier.out());
    }

    long bytes() {
        return classifier.bytes() + 4L * (bias.length + 2L * channels);
    }
}
