package dev.binaryvit.model;

import static dev.binaryvit.model.CommandLineTest.assertUserError;
import static dev.binaryvit.model.CommandLineTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.binaryvit.model.CommandLineTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval} end to end on the bundled model and real Fashion-MNIST test images: the first 500
 * test images shipped with the model, against the official PyTorch model's logits on them.
 */
class EvalCommandTest {

    static final Path TEST_500 = BundledModelTest.DIR.resolve("test-500");
    static final Pattern LAST = Pattern.compile(
            "eval: images=(\\d+) top1=(\\d\\.\\d{4}) top5=(\\d\\.\\d{4}) agree=(\\d+)/(\\d+) images_per_s=\\d+\\.\\d");

    @TempDir
    static Path tmp;

    /** The first 500 rows of the official run's reference.safetensors (it covers all 10,000 test images). */
    static Path reference500;

    @BeforeAll
    static void sliceReference() throws IOException {
        Safetensors all = Safetensors.read(BundledModelTest.DIR.resolve("reference.safetensors"));
        Map<String, Tensor> first = new LinkedHashMap<>();
        for (String name : new String[] {"logits", "logits_fp32", "labels"}) {
            Tensor t = all.tensor(name);
            int width = t.shape().length == 2 ? (int) t.shape()[1] : 1;
            float[] rows = Arrays.copyOf(t.data(), 500 * width);
            first.put(name, t.shape().length == 2 ? Tensor.of(name, rows, 500, width) : Tensor.of(name, rows, 500));
        }
        reference500 = tmp.resolve("reference-500.safetensors");
        SafetensorsWriter.write(reference500, first);
    }

    @Test
    void agreesWithTheOfficialModelImageByImageOnOneAndTwoThreads() throws IOException {
        Result one = cli("eval", TEST_500.toString(), "--reference", reference500.toString());
        Result two = cli("eval", TEST_500.toString(), "--reference", reference500.toString(), "--threads", "2",
                "--batch", "7");
        for (Result r : new Result[] {one, two}) {
            assertAgrees(r, reference500, 500);
            assertTrue(r.out().contains("data: Fashion-MNIST IDX t10k-first500-images-idx3-ubyte.gz: 500 images 28x28"),
                    r.out());
        }
        // the same classifications whatever the threads and the batch: all but the speed agree
        assertEquals(withoutSpeed(one.out()), withoutSpeed(two.out()));
    }

    @Test
    void onTheWholeTestSetTheAccuracyIsTheOfficialModels() throws IOException {
        assumeTrue(Files.isDirectory(EvalCommand.DEBIAN_FASHION_MNIST), "Debian's dataset-fashion-mnist is not installed");
        Path reference = BundledModelTest.DIR.resolve("reference.safetensors");
        assumeTrue(Safetensors.read(reference).tensor("labels").shape()[0] == 10_000, "a reference of the whole test set");
        Result r = cli("eval", EvalCommand.DEBIAN_FASHION_MNIST.toString(), "--reference", reference.toString(),
                "--threads", "2", "--batch", "64");
        assertAgrees(r, reference, 10_000);
        // the bar: top-1 within 0.1 points of the official float32 model's
        Matcher m = LAST.matcher(r.last());
        assertTrue(m.matches(), r.last());
        assertEquals(top1(Safetensors.read(reference), "logits_fp32"), Double.parseDouble(m.group(2)), 0.001, r.last());
    }

    /**
     * Top-1 agreement with the float64 official logits on all but one image in a thousand (the issue's
     * 9,990 of 10,000), and an accuracy that those disagreements alone can explain.
     */
    private static void assertAgrees(Result r, Path reference, int n) throws IOException {
        assertEquals(0, r.code(), r.out() + r.err());
        Matcher m = LAST.matcher(r.last());
        assertTrue(m.matches(), r.last());
        assertEquals(n, Integer.parseInt(m.group(1)));
        assertEquals(n, Integer.parseInt(m.group(5)));
        int agree = Integer.parseInt(m.group(4));
        assertTrue(agree >= n - (n + 999) / 1000, "top-1 agreement with float64 PyTorch: " + r.last());
        double official = top1(Safetensors.read(reference), "logits");
        assertEquals(official, Double.parseDouble(m.group(2)), (n - agree) / (double) n + 1e-9, r.last());
    }

    /** The top-1 accuracy of a reference's logits against its labels. */
    private static double top1(Safetensors reference, String logits) {
        float[] lo = reference.tensor(logits).data();
        float[] labels = reference.tensor("labels").data();
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            if (EvalReport.argmax(Arrays.copyOfRange(lo, i * 10, i * 10 + 10)) == (int) labels[i]) right++;
        }
        return right / (double) labels.length;
    }

    private static String withoutSpeed(String out) {
        return out.lines().filter(l -> !l.startsWith("threads:") && !l.contains("images/s") && !l.contains("per second"))
                .map(l -> l.replaceAll("images_per_s=\\S+", "")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void predictionsGiveOneRowPerImageWithTheTopClassOfTheModel() throws IOException {
        Path csv = tmp.resolve("predictions.csv");
        Result r = cli("eval", TEST_500.toString(), "--batch", "7", "--predictions", csv.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        java.util.List<String> lines = Files.readAllLines(csv);
        assertEquals(PredictionsCsv.HEADER, lines.getFirst());
        assertEquals(501, lines.size());
        // Rows in data set order, each the model's own top-1 of that image.
        IdxFile data = IdxFile.open(TEST_500);
        try (BinaryVit m = BinaryVit.bundled(1)) {
            for (int i : new int[] {0, 1, 250, 499}) {
                Prediction best = m.classify(data.image(i), 1).getFirst();
                assertEquals(String.join(",", data.name(i), IdxFile.FASHION_MNIST_CLASSES.get(data.label(i)), best.label(),
                        Float.toString(best.probability()), ""), lines.get(i + 1));
            }
        }
    }

    @Test
    void predictionsNameAnUnreadableImageWithItsError() throws IOException {
        Path root = tmp.resolve("flat");
        Files.createDirectories(root);
        Files.copy(BundledModelTest.DIR.resolve("images").resolve("t10k-00002.png"), root.resolve("a.png"));
        Files.write(root.resolve("b,broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Path csv = tmp.resolve("flat.csv");
        Result r = cli("eval", root.toString(), "--predictions", csv.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        java.util.List<String> lines = Files.readAllLines(csv);
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith(root.resolve("a.png") + ",,Trouser,"), lines.get(1));
        assertTrue(lines.get(2).startsWith("\"" + root.resolve("b,broken.png") + "\",,,,"), lines.get(2));
        assertUserError(cli("eval", TEST_500.toString(), "--predictions", tmp.resolve("no/such/dir.csv").toString()),
                "does not exist");
    }

    @Test
    void anUnreadableImageIsNamedAndCountedAndTheRunGoesOn() throws IOException {
        Path root = tmp.resolve("folder");
        for (String cls : new String[] {"Trouser", "Bag"}) Files.createDirectories(root.resolve(cls));
        Path images = BundledModelTest.DIR.resolve("images");
        Files.copy(images.resolve("t10k-00002.png"), root.resolve("Trouser").resolve("a.png"));   // a trouser
        Files.copy(images.resolve("t10k-00018.png"), root.resolve("Bag").resolve("b.png"));       // a bag
        Files.write(root.resolve("Bag").resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Result r = cli("eval", root.toString(), "--batch", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("broken.png"), r.out());
        Matcher m = Pattern.compile("eval: images=(\\d+) top1=(\\S+) top5=\\S+ images_per_s=\\S+").matcher(r.last());
        assertTrue(m.matches(), r.last());
        assertEquals(2, Integer.parseInt(m.group(1)));
    }

    @Test
    void withoutDataItSaysWhichDataItChose() {
        Result r = cli("eval", "--batch", "64");
        assertEquals(0, r.code(), r.out() + r.err());
        boolean debian = Files.isDirectory(EvalCommand.DEBIAN_FASHION_MNIST);
        assertTrue(r.out().contains(debian ? "no DATA given: Debian's Fashion-MNIST test set"
                : "the bundled images"), r.out());
        assertTrue(r.last().startsWith("eval: images=" + (debian ? 10000 : 10) + " "), r.last());
    }

    @Test
    void usageErrors() throws IOException {
        assertUserError(cli("eval", tmp.resolve("nowhere").toString()), "nowhere");
        assertUserError(cli("eval", TEST_500.toString(), "--batch", "0"), "--batch");
        assertUserError(cli("eval", TEST_500.toString(), "--threads", "0"), "--threads");
        assertUserError(cli("eval", TEST_500.toString(), "--reference", tmp.resolve("none.safetensors").toString()),
                "none.safetensors");
        // a reference of another data set: its rows do not match the images
        Path tenRows = tmp.resolve("ten-rows.safetensors");
        SafetensorsWriter.write(tenRows, Map.of("logits", Tensor.of("logits", new float[100], 10, 10)));
        assertUserError(cli("eval", TEST_500.toString(), "--reference", tenRows.toString()),
                "'logits' has shape [10, 10] but the data set has 500 images");
        assertUserError(cli("eval", BundledModelTest.DIR.resolve("images").resolve("t10k-00000.png").toString()),
                "a single image, not a data set");
    }
}
