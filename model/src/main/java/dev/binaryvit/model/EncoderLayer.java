package dev.binaryvit.model;

import static dev.binaryvit.kernels.BitPacking.words;

import dev.binaryvit.model.Trace.Kind;
import dev.binaryvit.model.Workspace.F;
import dev.binaryvit.model.Workspace.L;
import java.util.ArrayList;
import java.util.List;

/**
 * One BinaryViT encoder layer ({@code vit.encoder.layer.i}) in inference form, exactly as
 * {@code BINARYVIT.md} writes it; every binary product is one GEMM whose epilogue applies the
 * BatchNorm, residual and RPReLU that follow it.
 */
final class EncoderLayer {

    /** A strip-pooling branch with its LayerScale: {@code out += LayerScale(AvgPool(kernel)(hn2))}. */
    record Strip(int kernel, boolean alongY, Affine layerScale) {}

    final int index;
    final int channels;
    final int heads;
    final int reduction;
    final int intermediate;
    final int grid;

    private final Affine normBefore;
    private final BinaryLinear query;
    private final BinaryLinear reduce; // null when reduction == 1
    private final BinaryLinear key;
    private final BinaryLinear value;
    private final float[] moveQ2;
    private final float[] moveK2;
    private final float[] moveV2;
    private final float clip;
    private final Affine normContext;
    private final Rprelu rpreluContext;
    private final BinaryLinear output;
    private final Affine layerScaleOutput; // null when layer scale is off
    private final Affine normAfter;
    private final BinaryLinear fc1;
    private final BinaryLinear fc2;
    private final Affine layerScaleMlp;    // null when layer scale is off
    private final List<Strip> strips;

    EncoderLayer(BinaryVitConfig config, Weights w, int index) {
        String p = "vit.encoder.layer." + index + ".";
        String att = p + "attention.attention.";
        int stage = config.stageOfLayer(index);
        double eps = config.layerNormEps();
        this.index = index;
        this.channels = config.hiddenSize(stage);
        this.heads = config.heads(stage);
        this.reduction = config.reductionRatio(stage);
        this.intermediate = config.intermediateSize(stage);
        this.grid = config.grid(stage);
        int c = channels;

        normBefore = Affine.batchNorm(w, p + "layernorm_before", eps);
        query = BinaryLinear.linear(w, att + "query", c, c, w.get(att + "moveq"),
                Affine.batchNorm(w, att + "normq", eps), Rprelu.load(w, att + "rpreluq"));
        reduce = reduction == 1 ? null : BinaryLinear.linear(w, att + "reduction", c, c, w.get(att + "mover"),
                Affine.batchNorm(w, att + "norm_r", eps), Rprelu.load(w, att + "rprelur"));
        key = BinaryLinear.linear(w, att + "key", c, c, w.get(att + "movek"),
                Affine.batchNorm(w, att + "normk", eps), Rprelu.load(w, att + "rpreluk"));
        value = BinaryLinear.linear(w, att + "value", c, c, w.get(att + "movev"),
                Affine.batchNorm(w, att + "normv", eps), Rprelu.load(w, att + "rpreluv"));
        moveQ2 = w.get(att + "moveq2");
        moveK2 = w.get(att + "movek2");
        moveV2 = w.get(att + "movev2");
        clip = w.scalar(att + "att_prob_clip");
        normContext = Affine.batchNorm(w, att + "norm_context", eps);
        rpreluContext = Rprelu.load(w, att + "rprelu_context");

        String out = p + "attention.output.";
        output = BinaryLinear.linear(w, out + "dense", c, c, w.get(out + "move"),
                Affine.batchNorm(w, out + "norm", eps), Rprelu.load(w, out + "rprelu"));
        layerScaleOutput = config.layerScale() ? Affine.layerScale(w, out + "layerscale") : null;

        normAfter = Affine.batchNorm(w, p + "layernorm_after", eps);
        BinaryLinear up = BinaryLinear.linear(w, p + "intermediate.dense", c, intermediate,
                w.get(p + "intermediate.move"), Affine.batchNorm(w, p + "intermediate.norm", eps),
                Rprelu.load(w, p + "intermediate.rprelu"));
        fc2 = BinaryLinear.linear(w, p + "output.dense", intermediate, c, w.get(p + "output.move"),
                Affine.batchNorm(w, p + "output.norm", eps), Rprelu.load(w, p + "output.rprelu"));
        // Its shortcut is hn2 tiled across the I outputs, read in place; its output t is only ever
        // binarised (with fc2's move) and channel-pooled, which the GEMM epilogue does directly.
        fc1 = new BinaryLinear(up.move(), up.weights(),
                up.epilogue().withTiledResidual(c).withSignShift(fc2.move()));
        layerScaleMlp = config.layerScale() ? Affine.layerScale(w, p + "output.layerscale") : null;

        List<Strip> s = new ArrayList<>();
        if (config.avgRes3()) {
            s.add(new Strip(3, true, Affine.layerScale(w, p + "layerscale_h3")));
            s.add(new Strip(3, false, Affine.layerScale(w, p + "layerscale_w3")));
        }
        if (config.avgRes5()) {
            s.add(new Strip(5, true, Affine.layerScale(w, p + "layerscale_h5")));
            s.add(new Strip(5, false, Affine.layerScale(w, p + "layerscale_w5")));
        }
        strips = List.copyOf(s);
    }

    /** {@code out[batch][N][C]} = this layer applied to {@code h[batch][N][C]}; out must not alias h. */
    void forward(Ops ops, Workspace ws, Trace trace, int batch, float[] h, float[] out) {
        int c = channels;
        int n = grid * grid;
        int rows = batch * n;
        int size = rows * c;

        // hn = BN_before(h)
        float[] hn = ws.floats(F.NORMED, size);
        ops.elementwise().affine(h, rows, c, normBefore.a(), normBefore.b(), hn, ops.parallel());
        trace.mark("norm_before", Kind.ELEMENTWISE, size, 1, 1, 2);

        // q1 = RPReLU_q(BN_q(BinaryLinear_q(hn + moveq)) + hn)
        float[] q1 = ws.floats(F.Q, size);
        binary(ops, ws, trace, "query", query, hn, rows, hn, q1);

        // kv: hn, or its r x r average pool through the reduction linear
        int kvGrid = grid / reduction;
        int nkv = kvGrid * kvGrid;
        int kvRows = batch * nkv;
        float[] kv = hn;
        if (reduce != null) {
            float[] pooled = ws.floats(F.POOLED, (long) kvRows * c);
            ops.pooling().avgPool(hn, batch, grid, grid, c, reduction, pooled, ops.parallel());
            trace.mark("kv_pool", Kind.POOL, size, 1, 0, 1);
            kv = ws.floats(F.KV, (long) kvRows * c);
            binary(ops, ws, trace, "reduction", reduce, pooled, kvRows, pooled, kv);
        }
        float[] k1 = ws.floats(F.K, (long) kvRows * c);
        binary(ops, ws, trace, "key", key, kv, kvRows, kv, k1);
        float[] v1 = ws.floats(F.V, (long) kvRows * c);
        binary(ops, ws, trace, "value", value, kv, kvRows, kv, v1);

        // ctx = binarized attention of sign(q1 + moveq2), sign(k1 + movek2), sign(v1 + movev2)
        int headWords = words(c / heads);
        long[] qb = ws.longs(L.QUERY, (long) rows * heads * headWords);
        ops.packing().pack(q1, rows, c, heads, moveQ2, qb, ops.parallel());
        trace.mark("attention.pack_q", Kind.PACK, rows, c);
        long[] kb = ws.longs(L.KEY, (long) kvRows * heads * headWords);
        ops.packing().pack(k1, kvRows, c, heads, moveK2, kb, ops.parallel());
        long[] vt = ws.longs(L.VALUE, (long) batch * c * words(nkv));
        ops.packing().packColumns(v1, batch, nkv, c, moveV2, vt, ops.parallel());
        trace.mark("attention.pack_kv", Kind.PACK, 2 * kvRows, c);
        float[] ctx = ws.floats(F.CONTEXT, size);
        ops.attention().context(qb, kb, vt, batch, n, nkv, c, heads, clip, ctx, ops.parallel());
        trace.mark("attention", Kind.ATTENTION, batch, n, nkv, c, heads);

        // a = RPReLU_context(BN_context(ctx) + q1 + k1 + v1), k1 and v1 upsampled back to N tokens
        float[] sum = ws.floats(F.SUM, size);
        if (reduce != null) {
            ops.pooling().upsampleNearest(k1, batch, kvGrid, kvGrid, c, reduction, sum, ops.parallel());
            ops.pooling().upsampleNearestAdd(v1, batch, kvGrid, kvGrid, c, reduction, sum, ops.parallel());
            trace.mark("upsample_kv", Kind.POOL, size, 1, 1, 1);
        } else {
            ops.elementwise().add(k1, v1, size, sum, ops.parallel());
            trace.mark("add_kv", Kind.ELEMENTWISE, size, 2, 1, 1);
        }
        ops.elementwise().add(sum, q1, size, sum, ops.parallel());
        float[] a = ws.floats(F.ATTENDED, size);
        ops.elementwise().affineResidualRprelu(ctx, rows, c, normContext.a(), normContext.b(), sum,
                rpreluContext.move1(), rpreluContext.slope(), rpreluContext.move2(), a, ops.parallel());
        trace.mark("context_epilogue", Kind.ELEMENTWISE, size, 4, 2, 6);

        // h2 = LayerScale_o(RPReLU_o(BN_o(BinaryLinear_o(a + move)) + a)) + h
        float[] o = ws.floats(F.OUT, size);
        binary(ops, ws, trace, "output", output, a, rows, a, o);
        float[] h2 = ws.floats(F.MID, size);
        addScaled(ops, o, rows, layerScaleOutput, h, h2);
        trace.mark("output_residual", Kind.ELEMENTWISE, size, 2, 1, 3);

        // MLP: t = RPReLU_i(BN_i(BinaryLinear_i(hn2 + move)) + tile(hn2));
        //      u = RPReLU_u(BN_u(BinaryLinear_u(t + move)) + AvgPool1d(t)), t never stored
        float[] hn2 = ws.floats(F.NORMED2, size);
        ops.elementwise().affine(h2, rows, c, normAfter.a(), normAfter.b(), hn2, ops.parallel());
        trace.mark("norm_after", Kind.ELEMENTWISE, size, 1, 1, 2);
        long[] bits = ws.longs(L.BITS, (long) rows * words(c));
        ops.packing().pack(hn2, rows, c, 1, fc1.move(), bits, ops.parallel());
        trace.mark("fc1.pack", Kind.PACK, rows, c);
        long[] tBits = ws.longs(L.WIDE_BITS, (long) rows * words(intermediate));
        float[] pooledT = ws.floats(F.WIDE_POOLED, size);
        ops.gemm().signsAndPool(bits, rows, fc1.weights(), fc1.epilogue(), hn2, tBits, intermediate / c, pooledT,
                ops.parallel());
        trace.mark("fc1", Kind.BINARY_GEMM, rows, c, intermediate, 1);
        float[] u = ws.floats(F.OUT, size);
        ops.gemm().fused(tBits, rows, fc2.weights(), fc2.epilogue(), pooledT, u, ops.parallel());
        trace.mark("fc2", Kind.BINARY_GEMM, rows, intermediate, c, 1);

        // out = LayerScale_u(u) + h2 + the strip branches of hn2
        addScaled(ops, u, rows, layerScaleMlp, h2, out);
        trace.mark("mlp_residual", Kind.ELEMENTWISE, size, 2, 1, 3);
        if (strips.size() == 4) { // the usual case: the four branches in one pass over hn2 and out
            Affine h3 = strips.get(0).layerScale();
            Affine w3 = strips.get(1).layerScale();
            Affine h5 = strips.get(2).layerScale();
            Affine w5 = strips.get(3).layerScale();
            ops.pooling().stripBranchesAccumulate(hn2, batch, grid, grid, c, h3.a(), h3.b(), w3.a(), w3.b(),
                    h5.a(), h5.b(), w5.a(), w5.b(), out, ops.parallel());
        } else {
            for (Strip s : strips) {
                ops.pooling().stripPoolAccumulate(hn2, batch, grid, grid, c, s.kernel(), s.alongY(),
                        s.layerScale().a(), s.layerScale().b(), out, ops.parallel());
            }
        }
        trace.mark("strips", Kind.POOL, size, 2, 1, 2 + 4 * strips.size() + 3 * strips.size());
    }

    /** {@code out = linear's epilogue(GEMM(sign(x + move)), residual)} over rows of x. */
    private static void binary(Ops ops, Workspace ws, Trace trace, String name, BinaryLinear linear, float[] x,
                               int rows, float[] residual, float[] out) {
        int k = linear.weights().bits();
        long[] bits = ws.longs(L.BITS, (long) rows * words(k));
        ops.packing().pack(x, rows, k, 1, linear.move(), bits, ops.parallel());
        trace.mark(name + ".pack", Kind.PACK, rows, k);
        ops.gemm().fused(bits, rows, linear.weights(), linear.epilogue(), residual, out, ops.parallel());
        trace.mark(name, Kind.BINARY_GEMM, rows, k, linear.weights().rows(), 1);
    }

    /** {@code out = LayerScale(x) + residual}, or {@code x + residual} when layer scale is off. */
    private void addScaled(Ops ops, float[] x, int rows, Affine layerScale, float[] residual, float[] out) {
        if (layerScale == null) {
            ops.elementwise().add(x, residual, rows * channels, out, ops.parallel());
        } else {
            ops.elementwise().affineResidualRprelu(x, rows, channels, layerScale.a(), layerScale.b(), residual,
                    null, null, null, out, ops.parallel());
        }
    }

    /** Bytes of parameters held: packed binary weights and float vectors. */
    long bytes() {
        long total = 0;
        for (BinaryLinear l : new BinaryLinear[] {query, reduce, key, value, output, fc1, fc2}) {
            if (l != null) {
                total += l.weights().bytes() + 4L * l.move().length + 6L * 4 * l.weights().rows();
            }
        }
        return total;
    }
}
