package dev.binaryvit.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors a {@link BinaryVitConfig} expects: every official parameter name (PyTorch
 * {@code state_dict} keys of {@code ViTForImageClassification} in
 * {@code transformer/modeling_qvit_extra_res_pyramid.py}) with the shape PyTorch stores it in.
 *
 * <p>Which modules exist depends on the config: a layer has the key/value reduction
 * ({@code mover}, {@code reduction}, {@code norm_r}, {@code rprelur}) only when its stage's
 * reduction ratio is above 1; {@code attention.output.layerscale} and {@code output.layerscale}
 * only with LayerScale; {@code layerscale_h3/w3} only with {@code avg_res3} and
 * {@code layerscale_h5/w5} only with {@code avg_res5}; the patch mergings are binary
 * ({@code BinaryPatchEmbed}: {@code move}, {@code rprelu}) unless {@code some_fp}.
 *
 * <p>Shapes: linear weights {@code [out, in]}; convolutions {@code [out, in, kh, kw]}; position
 * embeddings {@code [1, N, C]}; the patch-merge {@code move} {@code [1, C1, 1, 1]}; vectors
 * {@code [C]}; {@code att_prob_clip} a scalar {@code []}. BatchNorm modules have {@code weight},
 * {@code bias}, {@code running_mean} and {@code running_var}; their {@code num_batches_tracked}
 * is not listed (it may or may not be in a file and is never used).
 *
 * <p>Optional tensors: the biases of {@code query}, {@code key}, {@code value} and
 * {@code reduction} ({@code QuantizeLinear(bias=config.qkv_bias)}), {@code [C]} each.
 *
 * <p>Order: execution order — embeddings, then each layer followed by the patch merging that
 * comes after it (if any), then the final norm and the classifier.
 */
public final class WeightCatalogue {

    private final Map<String, long[]> required = new LinkedHashMap<>();
    private final Map<String, long[]> optional = new LinkedHashMap<>();

    private WeightCatalogue() {}

    /** The catalogue of {@code config}. */
    public static WeightCatalogue of(BinaryVitConfig config) {
        WeightCatalogue c = new WeightCatalogue();
        c.build(config);
        return c;
    }

    /** Every required tensor name and its shape, in a stable (execution) order. A fresh copy. */
    public Map<String, long[]> required() {
        return copy(required);
    }

    /** Every optional tensor name (the qkv and reduction biases) and its shape. A fresh copy. */
    public Map<String, long[]> optional() {
        return copy(optional);
    }

    /** The expected shape of {@code name} (a copy), or null if it is not a tensor of this config. */
    public long[] shape(String name) {
        long[] s = required.get(name);
        if (s == null) s = optional.get(name);
        return s == null ? null : s.clone();
    }

    /** Whether {@code name} is a required tensor of this config. */
    public boolean isRequired(String name) {
        return required.containsKey(name);
    }

    /** Whether {@code name} is an optional tensor of this config. */
    public boolean isOptional(String name) {
        return optional.containsKey(name);
    }

    /** Number of required tensors. */
    public int requiredCount() {
        return required.size();
    }

    /** Total number of values in the required tensors (parameters plus BatchNorm statistics). */
    public long requiredValues() {
        long n = 0;
        for (long[] s : required.values()) {
            long k = 1;
            for (long d : s) k *= d;
            n += k;
        }
        return n;
    }

    private static Map<String, long[]> copy(Map<String, long[]> m) {
        Map<String, long[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.clone()));
        return Collections.unmodifiableMap(out);
    }

    // ---------------------------------------------------------------- names

    /** {@code "vit.encoder.layer.<layer>."}, the prefix of every tensor of an encoder layer. */
    public static String layerPrefix(int layer) {
        return "vit.encoder.layer." + layer + ".";
    }

    /**
     * {@code "vit.encoder.patch_embed<k>."} for {@code k} in 1..3, the patch merging between stage
     * {@code k-1} and stage {@code k}.
     */
    public static String patchMergePrefix(int k) {
        if (k < 1 || k > 3) throw new IndexOutOfBoundsException("patch merging " + k + " (1..3)");
        return "vit.encoder.patch_embed" + k + ".";
    }

    // ---------------------------------------------------------------- construction

    private void build(BinaryVitConfig cfg) {
        int c0 = cfg.hiddenSize(0);
        int p = cfg.patchSize();
        req("vit.embeddings.position_embeddings", 1, cfg.tokens(0), c0);
        req("vit.embeddings.patch_embeddings.projection.weight", c0, cfg.numChannels(), p, p);
        req("vit.embeddings.patch_embeddings.projection.bias", c0);
        batchNorm("vit.embeddings.norm", c0);

        for (int l = 0; l < cfg.numLayers(); l++) {
            int s = cfg.stageOfLayer(l);
            layer(cfg, layerPrefix(l), s);
            if (s < 3 && l == cfg.firstLayer(s) + cfg.depth(s) - 1) patchMerge(cfg, s + 1);
        }

        int c3 = cfg.hiddenSize(3);
        batchNorm("vit.layernorm", c3);
        req("classifier.weight", cfg.numLabels(), c3);
        req("classifier.bias", cfg.numLabels());
    }

    private void layer(BinaryVitConfig cfg, String l, int s) {
        int c = cfg.hiddenSize(s);
        int i = cfg.intermediateSize(s);
        String a = l + "attention.attention.";
        vec(c, a + "moveq", a + "movek", a + "movev");
        binaryLinear(a + "query", c, c, true);
        binaryLinear(a + "key", c, c, true);
        binaryLinear(a + "value", c, c, true);
        if (cfg.reductionRatio(s) > 1) {
            vec(c, a + "mover");
            binaryLinear(a + "reduction", c, c, true);
            batchNorm(a + "norm_r", c);
            rprelu(a + "rprelur", c);
        }
        batchNorm(a + "normq", c);
        batchNorm(a + "normk", c);
        batchNorm(a + "normv", c);
        rprelu(a + "rpreluq", c);
        rprelu(a + "rpreluk", c);
        rprelu(a + "rpreluv", c);
        vec(c, a + "moveq2", a + "movek2", a + "movev2");
        req(a + "att_prob_clip");
        batchNorm(a + "norm_context", c);
        rprelu(a + "rprelu_context", c);

        String o = l + "attention.output.";
        binaryLinear(o + "dense", c, c, false);
        vec(c, o + "move");
        batchNorm(o + "norm", c);
        rprelu(o + "rprelu", c);
        if (cfg.layerScale()) layerScale(o + "layerscale", c);

        String m = l + "intermediate.";
        binaryLinear(m + "dense", i, c, false);
        vec(c, m + "move");
        batchNorm(m + "norm", i);
        rprelu(m + "rprelu", i);

        String u = l + "output.";
        binaryLinear(u + "dense", c, i, false);
        vec(i, u + "move");
        batchNorm(u + "norm", c);
        rprelu(u + "rprelu", c);
        if (cfg.layerScale()) layerScale(u + "layerscale", c);

        batchNorm(l + "layernorm_before", c);
        batchNorm(l + "layernorm_after", c);
        if (cfg.avgRes5()) {
            layerScale(l + "layerscale_w5", c);
            layerScale(l + "layerscale_h5", c);
        }
        if (cfg.avgRes3()) {
            layerScale(l + "layerscale_w3", c);
            layerScale(l + "layerscale_h3", c);
        }
    }

    /** Patch merging k (1..3): stage k-1 (C1 channels) to stage k (C2 channels, grid(k)^2 tokens). */
    private void patchMerge(BinaryVitConfig cfg, int k) {
        String pm = patchMergePrefix(k);
        int c1 = cfg.hiddenSize(k - 1);
        int c2 = cfg.hiddenSize(k);
        if (!cfg.someFp()) req(pm + "move", 1, c1, 1, 1);
        req(pm + "position_embeddings", 1, cfg.tokens(k), c2);
        batchNorm(pm + "norm0", c1);
        req(pm + "proj.weight", c2, c1, 2, 2);
        batchNorm(pm + "norm", c2);
        if (!cfg.someFp()) rprelu(pm + "rprelu", c2);
    }

    private void binaryLinear(String name, int out, int in, boolean optionalBias) {
        req(name + ".weight", out, in);
        if (optionalBias) optional.put(name + ".bias", new long[] {out});
    }

    private void batchNorm(String name, int c) {
        vec(c, name + ".weight", name + ".bias", name + ".running_mean", name + ".running_var");
    }

    private void rprelu(String name, int c) {
        vec(c, name + ".move1", name + ".move2", name + ".prelu.weight");
    }

    private void layerScale(String name, int c) {
        vec(c, name + ".alpha", name + ".move");
    }

    private void vec(int c, String... names) {
        for (String n : names) req(n, c);
    }

    private void req(String name, long... shape) {
        if (required.put(name, shape) != null) throw new IllegalStateException("duplicate catalogue entry " + name);
    }
}
