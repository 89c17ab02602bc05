package dev.binaryvit.model;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Deterministic, plausible weights for any config: every required tensor of its
 * {@link WeightCatalogue}, drawn from a seeded generator. They stand in for a trained checkpoint
 * (none can be downloaded here) so that the whole model can be run, timed and tested.
 *
 * <p>What "plausible" means here (g is a standard normal draw, U(a, b) uniform):
 * <ul>
 * <li>linear and convolution weights (binary and full-precision) {@code g / sqrt(fan_in)};
 *     biases of the embedding and classifier small ({@code 0.02 g}) or zero;</li>
 * <li>BatchNorm: weight {@code 1 + 0.1 g}, bias {@code 0.1 g}, running_mean {@code 0.1 g},
 *     running_var {@code U(0.5, 1.5)} (always positive) — except the BatchNorms on the residual
 *     stream ({@code layernorm_before/after}, the patch-merge {@code norm0}, the final
 *     {@code layernorm}), whose running statistics follow the growth of the stream through a
 *     stage (std {@code 1 + k}, mean {@code 0.3 k} after {@code k} layers; {@code 1 + 8k} and
 *     {@code 2.4 k} without LayerScale, whose layers add about ten times more), as calibrated
 *     statistics would: with unit statistics there the activations would double at every layer
 *     (about 1e5 at the end of BinaryViT-S); with these they stay of order 1 and the logits of
 *     BinaryViT-S have a spread of about 0.3;</li>
 * <li>RPReLU: slopes {@code 0.25 + 0.05 g}, shifts {@code 0.05 g}; every other learned shift
 *     ({@code move*}) {@code 0.05 g}, small next to the activations so that signs still depend on the input;</li>
 * <li>LayerScale: alpha {@code 0.1 + 0.02 g}, move {@code 0.02 g};</li>
 * <li>position embeddings {@code 0.02 g} (the official initialisation's scale);</li>
 * <li>{@code att_prob_clip} {@code (2 / keys) * U(0.8, 1.25)}, about twice the mean attention
 *     probability over the layer's key tokens, so that a few keys pass the BiT threshold.</li>
 * </ul>
 *
 * <p>Each tensor has its own stream, derived from the seed and the tensor's name: a tensor's values
 * do not depend on which other tensors the config has. The generator is SplitMix64 with the polar
 * method on {@link StrictMath}, so the values are the same on every JVM and platform.
 */
public final class SyntheticWeights {

    private static final Pattern LAYER = Pattern.compile("^vit\\.encoder\\.layer\\.(\\d+)\\.");

    private SyntheticWeights() {}

    /** Every required tensor of {@code config}, F32, seeded by {@code seed}. */
    public static Safetensors create(BinaryVitConfig config, long seed) {
        WeightCatalogue cat = WeightCatalogue.of(config);
        List<Map.Entry<String, long[]>> entries = List.copyOf(cat.required().entrySet());
        Tensor[] made = new Tensor[entries.size()];
        // Tensors are independent streams: fill them in parallel, the result does not depend on it.
        IntStream.range(0, made.length).parallel().forEach(i -> {
            String name = entries.get(i).getKey();
            long[] shape = entries.get(i).getValue();
            long n = 1;
            for (long d : shape) n *= d;
            float[] data = new float[Math.toIntExact(n)];
            fill(config, name, shape, data, new Stream(seed, name));
            made[i] = new Tensor(name, "F32", shape, data);
        });
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Tensor t : made) tensors.put(t.name(), t);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("source", "dev.binaryvit.model.SyntheticWeights");
        meta.put("seed", Long.toString(seed));
        return Safetensors.of(tensors, meta);
    }

    private static void fill(BinaryVitConfig cfg, String name, long[] shape, float[] out, Stream r) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        String module = module(name);
        boolean norm = module.startsWith("norm") || module.startsWith("layernorm");
        if (name.endsWith(".att_prob_clip")) {
            Matcher m = LAYER.matcher(name);
            if (!m.find()) throw new IllegalStateException("att_prob_clip outside a layer: " + name);
            int stage = cfg.stageOfLayer(Integer.parseInt(m.group(1)));
            int keys = cfg.keyGrid(stage) * cfg.keyGrid(stage);
            for (int i = 0; i < out.length; i++) out[i] = (float) (2.0 / keys * r.uniform(0.8, 1.25));
        } else if (norm && last.equals("running_var")) {
            double sd = residualStd(cfg, name);
            for (int i = 0; i < out.length; i++) out[i] = (float) (sd * sd * r.uniform(0.5, 1.5));
        } else if (norm && last.equals("weight")) {
            normal(out, r, 1.0, 0.1);
        } else if (norm && last.equals("running_mean")) {
            normal(out, r, residualMean(cfg, name), 0.1 * residualStd(cfg, name));
        } else if (norm && last.equals("bias")) {
            normal(out, r, 0.0, 0.1);
        } else if (name.endsWith(".prelu.weight")) {
            normal(out, r, 0.25, 0.05);
        } else if (module.startsWith("layerscale")) {
            if (last.equals("alpha")) normal(out, r, 0.1, 0.02);
            else if (last.equals("move")) normal(out, r, 0.0, 0.02);
            else throw unknown(name);
        } else if (last.startsWith("move")) {                       // move, moveq, move1, move2, ...
            normal(out, r, 0.0, 0.05);
        } else if (last.equals("position_embeddings")) {
            normal(out, r, 0.0, 0.02);
        } else if (name.equals("classifier.bias")) {
            // zero, as the official initialisation
        } else if (last.equals("bias")) {                          // embedding projection (and any bias)
            normal(out, r, 0.0, 0.02);
        } else if (last.equals("weight") && shape.length >= 2) {    // linear [out, in], conv [out, in, kh, kw]
            long fanIn = 1;
            for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
            normal(out, r, 0.0, 1.0 / Math.sqrt(fanIn));
        } else {
            throw unknown(name);
        }
    }

    // The residual stream grows through a stage: each layer adds its branches to its input (and
    // RPReLU, being asymmetric, drifts the mean upwards). The BatchNorms that see the residual
    // stream (layernorm_before/after, the patch-merge norm0, the final layernorm) get running
    // statistics that follow this growth, as a calibration on images would, so that the binary
    // branches see inputs of about unit scale; every other BatchNorm sees a binary product or a
    // normalised sum, of unit scale. The growth assumed, std 1 + k and mean 0.3 k after k layers
    // of a stage, is deliberately a little faster than the real one (about sqrt(0.45 + 0.65 k)
    // for BinaryViT-S on the sample image): underestimating it lets the stream grow geometrically
    // (each layer's branches then add a multiple of its input), overestimating keeps it stable.
    //
    // Without LayerScale (disable_layerscale) the attention and MLP outputs join the stream unscaled
    // (LayerScale's alpha is about 0.1): one layer then adds about 4 to the std (BinaryViT-S, sample
    // image). With the steps above the stream would grow geometrically (to 3e7 at the end of
    // BinaryViT-S); steps of 8 and 2.4 overestimate the growth as above and keep it of order 10,
    // with logits of about the same spread as with LayerScale.
    static final double STD_STEP = 1.0;
    static final double MEAN_STEP = 0.3;
    static final double STD_STEP_WITHOUT_LAYER_SCALE = 8.0;
    static final double MEAN_STEP_WITHOUT_LAYER_SCALE = 2.4;

    /** Expected std of the input of BatchNorm {@code name}: 1 except on the residual stream. */
    private static double residualStd(BinaryVitConfig cfg, String name) {
        double k = residualDepth(cfg, name);
        return k < 0 ? 1 : 1 + (cfg.layerScale() ? STD_STEP : STD_STEP_WITHOUT_LAYER_SCALE) * k;
    }

    /** Expected mean of the input of BatchNorm {@code name}: 0 except on the residual stream. */
    private static double residualMean(BinaryVitConfig cfg, String name) {
        double k = residualDepth(cfg, name);
        return k < 0 ? 0 : (cfg.layerScale() ? MEAN_STEP : MEAN_STEP_WITHOUT_LAYER_SCALE) * k;
    }

    /** How many layers of its stage the residual stream has been through at BatchNorm {@code name}; -1 off the stream. */
    private static double residualDepth(BinaryVitConfig cfg, String name) {
        Matcher m = LAYER.matcher(name);
        if (m.find()) {
            int layer = Integer.parseInt(m.group(1));
            int k = layer - cfg.firstLayer(cfg.stageOfLayer(layer));
            if (name.contains(".layernorm_before.")) return k;
            if (name.contains(".layernorm_after.")) return k + 0.5;
            return -1;
        }
        for (int s = 1; s <= 3; s++) {
            if (name.startsWith(WeightCatalogue.patchMergePrefix(s) + "norm0.")) return cfg.depth(s - 1);
        }
        if (name.startsWith("vit.layernorm.")) return cfg.depth(3);
        return -1;
    }

    private static IllegalStateException unknown(String name) {
        return new IllegalStateException("no synthetic distribution for " + name);
    }

    /** The module a parameter belongs to: the name segment before the last one. */
    private static String module(String name) {
        int end = name.lastIndexOf('.');
        if (end < 0) return "";
        int start = name.lastIndexOf('.', end - 1);
        return name.substring(start + 1, end);
    }

    private static void normal(float[] out, Stream r, double mean, double std) {
        int i = 0;
        for (; i + 1 < out.length; i += 2) {
            r.gaussianPair();
            out[i] = (float) (mean + std * r.g0);
            out[i + 1] = (float) (mean + std * r.g1);
        }
        if (i < out.length) {
            r.gaussianPair();
            out[i] = (float) (mean + std * r.g0);
        }
    }

    /** SplitMix64, seeded from the seed and the tensor name; uniforms and polar-method normals. */
    private static final class Stream {
        private long state;
        double g0;
        double g1;

        Stream(long seed, String name) {
            long h = 0xcbf29ce484222325L;                      // FNV-1a 64 over the UTF-8 name
            for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
                h ^= b & 0xff;
                h *= 0x100000001b3L;
            }
            state = mix(seed ^ mix(h));
        }

        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }

        long nextLong() {
            return mix(state += 0x9e3779b97f4a7c15L);
        }

        /** Uniform in [0, 1). */
        double nextDouble() {
            return (nextLong() >>> 11) * 0x1.0p-53;
        }

        double uniform(double a, double b) {
            return a + (b - a) * nextDouble();
        }

        /** Two independent standard normals into g0, g1 (Marsaglia's polar method). */
        void gaussianPair() {
            double u, v, s;
            do {
                u = 2 * nextDouble() - 1;
                v = 2 * nextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double f = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
            g0 = u * f;
            g1 = v * f;
        }
    }
}
