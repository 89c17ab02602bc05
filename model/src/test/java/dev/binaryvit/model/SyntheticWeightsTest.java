package dev.binaryvit.model;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticWeightsTest {

    @Test
    void binaryVitSWeightsFitTheirConfig() throws WeightsException {
        BinaryVitConfig s = BinaryVitConfig.small();
        long t0 = System.nanoTime();
        Safetensors st = SyntheticWeights.create(s, 42);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("SyntheticWeights.create(BinaryViT-S): " + ms + " ms");
        Weights w = Weights.check(st, s);
        assertEquals(List.of(), w.unused());
        assertEquals(WeightCatalogue.of(s).requiredCount(), st.names().size());
        assertEquals("42", st.metadata().get("seed"));
        plausible(s, w);
    }

    @Test
    void fixtureConfigWeightsFitTheirConfig() throws IOException {
        BinaryVitConfig tiny = BinaryVitConfig.fromJson(Fixtures.tiny().resolve("config.json"));
        Weights w = Weights.check(SyntheticWeights.create(tiny, 7), tiny);
        assertEquals(List.of(), w.unused());
        plausible(tiny, w);
        // the same names as the real fixture weights
        assertEquals(Safetensors.read(Fixtures.tiny().resolve("weights.safetensors")).names(),
                SyntheticWeights.create(tiny, 7).names());
    }

    @Test
    void flagVariantsFitTheirConfigs() throws WeightsException {
        String base = smallTiny().toJson();
        String[][] flags = {{"avg_res3", "false"}, {"avg_res5", "false"}, {"disable_layerscale", "true"}, {"some_fp", "true"}};
        for (String[] f : flags) {
            BinaryVitConfig c = BinaryVitConfig.fromJson(BinaryVitConfigTest.withField(base,
                    o -> o.put(f[0], Boolean.parseBoolean(f[1]))));
            assertEquals(List.of(), Weights.check(SyntheticWeights.create(c, 1), c).unused(), f[0]);
        }
    }

    /**
     * With every combination of the flags, the residual stream of a model as deep as BinaryViT-S
     * (narrower) stays of order 1 to 10 through all 19 layers instead of growing geometrically, and
     * the logits keep a moderate spread: synthetic models of every variant are in the regime of a
     * trained one, where signs depend on the input.
     */
    @Test
    void theResidualStreamStaysBoundedForEveryFlagCombination() throws WeightsException {
        float[] image = Images.preprocess(Images.sample(), 64);
        for (int flags = 0; flags < 16; flags++) {
            int f = flags;
            BinaryVitConfig c = BinaryVitConfig.fromJson(BinaryVitConfigTest.withField(smallTiny().toJson(), o -> {
                o.put("image_size", 64);
                o.putArray("depths").add(3).add(4).add(8).add(4);
                o.put("avg_res3", (f & 1) == 0);
                o.put("avg_res5", (f & 2) == 0);
                o.put("disable_layerscale", (f & 4) != 0);
                o.put("some_fp", (f & 8) != 0);
            }));
            double[] worst = {0, Double.POSITIVE_INFINITY};
            float[] logits = new float[c.numLabels()];
            try (BinaryVit model = BinaryVit.create(c, SyntheticWeights.create(c, 3), 1)) {
                model.forward(image, 1, logits, (step, out, length, nanos) -> {
                    if (step.kind() == Step.Kind.HEAD) return;
                    double sq = 0;
                    for (int i = 0; i < length; i++) sq += (double) out[i] * out[i];
                    double rms = Math.sqrt(sq / length);
                    worst[0] = Math.max(worst[0], rms);
                    worst[1] = Math.min(worst[1], rms);
                });
            }
            double mean = 0, sq = 0;
            for (float v : logits) mean += v / logits.length;
            for (float v : logits) sq += (v - mean) * (v - mean) / logits.length;
            double spread = Math.sqrt(sq);
            String what = c + ": stream rms in [" + worst[1] + ", " + worst[0] + "], logits std " + spread;
            assertTrue(worst[0] < 30 && worst[1] > 0.1, what);
            assertTrue(spread > 0.03 && spread < 3, what);
        }
    }

    @Test
    void deterministicForASeed() {
        BinaryVitConfig tiny = smallTiny();
        Safetensors a = SyntheticWeights.create(tiny, 123);
        Safetensors b = SyntheticWeights.create(tiny, 123);
        Safetensors c = SyntheticWeights.create(tiny, 124);
        assertEquals(a.tensors(), b.tensors());
        for (String name : a.names()) {
            if (name.equals("classifier.bias")) continue;   // zero for every seed
            assertFalse(java.util.Arrays.equals(a.tensor(name).data(), c.tensor(name).data()), name);
        }
        // a tensor's values depend on the seed and its name, not on the rest of the config
        BinaryVitConfig deeper = BinaryVitConfig.fromJson(BinaryVitConfigTest.withField(tiny.toJson(),
                o -> o.putArray("depths").add(2).add(1).add(2).add(1)));
        Safetensors d = SyntheticWeights.create(deeper, 123);
        String name = "vit.encoder.layer.0.attention.attention.query.weight";
        assertArrayEquals(a.tensor(name).data(), d.tensor(name).data());
        // fixed values: the generator is specified (SplitMix64, polar method on StrictMath), not the JDK's
        float[] clip = a.tensor("vit.encoder.layer.0.attention.attention.att_prob_clip").data();
        assertEquals(clip[0], SyntheticWeights.create(tiny, 123)
                .tensor("vit.encoder.layer.0.attention.attention.att_prob_clip").data()[0]);
    }

    @Test
    void binaryWeightsAreRoughlyGaussian() {
        BinaryVitConfig s = BinaryVitConfig.small();
        float[] w = SyntheticWeights.create(smallTiny(), 5).tensor("vit.encoder.layer.4.intermediate.dense.weight").data();
        double mean = 0, sq = 0;
        for (float v : w) {
            mean += v;
            sq += v * v;
        }
        mean /= w.length;
        double std = Math.sqrt(sq / w.length - mean * mean);
        double expected = 1 / Math.sqrt(128);   // 1/sqrt(fan_in)
        assertEquals(0, mean, 4 * expected / Math.sqrt(w.length));
        assertEquals(expected, std, 0.03 * expected);
        assertNotEquals(0, s.numLabels());
    }

    private static BinaryVitConfig smallTiny() {
        return BinaryVitConfig.fromJson("""
                {"hidden_size": [16, 32, 64, 128], "depths": [1, 1, 2, 1], "num_attention_heads": [1, 2, 2, 4],
                 "reduction_ratio": [8, 4, 1, 1], "intermediate_size": [64, 128, 256, 512], "num_labels": 1000}
                """);
    }

    /** The documented ranges: positive variances, finite everything, clips near 2 / keys. */
    private static void plausible(BinaryVitConfig cfg, Weights w) {
        for (String name : w.catalogue().required().keySet()) {
            float[] d = w.get(name);
            for (float v : d) assertTrue(Float.isFinite(v), name);
            if (name.endsWith("running_var")) {
                boolean residual = name.contains("layernorm") || name.contains(".norm0.");
                for (float v : d) assertTrue(v > 0 && (residual || (v >= 0.5f && v <= 1.5f)), name + " " + v);
            }
            if (name.endsWith(".prelu.weight")) {
                double m = 0;
                for (float v : d) m += v;
                assertEquals(0.25, m / d.length, 0.05, name);
            }
        }
        for (int l = 0; l < cfg.numLayers(); l++) {
            int s = cfg.stageOfLayer(l);
            int keys = cfg.keyGrid(s) * cfg.keyGrid(s);
            float clip = w.scalar(WeightCatalogue.layerPrefix(l) + "attention.attention.att_prob_clip");
            assertTrue(clip >= 0.8f * 2 / keys && clip <= 1.25f * 2 / keys, "layer " + l + " clip " + clip);
        }
    }
}
