package dev.binaryvit.model;

import static dev.binaryvit.kernels.BitPacking.words;

import dev.binaryvit.kernels.Epilogue;
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
    private final Affine normAfter;
    private final BinaryLinear fc1;
    private final BinaryLinear fc2;
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
        moveQ2 = w.get(att + "moveq2");
        BinaryLinear q = BinaryLinear.linear(w, att + "query", c, c, w.get(att + "moveq"),
                Affine.batchNorm(w, att + "normq", eps), Rprelu.load(w, att + "rpreluq"));
        query = new BinaryLinear(q.move(), q.weights(), q.epilogue().withSignShift(moveQ2));
        reduce = reduction == 1 ? null : BinaryLinear.linear(w, att + "reduction", c, c, w.get(att + "mover"),
                Affine.batchNorm(w, att + "norm_r", eps), Rprelu.load(w, att + "rprelur"));
        key = BinaryLinear.linear(w, att + "key", c, c, w.get(att + "movek"),
                Affine.batchNorm(w, att + "normk", eps), Rprelu.load(w, att + "rpreluk"));
        value = BinaryLinear.linear(w, att + "value", c, c, w.get(att + "movev"),
                Affine.batchNorm(w, att + "normv", eps), Rprelu.load(w, att + "rpreluv"));
        moveK2 = w.get(att + "movek2");
        moveV2 = w.get(att + "movev2");
        clip = w.scalar(att + "att_prob_clip");
        normContext = Affine.batchNorm(w, att + "norm_context", eps);
        rpreluContext = Rprelu.load(w, att + "rprelu_context");

        normAfter = Affine.batchNorm(w, p + "layernorm_after", eps);
        // fc1's outputs are interleaved in the pool's groups (output i*C + q computes channel q*G + i),
        // so that the pool adds whole vectors; fc2 reads its input bits in that order.
        int groups = intermediate / c;
        int[] channelOf = Epilogue.interleavedChannels(intermediate, groups);
        BinaryLinear up = BinaryLinear.linear(w, p + "intermediate.dense", c, intermediate,
                w.get(p + "intermediate.move"), Affine.batchNorm(w, p + "intermediate.norm", eps),
                Rprelu.load(w, p + "intermediate.rprelu"));
        // fc2's epilogue goes on through its LayerScale and the block's shortcut h2: it writes the layer output.
        BinaryLinear down = BinaryLinear.linear(w, p + "output.dense", intermediate, c, w.get(p + "output.move"),
                Affine.batchNorm(w, p + "output.norm", eps), Rprelu.load(w, p + "output.rprelu"));
        fc2 = new BinaryLinear(down.move(), down.weights().withInputsReordered(channelOf),
                withLayerScale(down.epilogue(), config.layerScale() ? Affine.layerScale(w, p + "output.layerscale") : null));
        // fc1's shortcut is hn2 tiled across the I outputs, read in place; its output t is only ever
        // binarised (with fc2's move) and channel-pooled, which the GEMM epilogue does directly.
        fc1 = new BinaryLinear(up.move(), up.weights().withRowsReordered(channelOf),
                up.epilogue().withTiledResidual(c).withSignShift(fc2.move()).withInterleavedChannels(groups));

        // The attention output's epilogue goes on through LayerScale_o, the shortcut h, BN_after and
        // fc1's move: it writes h2, hn2 and fc1's input signs in one pass.
        String out = p + "attention.output.";
        BinaryLinear dense = BinaryLinear.linear(w, out + "dense", c, c, w.get(out + "move"),
                Affine.batchNorm(w, out + "norm", eps), Rprelu.load(w, out + "rprelu"));
        output = new BinaryLinear(dense.move(), dense.weights(),
                withLayerScale(dense.epilogue(), config.layerScale() ? Affine.layerScale(w, out + "layerscale") : null)
                        .withNorm(normAfter.a(), normAfter.b()).withSignShift(fc1.move()));

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

        // hn = BN_before(h), packing the query's input signs sign(hn + moveq) on the way
        float[] hn = ws.floats(F.NORMED, size);
        long[] bits = ws.longs(L.BITS, (long) rows * words(c));
        ops.elementwise().affineResidualRprelu(h, rows, c, normBefore.a(), normBefore.b(), null, null, null, null, hn,
                query.move(), bits, ops.parallel());
        trace.mark("norm_before", Kind.ELEMENTWISE, size, 1, 1, 2);

        // q1 = RPReLU_q(BN_q(BinaryLinear_q(hn + moveq)) + hn); when each head is whole words, the
        // same epilogue packs the attention's query signs sign(q1 + moveq2)
        int headWords = words(c / heads);
        boolean wholeWords = (c / heads) % 64 == 0;
        float[] q1 = ws.floats(F.Q, size);
        long[] qb = ws.longs(L.QUERY, (long) rows * heads * headWords);
        ops.gemm().fused(bits, rows, query.weights(), query.epilogue(), hn, null, q1, null, wholeWords ? qb : null,
                ops.parallel());
        trace.mark("query", Kind.BINARY_GEMM, rows, c, c, 1);
        if (!wholeWords) {
            ops.packing().pack(q1, rows, c, heads, moveQ2, qb, ops.parallel());
            trace.mark("attention.pack_q", Kind.PACK, rows, c);
        }

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
            binary(ops, ws, trace, "reduction.pack", "reduction", reduce, pooled, kvRows, pooled, kv);
        }
        float[] k1 = ws.floats(F.K, (long) kvRows * c);
        binary(ops, ws, trace, "key.pack", "key", key, kv, kvRows, kv, k1);
        float[] v1 = ws.floats(F.V, (long) kvRows * c);
        binary(ops, ws, trace, "value.pack", "value", value, kv, kvRows, kv, v1);

        // ctx = binarized attention of sign(q1 + moveq2), sign(k1 + movek2), sign(v1 + movev2)
        long[] kb = ws.longs(L.KEY, (long) kvRows * heads * headWords);
        ops.packing().pack(k1, kvRows, c, heads, moveK2, kb, ops.parallel());
        long[] vt = ws.longs(L.VALUE, (long) batch * c * words(nkv));
        ops.packing().packColumns(v1, batch, nkv, c, moveV2, vt, ops.parallel());
        trace.mark("attention.pack_kv", Kind.PACK, 2 * kvRows, c);
        float[] ctx = ws.floats(F.NORMED, size); // hn is used up: kv, key and value have read it
        ops.attention().context(qb, kb, vt, batch, n, nkv, c, heads, clip, ctx, ops.parallel());
        trace.mark("attention", Kind.ATTENTION, batch, n, nkv, c, heads);

        // a = RPReLU_context(BN_context(ctx) + (q1 + up(k1 + v1))) in one pass, in place over ctx: k1 and
        // v1 live on the pooled grid (the same one when r = 1) and each token reads the pooled token it
        // lies in (nearest upsampling copies, so the sums are the model's); the output projection's
        // input signs sign(a + move) are packed on the way
        float[] a = ctx; // in place: one buffer fewer, and the pass writes lines it has just read
        ops.elementwise().affineResidualRprelu(ctx, batch, kvGrid, reduction, c, normContext.a(), normContext.b(), q1,
                k1, v1, rpreluContext.move1(), rpreluContext.slope(), rpreluContext.move2(), a, output.move(), bits,
                ops.parallel());
        trace.mark("context_epilogue", Kind.ELEMENTWISE, size, reduction == 1 ? 4 : 2, 1, 8);

        // h2 = LayerScale_o(RPReLU_o(BN_o(BinaryLinear_o(a + move)) + a)) + h, and in the same
        // epilogue hn2 = BN_after(h2) and fc1's input signs sign(hn2 + move_i)
        float[] h2 = ws.floats(F.Q, size); // q1 is used up
        float[] hn2 = ws.floats(F.NORMED2, size);
        long[] hn2Bits = ws.longs(L.QUERY, (long) rows * words(c)); // the query signs are used up
        ops.gemm().fused(bits, rows, output.weights(), output.epilogue(), a, h, h2, hn2, hn2Bits, ops.parallel());
        trace.mark("output", Kind.BINARY_GEMM, rows, c, c, 1);

        // MLP: t = RPReLU_i(BN_i(BinaryLinear_i(hn2 + move)) + tile(hn2)), never stored: fc1 writes
        // its signs (with fc2's move) and AvgPool1d(t); then
        // out = LayerScale_u(RPReLU_u(BN_u(BinaryLinear_u(t + move)) + AvgPool1d(t))) + h2
        long[] tBits = ws.longs(L.WIDE_BITS, (long) rows * words(intermediate));
        float[] pooledT = ws.floats(F.NORMED, size); // a is used up
        ops.gemm().mlp(hn2Bits, rows, fc1.weights(), fc1.epilogue(), hn2, tBits, intermediate / c, pooledT,
                fc2.weights(), fc2.epilogue(), h2, out, ops.parallel());
        trace.mark("mlp", Kind.MLP, rows, c, intermediate, intermediate / c);

        // out += the strip branches of hn2
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
    private static void binary(Ops ops, Workspace ws, Trace trace, String packName, String name, BinaryLinear linear,
                               float[] x, int rows, float[] residual, float[] out) {
        int k = linear.weights().bits();
        long[] bits = ws.longs(L.BITS, (long) rows * words(k));
        ops.packing().pack(x, rows, k, 1, linear.move(), bits, ops.parallel());
        trace.mark(packName, Kind.PACK, rows, k); // names are constants: an untraced call builds no string
        ops.gemm().fused(bits, rows, linear.weights(), linear.epilogue(), residual, out, ops.parallel());
        trace.mark(name, Kind.BINARY_GEMM, rows, k, linear.weights().rows(), 1);
    }

    /** The epilogue followed by a LayerScale, when the model has one. */
    private static Epilogue withLayerScale(Epilogue e, Affine layerScale) {
        return layerScale == null ? e : e.withLayerScale(layerScale.a(), layerScale.b());
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
