package dev.binaryvit.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench --against MODEL.onnx}: options, refusals, the report section, and short real runs (never a time). */
class AgainstTest {

    /**
     * The shared anchors' MobileNetV2: beside the repository ({@code ../shared}, as the fixtures'
     * README has it), else where this machine keeps it (a worktree elsewhere).
     */
    private static final Path MOBILENET = Stream.of(BenchCommand.findRoot().resolve("../shared"), Path.of("/work/shared"))
            .map(d -> d.resolve("anchors/mobilenet_v2.onnx").normalize()).filter(Files::isRegularFile).findFirst()
            .orElse(Path.of("../shared/anchors/mobilenet_v2.onnx"));

    private static final Pattern LINE = Pattern.compile(
            "bench: against (\\S+) threads=(\\d+) onnx_ms=(\\S+) binaryvit_ms=(\\S+) ratio=(\\S+)");

    /** The exit code, stdout and stderr of one command line. */
    private record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.startsWith("WARNING:")).toList();
        }
    }

    private static Run bench(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchCommand.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Exit code 2, one line on stderr containing {@code expected}, and nothing run or written. */
    private static void refused(Path dir, String expected, String... args) {
        Path reports = dir.resolve("reports");
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--reports", reports.toString()));
        Run r = bench(all.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("bench: "), line);
        assertTrue(line.contains(expected), line + " lacks " + expected);
        assertEquals("", r.out());
        assertFalse(Files.exists(reports), "something ran");
    }

    @Test
    void optionsParse() {
        BenchCommand c = new BenchCommand(System.out);
        new picocli.CommandLine(c).parseArgs("--against", "a.onnx", "--against", "dir/b.onnx", "--against-rounds", "5",
                "--against-images", "2", "--against-warmup", "0.5", "--only", "against");
        assertEquals(List.of(Path.of("a.onnx"), Path.of("dir/b.onnx")), c.against);
        assertEquals(5, c.againstRounds);
        assertEquals(2, c.againstImages);
        assertEquals(0.5, c.againstWarmup);
        assertEquals(List.of("against"), c.only);
        BenchCommand none = new BenchCommand(System.out);
        new picocli.CommandLine(none).parseArgs("--quick");
        assertNull(none.against);
    }

    @Test
    void settingsFollowQuickAndTheOptions() {
        Against.Settings full = Against.Settings.of(false, null, null, null);
        Against.Settings quick = Against.Settings.of(true, null, null, null);
        assertTrue(quick.rounds() < full.rounds());
        assertTrue(quick.binaryVitWarmupSeconds() < full.binaryVitWarmupSeconds());
        assertTrue(full.binaryVitWarmupSeconds() >= 8, "BinaryViT-S needs ModelBenchmark's warm-up");
        assertTrue(quick.imagesPerRound() < full.imagesPerRound());
        Against.Settings given = Against.Settings.of(true, 3, 1, 1.0);
        assertEquals(3, given.rounds());
        assertEquals(1, given.imagesPerRound());
        assertEquals(1.0, given.binaryVitWarmupSeconds());
        assertEquals(0.25, given.onnxWarmupSeconds());
    }

    @Test
    void aMissingFileIsOneLineAndExitCode2(@TempDir Path dir) {
        refused(dir, "--against " + dir.resolve("nope.onnx") + ": no such file", "--against", dir.resolve("nope.onnx").toString());
    }

    @Test
    void aDirectoryIsRefused(@TempDir Path dir) {
        refused(dir, ": not a file", "--against", dir.toString());
    }

    @Test
    void aFileOnnxRuntimeCannotLoadIsRefused(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("junk.onnx"), "not a protobuf\n");
        refused(dir, "junk.onnx: ONNX Runtime", "--against", f.toString());
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        refused(dir, "empty.onnx: ONNX Runtime", "--against", empty.toString());
    }

    @Test
    void aModelWithTwoInputsIsRefused(@TempDir Path dir) throws IOException {
        Path f = TinyOnnx.add(dir.resolve("two.onnx"), 1L, 3L, 224L, 224L);
        refused(dir, "the model has 2 inputs (x, y)", "--against", f.toString());
    }

    @Test
    void aModelWhoseInputIsNotFloatIsRefused(@TempDir Path dir) throws IOException {
        Path f = TinyOnnx.identity(dir.resolve("ints.onnx"), TinyOnnx.INT64, 1L, 3L, 224L, 224L);
        refused(dir, "input 'x' is INT64 [1, 3, 224, 224], not float32", "--against", f.toString());
    }

    @Test
    void aModelWhoseInputIsNotAnImageIsRefused(@TempDir Path dir) throws IOException {
        Path vector = TinyOnnx.identity(dir.resolve("vector.onnx"), TinyOnnx.FLOAT, "batch", 10L);
        refused(dir, "input 'x' is float [batch, 10], not an image [1, 3, 224, 224]", "--against", vector.toString());
        Path big = TinyOnnx.identity(dir.resolve("big.onnx"), TinyOnnx.FLOAT, 1L, 3L, 256L, 256L);
        refused(dir, "not an image", "--against", big.toString());
    }

    @Test
    void theOtherModelsAreCheckedToo(@TempDir Path dir) throws IOException {
        Path good = TinyOnnx.identity(dir.resolve("good.onnx"), TinyOnnx.FLOAT, 1L, 3L, 224L, 224L);
        refused(dir, "missing.onnx: no such file", "--against", good.toString(), "--against",
                dir.resolve("missing.onnx").toString());
    }

    @Test
    void badOptionsAreOneLineAndExitCode2(@TempDir Path dir) throws IOException {
        refused(dir, "--only against needs one or more --against", "--only", "against");
        refused(dir, "--against-rounds must be at least 1", "--against-rounds", "0");
        refused(dir, "--against-images must be at least 1", "--against-images", "0");
        refused(dir, "--against-warmup must be", "--against-warmup", "-1");
        Path good = TinyOnnx.identity(dir.resolve("good.onnx"), TinyOnnx.FLOAT, 1L, 3L, 224L, 224L);
        refused(dir, "--report-only runs nothing", "--report-only", "--against", good.toString());
    }

    @Test
    void dynamicDimensionsTakeTheImagesValues(@TempDir Path dir) throws Exception {
        assertArrayEquals(new long[] {1, 3, 224, 224}, OnnxModel.resolve(new long[] {-1, 3, 224, 224}));
        assertArrayEquals(new long[] {1, 3, 224, 224}, OnnxModel.resolve(new long[] {-1, -1, -1, -1}));
        assertNull(OnnxModel.resolve(new long[] {2, 3, 224, 224}));
        assertNull(OnnxModel.resolve(new long[] {1, 224, 224, 3}));
        assertNull(OnnxModel.resolve(new long[] {3, 224, 224}));
        Path f = TinyOnnx.identity(dir.resolve("dynamic.onnx"), TinyOnnx.FLOAT, "batch", 3L, "height", "width");
        try (OnnxModel m = OnnxModel.open(f, 2)) {
            assertEquals("x", m.inputName());
            assertEquals("[batch, 3, height, width]", m.declaredShape());
            assertEquals("[1, 3, 224, 224]", m.shape());
            assertEquals(2, m.threads());
            m.run();
        }
        OnnxModel.Unusable e = assertThrows(OnnxModel.Unusable.class, () -> OnnxModel.open(dir.resolve("x.onnx"), 1));
        assertFalse(e.getMessage().contains("\n"));
    }

    private static AgainstResults sample() {
        Against.Settings s = new Against.Settings(3, 8, 8, 2, 50);
        AgainstResults.Model m = new AgainstResults.Model("m.onnx", "/x/m.onnx", "input", "[batch, 3, 224, 224]",
                "[1, 3, 224, 224]", Map.of(1, new double[] {8, 7, 9}, 2, new double[] {5, 4, 6}));
        return new AgainstResults("1.29.0", "BinaryViT-S, built-in weights, batch 1, input [1, 3, 224, 224]", 512, s,
                List.of(1, 2), Map.of(1, new double[] {16, 17, 15}, 2, new double[] {10, 11, 9}), List.of(m),
                Map.of(1, 0.98, 2, 1.7), List.of("m.onnx, 2 threads"));
    }

    @Test
    void theRawFileRoundTripsAndGivesMediansAndRatios(@TempDir Path dir) throws IOException {
        Path f = dir.resolve(AgainstResults.FILE);
        sample().write(f);
        AgainstResults r = AgainstResults.read(f);
        assertEquals("1.29.0", r.onnxRuntime());
        assertEquals(List.of(1, 2), r.threads());
        assertEquals(16, r.binaryVitMedian(1));
        assertEquals(8, r.models().get(0).median(1));
        assertEquals(2.0, r.ratio(r.models().get(0), 1));
        assertEquals(2.0, r.ratio(r.models().get(0), 2));
        assertEquals(1.7, r.coresAt(2));
        assertEquals(List.of("m.onnx, 2 threads"), r.unsteady());
        assertEquals(List.of("bench: against m.onnx threads=1 onnx_ms=8.00 binaryvit_ms=16.0 ratio=2.00",
                "bench: against m.onnx threads=2 onnx_ms=5.00 binaryvit_ms=10.0 ratio=2.00"), r.lines());
        Files.writeString(f, "[1, 2]");
        assertThrows(IOException.class, () -> AgainstResults.read(f));
    }

    @Test
    void theReportHasTheSection(@TempDir Path dir) throws IOException {
        Path raw = Files.createDirectories(dir.resolve("raw"));
        String without = RooflineReport.markdown(RooflineReport.load(raw));
        assertTrue(without.contains("## Against float models\n\nNot run: `./binaryvit bench --against MODEL.onnx`"));
        sample().write(raw.resolve(AgainstResults.FILE));
        String md = RooflineReport.markdown(RooflineReport.load(raw));
        assertTrue(md.contains("## Against float models"));
        assertTrue(md.contains("ONNX Runtime 1.29.0"));
        assertTrue(md.contains("| m.onnx | input [batch, 3, 224, 224], run at [1, 3, 224, 224] | 1 | 8.00 | 16.0 | 2.00 |"), md);
        assertTrue(md.contains("| m.onnx | input [batch, 3, 224, 224], run at [1, 3, 224, 224] | 2 | 5.00 | 10.0 | 2.00 |"));
        assertTrue(md.contains("- [`raw/against.json`](raw/against.json)"));
        assertTrue(md.contains("NOT steady when the cap of 90 s ended the warm-up: m.onnx, 2 threads."), md);
        assertTrue(md.contains("while the contenders ran (its CPU time over the wall time of the timed blocks): 0.980 at 1 thread, 1.70 at 2 threads."), md);
        Files.writeString(raw.resolve(AgainstResults.FILE), "{}");
        String broken = RooflineReport.markdown(RooflineReport.load(raw));
        assertTrue(broken.contains("could not be read"));
        assertTrue(broken.contains("Not run"));
    }

    /** The whole command on a tiny model: one round of one image, short warm-ups. */
    @Test
    void aTinyModelRunsThroughTheCommand(@TempDir Path dir) throws IOException {
        Path f = TinyOnnx.identity(dir.resolve("tiny.onnx"), TinyOnnx.FLOAT, "batch", 3L, 224L, 224L);
        checkRealRun(dir, f);
    }

    /** A real float model, if the shared anchors are on this machine: one round of one image, short warm-ups. */
    @Test
    void mobileNetRunsAgainstBinaryVit(@TempDir Path dir) throws IOException {
        assumeTrue(Files.isRegularFile(MOBILENET), "no " + MOBILENET.toAbsolutePath().normalize());
        checkRealRun(dir, MOBILENET);
    }

    private static void checkRealRun(Path dir, Path model) throws IOException {
        Path reports = dir.resolve("reports");
        // BinaryViT-S runs six images in all (per thread count: warm-up, untimed, timed), mostly
        // before the JIT has compiled it.
        Run r = bench("--quick", "--only", "against", "--against", model.toString(), "--against-rounds", "1",
                "--against-images", "1", "--against-warmup", "0", "--reports", reports.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String name = model.getFileName().toString();
        List<String> lines = r.out().lines().toList();
        int found = 0;
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                assertEquals(name, m.group(1));
                assertEquals(++found, Integer.parseInt(m.group(2)));
                for (int g = 3; g <= 5; g++) {
                    double v = Double.parseDouble(m.group(g));
                    assertTrue(Double.isFinite(v) && v > 0, line);
                }
            }
        }
        assertEquals(2, found, r.out());
        assertTrue(lines.get(lines.size() - 1).startsWith("bench: model_ms="), r.out());
        String md = Files.readString(reports.resolve("ROOFLINE.md"));
        assertTrue(md.contains("## Against float models"));
        assertTrue(md.contains("| " + name + " | "), md);
        AgainstResults res = AgainstResults.read(reports.resolve("raw").resolve(AgainstResults.FILE));
        assertEquals(1, res.settings().rounds());
        assertEquals(1, res.settings().imagesPerRound());
        for (int t : res.threads()) {
            assertTrue(res.binaryVitMedian(t) > 0);
            assertTrue(Double.isFinite(res.ratio(res.models().get(0), t)));
            assertTrue(res.coresAt(t) > 0);
        }
    }
}
