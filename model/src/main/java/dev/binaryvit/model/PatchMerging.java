package dev.binaryvit.model;

import static dev.binaryvit.kernels.BitPacking.words;

import dev.binaryvit.kernels.Epilogue;
import dev.binaryvit.kernels.FloatLinear;
import dev.binaryvit.kernels.PackedWeights;
import dev.binaryvit.model.Trace.Kind;
import dev.binaryvit.model.Workspace.F;
import dev.binaryvit.model.Workspace.L;

/**
 * The patch merging between stages ({@code vit.encoder.patch_embed{1,2,3}}): 2x2 stride-2 patches
 * of C1 channels to one token of C2. Binary (BinaryViT): {@code RPReLU(BN(BinaryConv(BN_0(x) + move))
 * + tile(AvgPool_2(BN_0(x)))) + pos}; full precision ({@code some_fp}): {@code BN(Conv(BN_0(x))) + pos}.
 */
final class PatchMerging {

    private final int inChannels;
    private final int outChannels;
    private final int grid; // input tokens per side
    private final Affine norm0;
    private final BinaryLinear binary;           // null when full precision
    private final FloatLinear.Weights conv;      // null when binary
    private final Affine norm;                   // full precision only; folded into binary's epilogue otherwise
    private final float[] position;

    PatchMerging(BinaryVitConfig config, Weights w, int stage) {
        String p = "vit.encoder.patch_embed" + (stage + 1) + ".";
        this.inChannels = config.hiddenSize(stage);
        this.outChannels = config.hiddenSize(stage + 1);
        this.grid = config.grid(stage);
        double eps = 1e-5; // these BatchNorms are built with PyTorch's default eps, not layer_norm_eps
        norm0 = Affine.batchNorm(w, p + "norm0", eps);
        Affine bn = Affine.batchNorm(w, p + "norm", eps);
        float[] weight = w.get(p + "proj.weight");
        position = w.get(p + "position_embeddings");
        if (config.someFp()) {
            conv = FloatLinear.Weights.of(patchOrder(weight, outChannels, inChannels), outChannels, 4 * inChannels);
            norm = bn;
            binary = null;
        } else {
            PackedWeights packed = PackedWeights.conv2x2(weight, outChannels, inChannels);
            Epilogue e = BinaryLinear.epilogue(packed, bn, null, Rprelu.load(w, p + "rprelu"))
                    .withTiledResidual(inChannels);
            float[] move = w.get(p + "move");
            float[] patchMove = new float[4 * inChannels]; // the move of each input channel, for all 4 pixels
            for (int q = 0; q < 4; q++) {
                System.arraycopy(move, 0, patchMove, q * inChannels, inChannels);
            }
            binary = new BinaryLinear(patchMove, packed, e);
            conv = null;
            norm = null;
        }
    }

    /** {@code out[batch][(grid/2)^2][C2]} from {@code x[batch][grid^2][C1]}. */
    void forward(Ops ops, Workspace ws, Trace trace, int batch, float[] x, float[] out) {
        int c1 = inChannels;
        int half = grid / 2;
        int rows1 = batch * grid * grid;
        int rows2 = batch * half * half;
        float[] xn = ws.floats(F.NORMED, (long) rows1 * c1);
        ops.elementwise().affine(x, rows1, c1, norm0.a(), norm0.b(), xn, ops.parallel());
        trace.mark("norm0", Kind.ELEMENTWISE, rows1 * c1, 1, 1, 2);
        float[] patches = ws.floats(F.PATCHES, (long) rows1 * c1);
        ops.patches().gather2x2(xn, batch, grid, grid, c1, patches, ops.parallel());
        trace.mark("gather", Kind.ELEMENTWISE, rows1 * c1, 1, 1, 0);
        int c2 = outChannels;
        if (binary != null) {
            float[] pooled = ws.floats(F.POOLED, (long) rows2 * c1);
            ops.pooling().avgPool(xn, batch, grid, grid, c1, 2, pooled, ops.parallel());
            trace.mark("pool", Kind.POOL, rows1 * c1, 1, 0, 1);
            long[] bits = ws.longs(L.BITS, (long) rows2 * words(4 * c1));
            ops.packing().pack(patches, rows2, 4 * c1, 1, binary.move(), bits, ops.parallel());
            trace.mark("proj.pack", Kind.PACK, rows2, 4 * c1);
            ops.gemm().fused(bits, rows2, binary.weights(), binary.epilogue(), pooled, out, ops.parallel());
            trace.mark("proj", Kind.BINARY_GEMM, rows2, 4 * c1, c2, 1);
        } else {
            ops.linear().apply(patches, rows2, conv, null, out, ops.parallel());
            trace.mark("proj", Kind.FLOAT_GEMM, rows2, 4 * c1, c2);
            ops.elementwise().affine(out, rows2, c2, norm.a(), norm.b(), out, ops.parallel());
            trace.mark("norm", Kind.ELEMENTWISE, rows2 * c2, 1, 1, 2);
        }
        ops.elementwise().addRepeated(out, rows2 * c2, position, half * half * c2, out, ops.parallel());
        trace.mark("position", Kind.ELEMENTWISE, rows2 * c2, 2, 1, 1);
    }

    /** A conv weight {@code [out][c][2][2]} reordered to {@code [out][(ky, kx, c)]}, the order patches are gathered in. */
    private static float[] patchOrder(float[] w, int out, int channels) {
        float[] r = new float[out * 4 * channels];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < channels; c++) {
                for (int q = 0; q < 4; q++) {
                    r[(o * 4 + q) * channels + c] = w[(o * channels + c) * 4 + q];
                }
            }
        }
        return r;
    }

    long bytes() {
        long params = 4L * (position.length + 2L * inChannels + 6L * outChannels);
        return params + (binary != null ? binary.weights().bytes() : conv.bytes());
    }
}
