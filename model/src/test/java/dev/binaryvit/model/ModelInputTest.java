package dev.binaryvit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Misuse of the library's entry points on a variant config: each refused with a message saying what was expected. */
class ModelInputTest {

    static final String CONFIG = VariantsTest.json(64, 4, new int[] {24, 48, 96, 192}, new int[] {1, 1, 1, 1},
            new int[] {1, 2, 4, 8}, new int[] {4, 2, 1, 1}, 2, "\"num_labels\": 10");

    static BinaryVit model;

    @BeforeAll
    static void load() {
        BinaryVitConfig c = BinaryVitConfig.fromJson(CONFIG);
        try {
            model = BinaryVit.create(c, SyntheticWeights.create(c, 5), 2);
        } catch (WeightsException e) {
            throw new AssertionError(e);
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static void refused(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' should contain '" + expected + "'");
    }

    @Test
    void forwardChecksItsSizes() {
        int per = 3 * 64 * 64;
        assertEquals(per, model.imageFloats());
        refused("images has 12287 floats but needs 12288 (batch 1 x 3 x 64 x 64)", () -> model.forward(new float[per - 1], 1));
        refused("images has 12288 floats but needs 24576 (batch 2 x 3 x 64 x 64)", () -> model.forward(new float[per], 2));
        refused("images is null", () -> model.forward(null, 1));
        refused("batch must be >= 1, got 0", () -> model.forward(new float[0], 0));
        refused("batch must be >= 1, got -1", () -> model.forward(new float[per], -1));
        refused("logits has 9 floats but needs 10 (batch 1 x labels 10)",
                () -> model.forward(new float[per], 1, new float[9], StepObserver.NONE));
        refused("logits has 10 floats but needs 20",
                () -> model.forward(new float[2 * per], 2, new float[10], StepObserver.NONE));
        // the model still works after refusing
        assertEquals(30, model.forward(new float[3 * per], 3).length);
    }

    @Test
    void theStepEntryPointsCheckTheirSizes() {
        int per = model.imageFloats();
        refused("images has 5 floats but needs 12288", () -> model.embed(new float[5], 1));
        // hidden.0 is 16 x 16 tokens of 24 channels; hidden.1, after the first merging, 8 x 8 of 48
        refused("hidden has 6143 floats but needs 6144 (hidden.0 of batch 1)", () -> model.layer(0, new float[6143], 1));
        refused("hidden has 6144 floats but needs 3072 (hidden.1 of batch 1)", () -> model.layer(1, new float[6144], 1));
        refused("layer -1 does not exist: the model has 4", () -> model.layer(-1, new float[6144], 1));
        refused("layer 4 does not exist: the model has 4", () -> model.layer(4, new float[6144], 1));
        refused("hidden has 1 floats but needs 1536 (the encoder output of batch 2)", () -> model.head(new float[1], 2));
        refused("batch must be >= 1", () -> model.layer(0, new float[0], 0));
        float[] h0 = model.embed(new float[2 * per], 2);
        assertEquals(2 * 256 * 24, h0.length);
        assertEquals(2 * 64 * 48, model.layer(0, h0, 2).length);
    }

    @Test
    void topChecksItsArguments() {
        float[] logits = model.forward(new float[2 * model.imageFloats()], 2);
        assertEquals(5, model.top(logits, 1, 5).size());
        assertEquals(10, model.top(logits, 0, 50).size(), "k above the label count gives every label");
        refused("image 2 is not in a batch of 2", () -> model.top(logits, 2, 5));
        refused("image -1 is not in a batch of 2", () -> model.top(logits, -1, 5));
        refused("k must be >= 1, got 0", () -> model.top(logits, 0, 0));
        refused("logits has 7 floats, not a multiple of the 10 labels", () -> model.top(new float[7], 0, 1));
    }

    @Test
    void classifyTakesAnyRgbImage() {
        BufferedImage tiny = new BufferedImage(3, 200, BufferedImage.TYPE_INT_RGB);
        List<Prediction> top = model.classify(tiny, 3);
        assertEquals(3, top.size());
        assertTrue(top.get(0).probability() >= top.get(2).probability());
        assertThrows(NullPointerException.class, () -> model.classify(null, 3));
    }

    @Test
    void loadNamesTheMissingFile(@TempDir Path dir) {
        Exception e = assertThrows(java.io.IOException.class, () -> BinaryVit.load(dir));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
