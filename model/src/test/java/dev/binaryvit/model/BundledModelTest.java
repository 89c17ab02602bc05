package dev.binaryvit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled Fashion-MNIST model (models/binaryvit-fashion-mnist): its training checkpoint, read
 * directly, and its safetensors weights give the same logits bit for bit; the jar's copy is the
 * repository's; a config without the training flags takes them from the checkpoint's args.
 */
class BundledModelTest {

    /** The model directory in the repository (tests run in the module's directory). */
    static final Path DIR = Path.of("..", "models", "binaryvit-fashion-mnist");

    @TempDir
    Path tmp;

    @Test
    void checkpointAndSafetensorsGiveBitIdenticalLogits() throws IOException {
        Path config = DIR.resolve("config.json");
        Path preprocessor = DIR.resolve("preprocessor_config.json");
        ModelFiles fromCheckpoint = ModelFiles.read(config, DIR.resolve("checkpoint.pth"), preprocessor);
        ModelFiles fromSafetensors = ModelFiles.read(config, DIR.resolve("weights.safetensors"), preprocessor);
        BundledImages images = BundledImages.load();
        try (BinaryVit a = BinaryVit.create(fromCheckpoint, 1); BinaryVit b = BinaryVit.create(fromSafetensors, 2)) {
            int per = a.imageFloats();
            float[] input = new float[images.size() * per];
            for (int i = 0; i < images.size(); i++) a.preprocessor().apply(images.image(i), input, i * per);
            float[] la = a.forward(input, images.size());
            float[] lb = b.forward(input, images.size());
            assertArrayEquals(la, lb, "checkpoint.pth and weights.safetensors");
            // every float parameter of the checkpoint's model equals the safetensors copy
            for (String name : fromSafetensors.tensors().names()) {
                assertArrayEquals(fromSafetensors.tensors().tensor(name).data(),
                        fromCheckpoint.tensors().tensor(name).data(), name);
            }
        }
    }

    @Test
    void verifyReadsTheTrainingCheckpoint() throws IOException {
        // a reference case of the bundled images through the double-precision NaiveForward, beside the checkpoint
        ModelFiles files = ModelFiles.read(DIR);
        BundledImages images = BundledImages.load();
        int per = files.config().numChannels() * files.config().imageSize() * files.config().imageSize();
        float[] input = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) files.preprocessor().apply(images.image(i), input, i * per);
        Safetensors reference = SyntheticCase.create(Weights.check(files.tensors(), files.config()), input, images.size());
        Path dir = Files.createDirectories(tmp.resolve("verify"));
        Files.copy(DIR.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(DIR.resolve("checkpoint.pth"), dir.resolve("checkpoint.pth"));
        SafetensorsWriter.write(dir.resolve("case.safetensors"), reference.tensors());
        CommandLineTest.Result r = CommandLineTest.cli("verify", dir.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.last().startsWith("verify: PASS layers=5 ") && r.last().endsWith("top1_agree=10/10"), r.last());
    }

    @Test
    void theJarCarriesTheRepositorysModel() throws IOException {
        for (String name : new String[] {"config.json", "preprocessor_config.json", "weights.safetensors", "images.csv"}) {
            assertArrayEquals(Files.readAllBytes(DIR.resolve(name)), ModelFiles.resource(name), name);
        }
        try (BinaryVit bundled = BinaryVit.bundled(1); BinaryVit dir = BinaryVit.load(DIR)) {
            assertEquals(dir.config(), bundled.config());
            assertEquals(10, bundled.config().numLabels());
            assertEquals("Ankle boot", bundled.config().label(9).orElseThrow());
            assertEquals(1, bundled.preprocessor().channels());
        }
    }

    @Test
    void trainingFlagsMissingFromConfigComeFromTheCheckpointArgs() throws IOException {
        // The official configs lack the flags; the training script's args hold them.
        Map<String, Object> args = TorchCheckpoint.read(DIR.resolve("checkpoint.pth")).args();
        assertEquals(true, args.get("avg_res3"));
        assertEquals(true, args.get("replace_ln_bn"));
        String json = Files.readString(DIR.resolve("config.json"));
        BinaryVitConfig full = BinaryVitConfig.fromJson(json);
        ObjectNode stripped = (ObjectNode) new ObjectMapper().readTree(json);
        stripped.remove(List.of("avg_res3", "avg_res5", "disable_layerscale", "some_fp", "norm"));
        Path config = tmp.resolve("config.json");
        Files.writeString(config, stripped.toString());
        assertEquals(full, BinaryVitConfig.fromJson(config, args));
        // a flag the checkpoint trained with overrides the default, and one in config.json wins over it
        Map<String, Object> changed = new LinkedHashMap<>(args);
        changed.put("avg_res5", false);
        assertEquals(false, BinaryVitConfig.fromJson(config, changed).avgRes5());
        assertEquals(true, BinaryVitConfig.fromJson(DIR.resolve("config.json"), changed).avgRes5());
        changed.put("replace_ln_bn", false);
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> BinaryVitConfig.fromJson(config, changed));
        assertTrue(e.getMessage().contains("layernorm"), e.getMessage());
    }

    @Test
    void aModelDirectoryFindsItsWeightsByName() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        Files.copy(DIR.resolve("config.json"), dir.resolve("config.json"));
        IOException none = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ModelFiles.read(dir));
        assertTrue(none.getMessage().contains("has no weights") && none.getMessage().contains("pytorch_model.bin"),
                none.getMessage());
        // a Hugging Face style directory: pytorch_model.bin, no preprocessor config (1 channel: none known)
        Files.copy(DIR.resolve("checkpoint.pth"), dir.resolve("pytorch_model.bin"));
        ModelFiles files = ModelFiles.read(dir);
        assertTrue(files.source().endsWith("pytorch_model.bin"), files.source());
        assertEquals(null, files.preprocessor());
        try (BinaryVit m = BinaryVit.create(files, 1)) {
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    m::preprocessor);
            assertTrue(e.getMessage().contains("preprocessor_config.json"), e.getMessage());
        }
        // safetensors comes first when both are there
        Files.copy(DIR.resolve("weights.safetensors"), dir.resolve("model.safetensors"));
        assertTrue(ModelFiles.read(dir).source().endsWith("model.safetensors"));
        Files.delete(dir.resolve("config.json"));
        IOException noConfig = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ModelFiles.read(dir));
        assertTrue(noConfig.getMessage().contains("has no config.json"), noConfig.getMessage());
    }
}
