package dev.binaryvit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line end to end through {@link Main#execute}: {@code verify} on synthetic reference
 * cases (PASS and FAIL with the contract's last line), {@code run} on images and configs, and every
 * bad input a user can give, each answered with exit code 2 and one clear message, no stack trace.
 */
class CommandLineTest {

    /** A small variant config (head dims 24 and 48, reduction [4,2,1,1]) with 10 named labels. */
    static final String CONFIG = VariantsTest.json(64, 4, new int[] {24, 48, 96, 192}, new int[] {1, 1, 1, 1},
            new int[] {1, 1, 2, 4}, new int[] {4, 2, 1, 1}, 2,
            "\"id2label\": {\"0\": \"tench\", \"1\": \"goldfish\", \"2\": \"great white shark\", \"3\": \"tiger shark\","
                    + " \"4\": \"hammerhead\", \"5\": \"electric ray\", \"6\": \"stingray\", \"7\": \"cock\","
                    + " \"8\": \"hen\", \"9\": \"ostrich\"}");

    @TempDir
    static Path tmp;

    static BinaryVitConfig config;
    static Safetensors weights;
    static Safetensors reference;
    /** config.json, weights.safetensors and a case.safetensors of batch 3 that verify passes. */
    static Path good;

    @BeforeAll
    static void makeCase() throws IOException {
        config = BinaryVitConfig.fromJson(CONFIG);
        weights = SyntheticWeights.create(config, 11);
        reference = SyntheticCase.create(Weights.check(weights, config), 3, 12);
        good = SyntheticCase.writeDir(tmp.resolve("good"), config, weights, reference);
    }

    record Result(int code, String out, String err) {
        /** The last line printed on stdout. */
        String last() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Exit code 2, every fragment in the message, and nothing that looks like a stack trace. */
    static void assertUserError(Result r, String... fragments) {
        assertEquals(2, r.code(), "exit code; stderr:\n" + r.err() + "\nstdout:\n" + r.out());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "stderr should contain '" + f + "':\n" + r.err());
        }
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "no stack trace:\n" + r.err());
    }

    /** A copy of the good case directory with one file replaced by {@code bytes} (or removed, if null). */
    static Path variant(String name, String file, byte[] bytes) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (String f : new String[] {"config.json", "weights.safetensors", "case.safetensors"}) {
            if (!f.equals(file)) Files.copy(good.resolve(f), dir.resolve(f));
        }
        if (bytes != null) Files.write(dir.resolve(file), bytes);
        return dir;
    }

    static byte[] bytes(Safetensors s) {
        return SafetensorsWriter.toBytes(s.tensors());
    }

    // ---------------------------------------------------------------- verify

    @Test
    void verifyPassesOnASyntheticCaseWithTheContractLastLine() {
        Result r = cli("verify", good.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.last().matches("verify: PASS layers=4 worst_layer_max_abs=\\d\\.\\d{3}e[-+]\\d+ "
                + "worst_layer_frac_over_1e-3=\\d\\.\\d{3}e[-+]\\d+ logits_max_abs=\\d\\.\\d{3}e[-+]\\d+ top1_agree=3/3"),
                r.last());
        assertTrue(r.out().contains("teacher-forced"), r.out());
        assertEquals("", r.err());
        // two threads: the same verdict
        Result two = cli("verify", good.toString(), "--threads", "2");
        assertEquals(0, two.code(), two.out() + two.err());
        assertEquals(r.last(), two.last());
    }

    @Test
    void verifyFailsWhenOneHiddenStateIsPerturbed() throws IOException {
        Tensor h = reference.tensor("hidden.2");
        float[] data = h.data().clone();
        for (int i = 0; i < data.length; i += 3) data[i] += 1f;   // a third of the values off by 1
        Path dir = variant("perturbed", "case.safetensors",
                bytes(SyntheticCase.replace(reference, "hidden.2", new Tensor("hidden.2", "F32", h.shape(), data))));
        Result r = cli("verify", dir.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.last().startsWith("verify: FAIL layers=4 "), r.last());
        // layer 1 (compared with hidden.2) and layer 2 (fed hidden.2) fail; 0 and 3 pass
        String table = r.out();
        assertTrue(table.lines().anyMatch(l -> l.matches("\\s+1\\s+hidden\\.2\\s.*FAIL")), table);
        assertTrue(table.lines().anyMatch(l -> l.matches("\\s+2\\s+hidden\\.3\\s.*FAIL")), table);
        assertTrue(table.lines().anyMatch(l -> l.matches("\\s+0\\s+hidden\\.1\\s.*ok")), table);
        assertTrue(r.last().endsWith("top1_agree=3/3"), "the end-to-end run does not read hidden states: " + r.last());
    }

    @Test
    void verifyFailsOnPerturbedLogits() throws IOException {
        Tensor l = reference.tensor("logits");
        float[] data = l.data().clone();
        data[0] += 0.5f;
        Path dir = variant("logits", "case.safetensors",
                bytes(SyntheticCase.replace(reference, "logits", new Tensor("logits", "F32", l.shape(), data))));
        Result r = cli("verify", dir.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.last().startsWith("verify: FAIL "), r.last());
    }

    @Test
    void verifyOnAMissingDirectory() {
        Path dir = tmp.resolve("no-such-dir");
        assertUserError(cli("verify", dir.toString()), dir + " does not exist");
        assertUserError(cli("verify", good.resolve("config.json").toString()), "config.json is not a directory");
    }

    @Test
    void verifyOnADirectoryMissingAFile() throws IOException {
        for (String f : new String[] {"config.json", "case.safetensors"}) {
            Path dir = variant("without-" + f, f, null);
            assertUserError(cli("verify", dir.toString()), dir.resolve(f) + " is missing");
        }
        Path dir = variant("without-weights", "weights.safetensors", null);
        assertUserError(cli("verify", dir.toString()), "model directory " + dir + " has no weights",
                "weights.safetensors", "checkpoint.pth");
    }

    @Test
    void verifyOnCorruptSafetensors() throws IOException {
        byte[] w = Files.readAllBytes(good.resolve("weights.safetensors"));
        Path truncated = variant("truncated-weights", "weights.safetensors", Arrays.copyOf(w, w.length - 100));
        assertUserError(cli("verify", truncated.toString()), truncated.resolve("weights.safetensors").toString());
        Path garbage = variant("garbage-case", "case.safetensors", "this is not a safetensors file".getBytes());
        assertUserError(cli("verify", garbage.toString()), garbage.resolve("case.safetensors").toString());
        Path empty = variant("empty-case", "case.safetensors", new byte[0]);
        assertUserError(cli("verify", empty.toString()), empty.resolve("case.safetensors").toString());
    }

    @Test
    void verifyOnACaseWithoutAHiddenState() throws IOException {
        Path dir = variant("no-hidden3", "case.safetensors", bytes(SyntheticCase.replace(reference, "hidden.3", null)));
        assertUserError(cli("verify", dir.toString()), "case.safetensors", "'hidden.3'");
        Path noLogits = variant("no-logits", "case.safetensors", bytes(SyntheticCase.replace(reference, "logits", null)));
        assertUserError(cli("verify", noLogits.toString()), "'logits'");
        Path noInput = variant("no-input", "case.safetensors", bytes(SyntheticCase.replace(reference, "input", null)));
        assertUserError(cli("verify", noInput.toString()), "'input'");
    }

    @Test
    void verifyOnCaseTensorsOfTheWrongSize() throws IOException {
        Tensor h = reference.tensor("hidden.1");
        float[] shorter = Arrays.copyOf(h.data(), h.data().length - 3 * 48);   // one token less per image
        Path dir = variant("short-hidden1", "case.safetensors", bytes(SyntheticCase.replace(reference, "hidden.1",
                Tensor.of("hidden.1", shorter, h.shape()[0], h.shape()[1] - 1, h.shape()[2]))));
        assertUserError(cli("verify", dir.toString()), "'hidden.1'", String.valueOf(shorter.length),
                String.valueOf(h.data().length));
        // an input of another image size: its batch is read from the shape, the size does not fit
        Tensor in = reference.tensor("input");
        Path big = variant("big-input", "case.safetensors", bytes(SyntheticCase.replace(reference, "input",
                Tensor.of("input", new float[3 * 3 * 96 * 96], 3, 3, 96, 96))));
        assertUserError(cli("verify", big.toString()), "'input'", String.valueOf(in.data().length));
        // an input that is not 4-d
        Path flat = variant("flat-input", "case.safetensors", bytes(SyntheticCase.replace(reference, "input",
                Tensor.of("input", in.data(), in.data().length))));
        assertUserError(cli("verify", flat.toString()), "'input'", "4-d");
        // a batch of 0
        Path none = variant("empty-batch", "case.safetensors", bytes(SyntheticCase.replace(reference, "input",
                Tensor.of("input", new float[0], 0, 3, 64, 64))));
        assertUserError(cli("verify", none.toString()), "'input'", "batch of 0");
    }

    @Test
    void verifyWithWeightsMissingATensor() throws IOException {
        String name = "vit.encoder.layer.2.attention.attention.normk.running_var";
        Path dir = variant("missing-tensor", "weights.safetensors", bytes(SyntheticCase.replace(weights, name, null)));
        assertUserError(cli("verify", dir.toString()), "missing: " + name + " [96]");
    }

    @Test
    void verifyWithATensorOfTheWrongShape() throws IOException {
        String name = "vit.encoder.layer.1.intermediate.dense.weight";
        Path dir = variant("wrong-shape", "weights.safetensors", bytes(SyntheticCase.replace(weights, name,
                Tensor.of(name, weights.tensor(name).data(), 48, 96))));
        assertUserError(cli("verify", dir.toString()), "wrong shape: " + name + " expected [96, 48] found [48, 96]");
    }

    @Test
    void verifyWithTheWeightsOfAWrappedStateDict() throws IOException {
        Map<String, Tensor> prefixed = new java.util.LinkedHashMap<>();
        for (Tensor t : weights.tensors().values()) {
            prefixed.put("module." + t.name(), new Tensor("module." + t.name(), t.dtype(), t.shape(), t.data()));
        }
        Path dir = variant("module-prefix", "weights.safetensors", SafetensorsWriter.toBytes(prefixed));
        Result r = cli("verify", dir.toString());
        assertUserError(r, "weights do not fit the config", "the file's names carry the prefix 'module.'",
                "missing: vit.embeddings.position_embeddings [1, 256, 24]", "... and ");
        assertTrue(r.err().lines().count() < 30, "a bounded message:\n" + r.err());
    }

    @Test
    void verifyWithWeightsHoldingImpossibleValues() throws IOException {
        String var = "vit.encoder.layer.0.layernorm_after.running_var";
        float[] v = weights.tensor(var).data().clone();
        v[5] = -0.25f;
        Path negative = variant("negative-variance", "weights.safetensors",
                bytes(SyntheticCase.replace(weights, var, Tensor.of(var, v, v.length))));
        assertUserError(cli("verify", negative.toString()), "bad value: " + var + "[5] = -0.25 (a variance cannot be negative)");
        String w = "vit.encoder.layer.3.output.dense.weight";
        float[] nan = weights.tensor(w).data().clone();
        nan[2 * 384 + 7] = Float.NaN;
        Path withNaN = variant("nan-weight", "weights.safetensors",
                bytes(SyntheticCase.replace(weights, w, Tensor.of(w, nan, 192, 384))));
        assertUserError(cli("verify", withNaN.toString()), "bad value: " + w + "[2, 7] = NaN (every value must be finite)");
    }

    @Test
    void verifyWithABadConfig() throws IOException {
        Path dir = variant("bad-config", "config.json", CONFIG.replace("\"num_attention_heads\": [1, 1, 2, 4]",
                "\"num_attention_heads\": [1, 5, 2, 4]").getBytes());
        assertUserError(cli("verify", dir.toString()), "bad config", "num_attention_heads[1]",
                dir.resolve("config.json").toString());
        Path notJson = variant("not-json", "config.json", "{\"hidden_size\": [".getBytes());
        assertUserError(cli("verify", notJson.toString()), "bad config", "not valid JSON");
        // a valid config, but not the one of these weights
        Path other = variant("other-config", "config.json",
                CONFIG.replace("\"depths\": [1, 1, 1, 1]", "\"depths\": [1, 2, 1, 1]").getBytes());
        assertUserError(cli("verify", other.toString()), "weights do not fit the config", "missing: vit.encoder.layer.4.",
                "wrong shape: vit.encoder.layer.2.");
    }

    @Test
    void verifyWarnsOfWeightsTheConfigDoesNotUse() throws IOException {
        // without token reduction the config needs a subset of the weights: it loads, and fails
        Path other = variant("subset-config", "config.json",
                CONFIG.replace("\"reduction_ratio\": [4, 2, 1, 1]", "\"reduction_ratio\": [1, 1, 1, 1]").getBytes());
        Result r = cli("verify", other.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("warning: 18 tensors of weights.safetensors are not used by config.json: "
                + "[vit.encoder.layer.0.attention.attention.mover, "), r.out());
        assertTrue(r.last().startsWith("verify: FAIL "), r.last());
    }

    @Test
    void verifyUsageErrors() {
        assertUserError(cli("verify", good.toString(), "--threads", "0"), "--threads");
        assertUserError(cli("verify", good.toString(), "--threads", "two"), "--threads");
        assertUserError(cli("verify"), "DIR");
        assertUserError(cli("verify", good.toString(), "--no-such-option"), "--no-such-option");
        assertUserError(cli("frobnicate"), "frobnicate");
        assertUserError(cli(), "a command is required");
    }

    // ---------------------------------------------------------------- run

    static Path png(String name, int width, int height, int seed) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, ((x * 7 + seed * 31) & 255) << 16 | ((y * 5 + seed * 17) & 255) << 8 | ((x + y) * 3 & 255));
            }
        }
        Path file = tmp.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    @Test
    void runOnTwoImagesPrintsBothWithLabels() throws IOException {
        Path a = png("a.png", 80, 70, 1);
        Path b = png("b.png", 50, 90, 2);
        Result r = cli("run", "--config", good.resolve("config.json").toString(),
                "--weights", good.resolve("weights.safetensors").toString(), "--runs", "1", "--warmup", "1", a.toString(),
                b.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("\n" + a + "\n") && out.contains("\n" + b + "\n"), out);
        // top-5 of each, with label names from id2label
        long ranked = out.lines().filter(l -> l.matches("\\s+[1-5]\\. .* p=\\d\\.\\d{4}\\s+logit=-?\\d+\\.\\d{3}")).count();
        assertEquals(10, ranked, out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+1\\. (tench|goldfish|great white shark|tiger shark|hammerhead"
                + "|electric ray|stingray|cock|hen|ostrich)\\s+p=.*")), out);
        assertFalse(out.contains("class "), "every class has a name: " + out);
        assertTrue(out.contains("per-step time, batch 2, median of 1 runs after 1 warm-up runs"), out);
        for (String step : new String[] {"embeddings", "layer.0", "patch_embed1", "layer.3", "head", "forward"}) {
            assertTrue(out.lines().anyMatch(l -> l.strip().startsWith(step + " ")), step + " in\n" + out);
        }
        // the same image alone gets the same top-5 as in the batch
        Result alone = cli("run", "--config", good.resolve("config.json").toString(),
                "--weights", good.resolve("weights.safetensors").toString(), "--runs", "1", "--warmup", "0", b.toString());
        assertEquals(0, alone.code());
        assertEquals(top5(out, b.toString()), top5(alone.out(), b.toString()));
    }

    @Test
    void runClassifiesManyImagesInBatchesOfEight() throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--config", good.resolve("config.json").toString(),
                "--weights", good.resolve("weights.safetensors").toString(), "--runs", "1", "--warmup", "0"));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 11; i++) names.add(png("many" + i + ".png", 30 + i, 40, i).toString());
        args.addAll(names);
        Result r = cli(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());
        for (String name : names) {
            assertTrue(r.out().contains("\n" + name + "\n"), name + " in\n" + r.out());
        }
        assertEquals(55, r.out().lines().filter(l -> l.matches("\\s+[1-5]\\. .* p=.*")).count(), r.out());
        assertTrue(r.out().contains("per-step time, batch 8, "), r.out());
        // an image in the second batch that cannot be decoded: named, after the first batch's results
        Path bad = tmp.resolve("bad-in-second-batch.png");
        Files.write(bad, new byte[] {1, 2, 3});
        args.set(args.size() - 1, bad.toString());
        Result failed = cli(args.toArray(String[]::new));
        assertUserError(failed, bad.toString());
    }

    private static String top5(String out, String image) {
        int at = out.indexOf("\n" + image + "\n");
        return String.join("\n", out.substring(at + image.length() + 2).lines().limit(5).toList());
    }

    @Test
    void runOnTheBuiltInModelPrintsTopFiveAndTheStepTable() {
        Result r = cli("run", "--synthetic", "small", "--runs", "1", "--warmup", "1");
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("BinaryViT-S with built-in deterministic weights (--synthetic"), out);
        assertTrue(out.contains("sample.png (bundled)"), out);
        long ranked = out.lines().filter(l -> l.matches("\\s+[1-5]\\. class \\d+\\s+p=\\d\\.\\d{4}\\s+logit=-?\\d+\\.\\d{3}")).count();
        assertEquals(5, ranked, out);
        // every step of BinaryViT-S: embeddings, 19 layers, 3 mergings, the head
        for (int i = 0; i < 19; i++) {
            String step = "layer." + i;
            assertTrue(out.lines().anyMatch(l -> l.strip().startsWith(step + " ")), step + " in\n" + out);
        }
        assertTrue(out.lines().anyMatch(l -> l.strip().startsWith("patch_embed3 ") && l.contains("49x512")), out);
        assertTrue(out.lines().anyMatch(l -> l.strip().startsWith("head ") && l.contains("1x1000")), out);
        assertTrue(r.last().strip().startsWith("forward"), r.last());
        System.out.println(out);
    }

    @Test
    void runWithAMissingOrUnreadableImage() throws IOException {
        Path missing = tmp.resolve("missing.png");
        assertUserError(cli("run", "--config", good.resolve("config.json").toString(),
                "--weights", good.resolve("weights.safetensors").toString(), missing.toString()),
                "image file not found: " + missing);
        Path garbage = tmp.resolve("garbage.png");
        Files.write(garbage, "not a PNG at all".getBytes());
        assertUserError(cli("run", "--config", good.resolve("config.json").toString(),
                "--weights", good.resolve("weights.safetensors").toString(), garbage.toString()), garbage.toString());
        Path truncated = tmp.resolve("truncated.png");
        byte[] pngBytes = Files.readAllBytes(png("whole.png", 40, 40, 3));
        Files.write(truncated, Arrays.copyOf(pngBytes, pngBytes.length / 2));
        assertUserError(cli("run", "--config", good.resolve("config.json").toString(),
                "--weights", good.resolve("weights.safetensors").toString(), truncated.toString()), truncated.toString());
        assertUserError(cli("run", "--runs", "1", tmp.toString()), "directory", tmp.toString());
    }

    @Test
    void runUsageErrors() {
        assertUserError(cli("run", "--weights", good.resolve("weights.safetensors").toString()),
                "--weights and --config go together");
        assertUserError(cli("run", "--config", good.resolve("config.json").toString()),
                "--weights and --config go together");
        assertUserError(cli("run", "--model", good.toString(), "--synthetic", "small"), "choose one model");
        assertUserError(cli("run", "--synthetic", "large"), "--synthetic: only 'small'");
        assertUserError(cli("run", "--model", tmp.resolve("nowhere").toString()), "nowhere does not exist");
        assertUserError(cli("run", "--model", good.resolve("config.json").toString()), "is not a directory");
        assertUserError(cli("run", "--threads", "0"), "--threads");
        assertUserError(cli("run", "--threads", "-3"), "--threads");
        assertUserError(cli("run", "--runs", "0"), "--runs");
        assertUserError(cli("run", "--warmup", "-1"), "--warmup must be >= 0");
        assertUserError(cli("run", "--threads"), "--threads");
        assertUserError(cli("run", "--threads", "100000"), "--threads must be at most 256");
        assertUserError(cli("verify", good.toString(), "--threads", "100000"), "--threads must be in [1, 256]");
        assertUserError(cli("verify", tmp.resolve("nowhere").toString(), "--threads", "0"), "--threads");
    }

    @Test
    void runWithMissingOrBadModelFiles() throws IOException {
        Path config = good.resolve("config.json");
        Path w = good.resolve("weights.safetensors");
        Path nowhere = tmp.resolve("nowhere.json");
        assertUserError(cli("run", "--config", nowhere.toString(), "--weights", w.toString()), nowhere.toString());
        Path noWeights = tmp.resolve("nowhere.safetensors");
        assertUserError(cli("run", "--config", config.toString(), "--weights", noWeights.toString()), noWeights.toString());
        assertUserError(cli("run", "--config", tmp.toString(), "--weights", w.toString()), tmp.toString());
        assertUserError(cli("run", "--config", config.toString(), "--weights", tmp.toString()), tmp.toString());
        // the weights of another config
        Path tinyWeights = Fixtures.tiny().resolve("weights.safetensors");
        assertUserError(cli("run", "--config", config.toString(), "--weights", tinyWeights.toString()),
                "weights do not fit the config", "is this the config of these weights?");
        // config.json of an unsupported model
        Path layerNorm = tmp.resolve("layernorm.json");
        Files.writeString(layerNorm, CONFIG.replaceFirst("\\{", "{\"norm\": \"layernorm\", "));
        assertUserError(cli("run", "--config", layerNorm.toString(), "--weights", w.toString()), "norm", "layernorm.json");
    }

    @Test
    void runOnAGreyModelNeedsItsPreprocessorConfig() throws IOException {
        BinaryVitConfig gray = BinaryVitConfig.fromJson(CONFIG.replaceFirst("\\{", "{\"num_channels\": 1, "));
        Path dir = SyntheticCase.writeDir(tmp.resolve("gray"), gray, SyntheticWeights.create(gray, 3),
                Safetensors.of(Map.of(), Map.of()));
        assertUserError(cli("run", "--model", dir.toString(), "--runs", "1"), "1-channel", "preprocessor_config.json");
        Files.writeString(dir.resolve("preprocessor_config.json"), "{\"size\": {\"height\": 64, \"width\": 64},"
                + " \"image_mean\": [0.5], \"image_std\": [0.25]}");
        Result r = cli("run", "--model", dir.toString(), "--runs", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("sample.png (bundled)"), r.out());
    }

    @Test
    void runWithoutArgumentsClassifiesTheBundledImagesWithTheBundledModel() {
        Result r = cli("run", "--runs", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("bundled BinaryViT trained on Fashion-MNIST"), out);
        // one image of each class, each with its true label beside the prediction
        for (String label : new String[] {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                "Sneaker", "Bag", "Ankle boot"}) {
            assertTrue(out.lines().anyMatch(l -> l.contains("(bundled)  (true: " + label + ", ")), label + " in\n" + out);
        }
        assertTrue(out.lines().anyMatch(l -> l.matches("top-1 right on \\d+ of 10 labelled images")), out);
        long right = out.lines().filter(l -> l.contains(", right)")).count();
        assertTrue(right >= 7, "a trained model gets most of its own test images right:\n" + out);
        assertTrue(r.last().strip().startsWith("forward"), r.last());
    }
}
