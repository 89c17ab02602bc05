package dev.binaryvit.model;

import dev.binaryvit.kernels.FloatLinear;
import dev.binaryvit.kernels.ImagePatches;
import dev.binaryvit.model.Trace.Kind;
import dev.binaryvit.model.Workspace.F;

/**
 * {@code vit.embeddings}: the full-precision patch convolution (kernel = stride = patch size, with
 * bias) over the image, then BatchNorm, then the position embeddings.
 */
final class Embeddings {

    private final int channels;
    private final int imageChannels;
    private final int imageSize;
    private final int patch;
    private final FloatLinear.Weights projection;
    private final float[] bias;
    private final Affine norm;
    private final float[] position;

    Embeddings(BinaryVitConfig config, Weights w) {
        String p = "vit.embeddings.";
        channels = config.hiddenSize(0);
        imageChannels = config.numChannels();
        imageSize = config.imageSize();
        patch = config.patchSize();
        projection = FloatLinear.Weights.of(w.get(p + "patch_embeddings.projection.weight"), channels,
                imageChannels * patch * patch);
        bias = w.get(p + "patch_embeddings.projection.bias");
        norm = Affine.batchNorm(w, p + "norm", config.layerNormEps());
        position = w.get(p + "position_embeddings");
    }

    /** {@code out[batch][grid^2][C0]} from the images {@code [batch][channels][size][size]} at {@code images[offset]}. */
    void forward(Ops ops, Workspace ws, Trace trace, int batch, float[] images, int offset, float[] out) {
        int grid = imageSize / patch;
        int rows = batch * grid * grid;
        float[] patches = ws.floats(F.PATCHES, (long) batch * imageChannels * imageSize * imageSize);
        ImagePatches.gather(images, offset, batch, imageChannels, imageSize, imageSize, patch, patches, ops.parallel());
        int k = imageChannels * patch * patch;
        trace.mark("patches", Kind.ELEMENTWISE, rows * k, 1, 1, 0);
        ops.linear().apply(patches, rows, projection, bias, out, ops.parallel());
        trace.mark("projection", Kind.FLOAT_GEMM, rows, k, channels);
        ops.elementwise().affine(out, rows, channels, norm.a(), norm.b(), out, ops.parallel());
        trace.mark("norm", Kind.ELEMENTWISE, rows * channels, 1, 1, 2);
        ops.elementwise().addRepeated(out, rows * channels, position, grid * grid * channels, out, ops.parallel());
        trace.mark("position", Kind.ELEMENTWISE, rows * channels, 2, 1, 1);
    }

    long bytes() {
        return projection.bytes() + 4L * (bias.length + position.length + 2L * channels);
    }
}
