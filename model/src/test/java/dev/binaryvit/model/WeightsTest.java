package dev.binaryvit.model;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightsTest {

    private static BinaryVitConfig tinyConfig;
    private static Safetensors tinyWeights;

    @BeforeAll
    static void load() throws IOException {
        tinyConfig = BinaryVitConfig.fromJson(Fixtures.tiny().resolve("config.json"));
        tinyWeights = Safetensors.read(Fixtures.tiny().resolve("weights.safetensors"));
    }

    // ---------------------------------------------------------------- catalogue

    @Test
    void catalogueOfTheFixtureConfigIsExactlyTheFixtureFile() {
        WeightCatalogue cat = WeightCatalogue.of(tinyConfig);
        Map<String, long[]> req = cat.required();
        assertEquals(tinyWeights.names(), req.keySet(), "names");
        for (String name : tinyWeights.names()) {
            assertArrayEquals(tinyWeights.tensor(name).shape(), req.get(name), name);
        }
        assertEquals(498, cat.requiredCount());
        assertEquals(612525, cat.requiredValues());
        // the fixture has no qkv biases, though its config says qkv_bias: they are optional
        Map<String, long[]> opt = cat.optional();
        assertEquals(5 * 3 + 2, opt.size());   // q, k, v per layer; reduction in layers 0 and 1
        assertArrayEquals(new long[] {16}, opt.get("vit.encoder.layer.0.attention.attention.reduction.bias"));
        assertArrayEquals(new long[] {128}, opt.get("vit.encoder.layer.4.attention.attention.value.bias"));
        assertFalse(opt.containsKey("vit.encoder.layer.2.attention.attention.reduction.bias"));
    }

    @Test
    void catalogueOfBinaryVitS() {
        WeightCatalogue cat = WeightCatalogue.of(BinaryVitConfig.small());
        Map<String, long[]> req = cat.required();
        // per layer: 94 tensors with the key/value reduction (stages 0, 1: 7 layers), 85 without (12 layers);
        // embeddings 7, three binary patch mergings of 14, final norm and classifier 6
        assertEquals(7 * 94 + 12 * 85 + 7 + 3 * 14 + 6, req.size());
        assertEquals(1733, req.size());
        assertArrayEquals(new long[] {512}, req.get("vit.encoder.layer.18.output.layerscale.alpha"));
        assertArrayEquals(new long[] {512, 2048}, req.get("vit.encoder.layer.18.output.dense.weight"));
        assertArrayEquals(new long[] {2048, 512}, req.get("vit.encoder.layer.18.intermediate.dense.weight"));
        assertArrayEquals(new long[] {2048}, req.get("vit.encoder.layer.18.output.move"));
        assertArrayEquals(new long[] {512}, req.get("vit.encoder.layer.18.intermediate.move"));
        assertArrayEquals(new long[] {}, req.get("vit.encoder.layer.7.attention.attention.att_prob_clip"));
        assertArrayEquals(new long[] {1, 3136, 64}, req.get("vit.embeddings.position_embeddings"));
        assertArrayEquals(new long[] {64, 3, 4, 4}, req.get("vit.embeddings.patch_embeddings.projection.weight"));
        assertArrayEquals(new long[] {1, 64, 1, 1}, req.get("vit.encoder.patch_embed1.move"));
        assertArrayEquals(new long[] {128, 64, 2, 2}, req.get("vit.encoder.patch_embed1.proj.weight"));
        assertArrayEquals(new long[] {1, 784, 128}, req.get("vit.encoder.patch_embed1.position_embeddings"));
        assertArrayEquals(new long[] {1, 49, 512}, req.get("vit.encoder.patch_embed3.position_embeddings"));
        assertArrayEquals(new long[] {256}, req.get("vit.encoder.patch_embed3.norm0.running_var"));
        assertArrayEquals(new long[] {1000, 512}, req.get("classifier.weight"));
        assertArrayEquals(new long[] {1000}, req.get("classifier.bias"));

        // reduction modules exactly in the layers of stages 0 and 1 (layers 0..6)
        Pattern reduction = Pattern.compile("^vit\\.encoder\\.layer\\.(\\d+)\\.attention\\.attention\\.(mover|reduction|norm_r|rprelur)\\b");
        Set<Integer> layers = new HashSet<>();
        int reductionTensors = 0;
        for (String name : req.keySet()) {
            Matcher m = reduction.matcher(name);
            if (m.find()) {
                layers.add(Integer.parseInt(m.group(1)));
                reductionTensors++;
            }
        }
        assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6), layers);
        assertEquals(7 * 9, reductionTensors);

        // about 22M values, as the model card says (parameters and BatchNorm statistics)
        long values = cat.requiredValues();
        assertTrue(values > 21_000_000L && values < 23_000_000L, "values " + values);

        // execution order: embeddings first, patch_embed1 right after layer 2, classifier last
        List<String> names = new ArrayList<>(req.keySet());
        assertEquals("vit.embeddings.position_embeddings", names.get(0));
        assertEquals("classifier.bias", names.get(names.size() - 1));
        int lastOfLayer2 = -1, firstMerge1 = -1, firstOfLayer3 = -1;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).startsWith("vit.encoder.layer.2.")) lastOfLayer2 = i;
            if (firstMerge1 < 0 && names.get(i).startsWith("vit.encoder.patch_embed1.")) firstMerge1 = i;
            if (firstOfLayer3 < 0 && names.get(i).startsWith("vit.encoder.layer.3.")) firstOfLayer3 = i;
        }
        assertEquals(lastOfLayer2 + 1, firstMerge1);
        assertTrue(firstMerge1 < firstOfLayer3);
    }

    private static BinaryVitConfig smallWith(String key, Object value) {
        return BinaryVitConfig.fromJson(BinaryVitConfigTest.withField(BinaryVitConfigTest.smallJson(), o -> {
            if (value instanceof Boolean b) o.put(key, b);
        }));
    }

    @Test
    void flagsChangeTheCatalogue() {
        Map<String, long[]> base = WeightCatalogue.of(BinaryVitConfig.small()).required();

        Map<String, long[]> noRes3 = WeightCatalogue.of(smallWith("avg_res3", false)).required();
        assertEquals(base.size() - 19 * 4, noRes3.size());
        assertFalse(noRes3.containsKey("vit.encoder.layer.0.layerscale_h3.alpha"));
        assertFalse(noRes3.containsKey("vit.encoder.layer.18.layerscale_w3.move"));
        assertTrue(noRes3.containsKey("vit.encoder.layer.0.layerscale_h5.alpha"));
        assertTrue(base.keySet().containsAll(noRes3.keySet()));

        Map<String, long[]> noRes5 = WeightCatalogue.of(smallWith("avg_res5", false)).required();
        assertEquals(base.size() - 19 * 4, noRes5.size());
        assertFalse(noRes5.containsKey("vit.encoder.layer.5.layerscale_w5.alpha"));
        assertTrue(noRes5.containsKey("vit.encoder.layer.5.layerscale_w3.alpha"));

        Map<String, long[]> noLs = WeightCatalogue.of(smallWith("disable_layerscale", true)).required();
        assertEquals(base.size() - 19 * 4, noLs.size());
        assertFalse(noLs.containsKey("vit.encoder.layer.18.output.layerscale.alpha"));
        assertFalse(noLs.containsKey("vit.encoder.layer.0.attention.output.layerscale.move"));
        assertTrue(noLs.containsKey("vit.encoder.layer.0.layerscale_h3.alpha"), "strip LayerScales stay");

        Map<String, long[]> fp = WeightCatalogue.of(smallWith("some_fp", true)).required();
        assertEquals(base.size() - 3 * 4, fp.size());
        for (int k = 1; k <= 3; k++) {
            String pm = WeightCatalogue.patchMergePrefix(k);
            assertFalse(fp.containsKey(pm + "move"));
            assertFalse(fp.containsKey(pm + "rprelu.move1"));
            assertFalse(fp.containsKey(pm + "rprelu.prelu.weight"));
            assertArrayEquals(base.get(pm + "proj.weight"), fp.get(pm + "proj.weight"));
            assertTrue(fp.containsKey(pm + "norm0.running_mean"));
            assertTrue(fp.containsKey(pm + "norm.bias"));
            assertTrue(fp.containsKey(pm + "position_embeddings"));
        }
    }

    @Test
    void catalogueReturnsCopies() {
        WeightCatalogue cat = WeightCatalogue.of(BinaryVitConfig.small());
        cat.required().get("classifier.bias")[0] = 7;
        assertArrayEquals(new long[] {1000}, cat.required().get("classifier.bias"));
        assertThrows(UnsupportedOperationException.class, () -> cat.required().clear());
        assertArrayEquals(new long[] {1000}, cat.shape("classifier.bias"));
        assertNull(cat.shape("nope"));
    }

    // ---------------------------------------------------------------- checked weights

    @Test
    void theFixtureWeightsFitTheFixtureConfig() throws WeightsException {
        Weights w = Weights.check(tinyWeights, tinyConfig);
        assertEquals(List.of(), w.unused());
        assertSame(tinyWeights.tensor("classifier.weight").data(), w.get("classifier.weight"));
        assertEquals(0.03379315510392189f, w.scalar("vit.encoder.layer.0.attention.attention.att_prob_clip"));
        assertNull(w.optional("vit.encoder.layer.0.attention.attention.query.bias"));
        assertFalse(w.has("vit.encoder.layer.0.attention.attention.query.bias"));
        assertSame(w.get("vit.layernorm.bias"), w.optional("vit.layernorm.bias"));
        assertThrows(IllegalArgumentException.class, () -> w.get("vit.encoder.layer.0.attention.attention.query.bias"));
        assertThrows(IllegalArgumentException.class, () -> w.get("vit.encoder.layer.0.attention.attention.qeury.weight"));
        assertThrows(IllegalArgumentException.class, () -> w.optional("classifier.weights"));
        assertThrows(IllegalArgumentException.class, () -> w.scalar("classifier.bias"));
        assertSame(tinyConfig, w.config());
    }

    @Test
    void missingAndWrongShapesAreAllNamedInOneException() {
        Map<String, Tensor> t = new LinkedHashMap<>(tinyWeights.tensors());
        String missing1 = "vit.encoder.layer.3.intermediate.norm.running_var";
        String missing2 = "vit.encoder.patch_embed2.move";
        String wrong = "vit.encoder.layer.1.attention.attention.key.weight";
        String wrongDtype = "vit.embeddings.norm.bias";
        t.remove(missing1);
        t.remove(missing2);
        t.put(wrong, Tensor.of(wrong, new float[32 * 16], 16, 32));
        t.put(wrongDtype, new Tensor(wrongDtype, "I64", new long[] {16}, new float[16]));
        WeightsException e = assertThrows(WeightsException.class, () -> Weights.check(Safetensors.of(t, Map.of()), tinyConfig));
        String msg = e.getMessage();
        assertTrue(msg.contains("2 missing"), msg);
        assertTrue(msg.contains("missing: " + missing1 + " [256]"), msg);
        assertTrue(msg.contains("missing: " + missing2 + " [1, 32, 1, 1]"), msg);
        assertTrue(msg.contains("wrong shape: " + wrong + " expected [32, 32] found [16, 32]"), msg);
        assertTrue(msg.contains("wrong dtype: " + wrongDtype), msg);
        assertEquals(List.of(missing2, missing1), e.missing());   // catalogue (execution) order
        assertEquals(Set.of(wrong, wrongDtype), Set.copyOf(e.mismatched()));
    }

    @Test
    void extraTensorsAreUnusedNotErrors() throws WeightsException {
        Map<String, Tensor> t = new LinkedHashMap<>(tinyWeights.tensors());
        t.put("vit.encoder.layer.0.layernorm_before.num_batches_tracked",
                new Tensor("vit.encoder.layer.0.layernorm_before.num_batches_tracked", "I64", new long[] {}, new float[] {3}));
        t.put("vit.pooler.dense.weight", Tensor.of("vit.pooler.dense.weight", new float[4], 2, 2));
        t.put("teacher.head", Tensor.of("teacher.head", new float[1], 1));
        Weights w = Weights.check(Safetensors.of(t, Map.of()), tinyConfig);
        assertEquals(List.of("vit.pooler.dense.weight", "teacher.head"), w.unused());
    }

    @Test
    void optionalBiasesAreCheckedWhenPresent() throws WeightsException {
        String q = "vit.encoder.layer.0.attention.attention.query.bias";
        String r = "vit.encoder.layer.1.attention.attention.reduction.bias";
        Map<String, Tensor> t = new LinkedHashMap<>(tinyWeights.tensors());
        t.put(q, Tensor.of(q, new float[16], 16));
        t.put(r, Tensor.of(r, new float[32], 32));
        Weights w = Weights.check(Safetensors.of(t, Map.of()), tinyConfig);
        assertEquals(16, w.optional(q).length);
        assertEquals(32, w.get(r).length);
        assertEquals(List.of(), w.unused());

        t.put(q, Tensor.of(q, new float[17], 17));
        WeightsException e = assertThrows(WeightsException.class, () -> Weights.check(Safetensors.of(t, Map.of()), tinyConfig));
        assertTrue(e.getMessage().contains("wrong shape: " + q + " expected [16] found [17]"), e.getMessage());
    }

    @Test
    void aScalarMayBeStoredAsOneElementVector() throws WeightsException {
        String clip = "vit.encoder.layer.2.attention.attention.att_prob_clip";
        Map<String, Tensor> t = new LinkedHashMap<>(tinyWeights.tensors());
        t.put(clip, Tensor.of(clip, new float[] {0.25f}, 1));
        assertEquals(0.25f, Weights.check(Safetensors.of(t, Map.of()), tinyConfig).scalar(clip));
        t.put(clip, Tensor.of(clip, new float[] {0.25f, 0.5f}, 2));
        assertThrows(WeightsException.class, () -> Weights.check(Safetensors.of(t, Map.of()), tinyConfig));
    }

    @Test
    void theWrongConfigSaysSo() {
        WeightsException e = assertThrows(WeightsException.class, () -> Weights.check(tinyWeights, BinaryVitConfig.small()));
        assertTrue(e.getMessage().contains("is this the config of these weights?"), e.getMessage().substring(0, 300));
        assertTrue(e.missing().size() > 1000);
    }
}
