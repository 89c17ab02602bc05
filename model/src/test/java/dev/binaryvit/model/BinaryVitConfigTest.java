package dev.binaryvit.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinaryVitConfigTest {

    private static final ObjectMapper M = new ObjectMapper();

    static String officialSmall() throws IOException {
        try (InputStream in = BinaryVitConfigTest.class.getResourceAsStream("binaryvit-small-patch4-224.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void fixtureConfigParses() throws IOException {
        BinaryVitConfig c = BinaryVitConfig.fromJson(Fixtures.tiny().resolve("config.json"));
        assertEquals(224, c.imageSize());
        assertEquals(4, c.patchSize());
        assertEquals(3, c.numChannels());
        assertEquals(4, c.stages());
        int[] hidden = {16, 32, 64, 128}, depth = {1, 1, 2, 1}, heads = {1, 2, 2, 4}, r = {8, 4, 1, 1}, inter = {64, 128, 256, 512};
        for (int s = 0; s < 4; s++) {
            assertEquals(hidden[s], c.hiddenSize(s));
            assertEquals(depth[s], c.depth(s));
            assertEquals(heads[s], c.heads(s));
            assertEquals(r[s], c.reductionRatio(s));
            assertEquals(inter[s], c.intermediateSize(s));
            assertEquals(56 >> s, c.grid(s));
        }
        assertEquals(16, c.headDim(0));
        assertEquals(32, c.headDim(3));
        assertEquals(5, c.numLayers());
        assertEquals(1000, c.numLabels());
        assertTrue(c.avgRes3() && c.avgRes5() && c.layerScale());
        assertFalse(c.someFp());
        assertEquals(1e-5f, c.layerNormEps());
        assertEquals(Optional.empty(), c.label(0));
        int[] stageOf = {0, 1, 2, 2, 3};
        for (int l = 0; l < 5; l++) assertEquals(stageOf[l], c.stageOfLayer(l));
        assertEquals(2, c.firstLayer(2));
    }

    @Test
    void officialSmallConfigParsesAndEqualsSmall() throws IOException {
        BinaryVitConfig c = BinaryVitConfig.fromJson(officialSmall());
        BinaryVitConfig s = BinaryVitConfig.small();
        for (int st = 0; st < 4; st++) {
            assertEquals(s.hiddenSize(st), c.hiddenSize(st));
            assertEquals(s.depth(st), c.depth(st));
            assertEquals(s.heads(st), c.heads(st));
            assertEquals(s.reductionRatio(st), c.reductionRatio(st));
            assertEquals(s.intermediateSize(st), c.intermediateSize(st));
            assertEquals(64, c.headDim(st));
        }
        assertEquals(19, c.numLayers());
        assertEquals(1000, c.numLabels());   // from id2label: the official file has no num_labels
        assertEquals(Optional.of("tench, Tinca tinca"), c.label(0));
        assertEquals(Optional.of("crane"), c.label(134));
        assertEquals(Optional.of("crane"), c.label(517));
        assertEquals(Optional.of("toilet tissue, toilet paper, bathroom tissue"), c.label(999));
        assertEquals(Optional.empty(), s.label(0));
        assertThrows(IndexOutOfBoundsException.class, () -> c.label(1000));
        assertThrows(IndexOutOfBoundsException.class, () -> c.label(-1));
        // BinaryViT's flags default as the training script sets them
        assertTrue(c.avgRes3() && c.avgRes5() && c.layerScale());
        assertFalse(c.someFp());
        assertEquals(224, c.imageSize());
        assertEquals(s.toString(), c.toString());
    }

    @Test
    void smallHasTheDocumentedShape() {
        BinaryVitConfig s = BinaryVitConfig.small();
        assertEquals(3136, s.tokens(0));
        assertEquals(49, s.tokens(3));
        assertEquals(7, s.keyGrid(0));
        assertEquals(7, s.keyGrid(1));
        assertEquals(14, s.keyGrid(2));
        assertEquals(0, s.stageOfLayer(2));
        assertEquals(1, s.stageOfLayer(3));
        assertEquals(2, s.stageOfLayer(7));
        assertEquals(3, s.stageOfLayer(15));
        assertEquals(3, s.stageOfLayer(18));
        assertThrows(IndexOutOfBoundsException.class, () -> s.stageOfLayer(19));
        assertThrows(IndexOutOfBoundsException.class, () -> s.hiddenSize(4));
    }

    @Test
    void toJsonRoundTrips() throws IOException {
        assertEquals(BinaryVitConfig.small(), BinaryVitConfig.fromJson(BinaryVitConfig.small().toJson()));
        BinaryVitConfig official = BinaryVitConfig.fromJson(officialSmall());
        assertEquals(official, BinaryVitConfig.fromJson(official.toJson()));
        BinaryVitConfig tiny = BinaryVitConfig.fromJson(Fixtures.tiny().resolve("config.json"));
        assertEquals(tiny, BinaryVitConfig.fromJson(tiny.toJson()));
    }

    @Test
    void defaultsForAbsentKeys() {
        BinaryVitConfig c = BinaryVitConfig.fromJson("""
                {"hidden_size": [8, 16, 32, 64], "depths": [1, 1, 1, 1], "num_attention_heads": [1, 1, 2, 2],
                 "reduction_ratio": [2, 1, 1, 1], "intermediate_size": [16, 32, 64, 128],
                 "some_unknown_key": {"nested": [1, 2, 3]}, "hidden_act": "gelu", "norm": null}
                """);
        assertEquals(224, c.imageSize());
        assertEquals(4, c.patchSize());
        assertEquals(3, c.numChannels());
        assertEquals(1000, c.numLabels());
        assertEquals(1e-5f, c.layerNormEps());
        assertTrue(c.avgRes3() && c.avgRes5() && c.layerScale());
        assertFalse(c.someFp());
        assertFalse(c.hasLabels());
    }

    @Test
    void flagsAreRead() {
        BinaryVitConfig c = BinaryVitConfig.fromJson(withField(smallJson(), o -> {
            o.put("avg_res3", false);
            o.put("avg_res5", false);
            o.put("disable_layerscale", true);
            o.put("some_fp", true);
            o.put("norm", "BatchNorm");
            o.put("layer_norm_eps", 1e-6);
            o.put("num_labels", 10);
        }));
        assertFalse(c.avgRes3());
        assertFalse(c.avgRes5());
        assertFalse(c.layerScale());
        assertTrue(c.someFp());
        assertEquals(1e-6f, c.layerNormEps());
        assertEquals(10, c.numLabels());
    }

    @Test
    void labelsFromId2LabelSetNumLabels() {
        BinaryVitConfig c = BinaryVitConfig.fromJson(withField(smallJson(), o -> {
            o.remove("num_labels");
            ObjectNode m = o.putObject("id2label");
            m.put("1", "dog");
            m.put("0", "cat");
            m.put("2", "bird");
        }));
        assertEquals(3, c.numLabels());
        assertEquals(Optional.of("cat"), c.label(0));
        assertEquals(Optional.of("dog"), c.label(1));
        assertEquals(Optional.of("bird"), c.label(2));
    }

    // ---------------------------------------------------------------- failures

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                bad("norm", o -> o.put("norm", "layernorm"), "only BatchNorm BinaryViT"),
                bad("hidden_size", o -> o.putArray("hidden_size").add(64).add(128).add(256), "expected 4 entries"),
                bad("depths", o -> ((ArrayNode) o.get("depths")).add(1), "expected 4 entries"),
                bad("hidden_size", o -> o.remove("hidden_size"), "missing"),
                bad("reduction_ratio", o -> o.put("reduction_ratio", 8), "expected a list"),
                bad("hidden_size[1]", o -> ((ArrayNode) o.get("hidden_size")).set(1, 0), "must be in [1"),
                bad("depths[2]", o -> ((ArrayNode) o.get("depths")).set(2, -3), "must be in [1"),
                bad("intermediate_size[0]", o -> ((ArrayNode) o.get("intermediate_size")).set(0, 1.5), "expected an integer"),
                bad("num_attention_heads[2]", o -> ((ArrayNode) o.get("num_attention_heads")).set(2, "4"), "expected an integer"),
                bad("image_size", o -> o.put("image_size", 0), "must be in [1"),
                bad("image_size", o -> o.put("image_size", "224"), "expected an integer"),
                bad("patch_size", o -> o.put("patch_size", -4), "must be in [1"),
                bad("num_labels", o -> o.put("num_labels", 0), "must be in [1"),
                bad("num_channels", o -> o.put("num_channels", 0), "must be in [1"),
                bad("image_size", o -> o.put("image_size", 1L << 40), "must be in [1"),
                bad("num_attention_heads[2]", o -> ((ArrayNode) o.get("num_attention_heads")).set(2, 3), "not divisible by 3 heads"),
                bad("intermediate_size[3]", o -> ((ArrayNode) o.get("intermediate_size")).set(3, 1000), "not a multiple of hidden_size[3]"),
                bad("image_size", o -> o.put("image_size", 226), "not a multiple of patch_size"),
                bad("image_size", o -> o.put("image_size", 240), "not divisible by 8"),
                bad("reduction_ratio[1]", o -> ((ArrayNode) o.get("reduction_ratio")).set(1, 5), "not divisible by 5"),
                bad("hidden_size[2]", o -> {
                    ((ArrayNode) o.get("hidden_size")).set(2, 192);
                    ((ArrayNode) o.get("intermediate_size")).set(2, 768);
                    ((ArrayNode) o.get("hidden_size")).set(3, 384);
                    ((ArrayNode) o.get("intermediate_size")).set(3, 768);
                }, "patch-merge residual"),
                bad("avg_res3", o -> o.put("avg_res3", 1), "expected true or false"),
                bad("some_fp", o -> o.put("some_fp", "false"), "expected true or false"),
                bad("layer_norm_eps", o -> o.put("layer_norm_eps", "1e-5"), "expected a number"),
                bad("layer_norm_eps", o -> o.put("layer_norm_eps", -1e-5), "positive"),
                bad("layer_norm_eps", o -> o.put("layer_norm_eps", 0.0), "positive"),
                bad("norm", o -> o.put("norm", 3), "expected a string"),
                bad("att_prob_quantizer_type", o -> o.put("att_prob_quantizer_type", "head-wise-bit"), "only \"bit\""),
                bad("weight_bits", o -> o.put("weight_bits", 2), "only binary"),
                bad("num_labels", o -> {
                    o.put("num_labels", 2);
                    o.putObject("id2label").put("0", "a");
                }, "does not match the 1 entries of id2label"),
                bad("id2label", o -> noLabels(o).put("id2label", "cats"), "expected an object"),
                bad("id2label[\"x\"]", o -> noLabels(o).putObject("id2label").put("x", "a"), "not a label index"),
                bad("id2label[\"5\"]", o -> noLabels(o).putObject("id2label").put("0", "a").put("5", "b"), "out of range"),
                bad("id2label[\"0\"]", o -> noLabels(o).putObject("id2label").put("0", 7), "expected a string"),
                bad("id2label[\"01\"]", o -> noLabels(o).putObject("id2label").put("1", "a").put("01", "b"), "given twice"),
                bad("id2label", o -> noLabels(o).putObject("id2label"), "is empty"));
    }

    private static Arguments bad(String field, Consumer<ObjectNode> edit, String problem) {
        return Arguments.of(field, edit, problem);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("badConfigs")
    void eachViolationNamesItsField(String field, Consumer<ObjectNode> edit, String problem) {
        ConfigException e = assertThrows(ConfigException.class, () -> BinaryVitConfig.fromJson(withField(smallJson(), edit)));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(field + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void malformedJsonIsAConfigException() {
        for (String json : new String[] {"", "   ", "{", "{\"hidden_size\": [1,2,3,4],}", "[1, 2]", "null", "42",
                "{\"a\": 1} {\"b\": 2}", "{\"depths\": [1,1,1,1], \"depths\": [2,2,2,2]}", "{'a': 1}", "{\"a\": NaN}"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> BinaryVitConfig.fromJson(json), json);
            assertTrue(e.getMessage().startsWith("bad config: "), e.getMessage());
        }
        ConfigException dup = assertThrows(ConfigException.class,
                () -> BinaryVitConfig.fromJson("{\"depths\": [1,1,1,1], \"depths\": [2,2,2,2]}"));
        assertTrue(dup.getMessage().contains("depths"), dup.getMessage());
    }

    @Test
    void fileErrors(@TempDir Path dir) throws IOException {
        assertThrows(NoSuchFileException.class, () -> BinaryVitConfig.fromJson(dir.resolve("absent.json")));
        assertThrows(IOException.class, () -> BinaryVitConfig.fromJson(dir));
        Path bad = dir.resolve("config.json");
        Files.writeString(bad, withField(smallJson(), o -> o.put("norm", "layernorm")));
        ConfigException e = assertThrows(ConfigException.class, () -> BinaryVitConfig.fromJson(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("norm: "), e.getMessage());
        assertEquals("norm", e.field());
    }

    // ---------------------------------------------------------------- helpers

    private static ObjectNode noLabels(ObjectNode o) {
        o.remove("num_labels");
        return o;
    }

    static String smallJson() {
        return BinaryVitConfig.small().toJson();
    }

    static String withField(String json, Consumer<ObjectNode> edit) {
        try {
            ObjectNode o = (ObjectNode) M.readTree(json);
            edit.accept(o);
            return M.writeValueAsString(o);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
