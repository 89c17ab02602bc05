package dev.binaryvit.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run plan (what is run, never how fast). */
class BenchCommandTest {

    private static final Machine EPYC = new Machine("AMD EPYC", 2, List.of(), List.of(
            new Machine.Cache(1, "Data", 32 << 10, 1), new Machine.Cache(2, "Unified", 1 << 20, 1),
            new Machine.Cache(3, "Unified", 32 << 20, 2)), 0, "", "", "", 512, Map.of());

    @Test
    void bandwidthWorkingSetsLiveInEachLevel() {
        assertArrayEquals(new String[] {"16", "512", "8192", "262144"}, BenchCommand.bandwidthSizes(EPYC));
        // unknown caches: the defaults
        assertArrayEquals(new String[] {"16", "512", "8192", "262144"}, BenchCommand.bandwidthSizes(null));
    }

    @Test
    void everyPlannedBenchmarkExistsAndTheModelIsIncludedByName() {
        for (boolean quick : new boolean[] {true, false}) {
            List<BenchCommand.Group> plan = BenchCommand.plan(quick, EPYC, true, 512);
            assertTrue(plan.stream().anyMatch(g -> g.name().equals("model")));
            for (BenchCommand.Group g : plan) {
                for (String include : g.includes()) {
                    String cls = include.replaceAll("^\\^dev\\\\\\.binaryvit\\\\\\.bench\\\\\\.", "")
                            .replaceAll("\\\\\\..*$", "");
                    if (!cls.equals(BenchCommand.MODEL_BENCHMARK)) {
                        assertTrue(BenchCommand.classExists(BenchCommand.PACKAGE + cls), cls);
                    }
                    assertTrue(Pattern.compile(include).matcher(BenchCommand.PACKAGE + cls + "."
                            + include.substring(include.indexOf("\\.(") + 3, include.indexOf('|') > 0
                            ? include.indexOf('|') : include.indexOf(")$"))).matches(), include);
                }
            }
        }
        assertFalse(BenchCommand.plan(true, EPYC, false, 512).stream().anyMatch(g -> g.name().equals("model")));
    }

    @Test
    void widthsFollowTheMachine() {
        for (BenchCommand.Group g : BenchCommand.plan(false, EPYC, true, 256)) {
            String[] bits = g.params().get("vectorBits");
            if (bits != null) {
                for (String b : bits) {
                    assertTrue(Integer.parseInt(b) <= 256, g.name() + " " + b);
                }
            }
        }
        BenchCommand.Group probes = BenchCommand.plan(true, EPYC, true, 512).get(0);
        assertArrayEquals(new String[] {"128", "256", "512"}, probes.params().get("vectorBits"));
    }

    @Test
    void theWholeModelGetsALongerWarmupThanTheKernels() {
        for (boolean quick : new boolean[] {true, false}) {
            for (BenchCommand.Group g : BenchCommand.plan(quick, EPYC, true, 512)) {
                double warmup = g.warmups() * g.warmupSeconds();
                if (g.name().startsWith("model")) {
                    assertTrue(warmup >= 8, g.name() + " warms up for " + warmup + " s");
                }
            }
        }
    }

    @Test
    void quickIsSmallerThanFull() {
        assertTrue(configs(BenchCommand.plan(true, EPYC, true, 512)) < 70);
        assertTrue(configs(BenchCommand.plan(false, EPYC, true, 512)) > configs(BenchCommand.plan(true, EPYC, true, 512)));
    }

    /** An upper estimate of forks: methods named x the product of the parameter overrides. */
    private static int configs(List<BenchCommand.Group> plan) {
        int n = 0;
        for (BenchCommand.Group g : plan) {
            int methods = g.includes().stream().mapToInt(i -> i.split("\\|").length).sum();
            int params = g.params().values().stream().mapToInt(v -> v.length).reduce(1, (a, b) -> a * b);
            n += methods * params;
        }
        return n;
    }

    @Test
    void reportOnlyRewritesTheReportFromRawFilesAndEndsWithTheContractLine(@TempDir Path dir) throws IOException {
        Path raw = Files.createDirectories(dir.resolve("raw"));
        try (var files = Files.list(Samples.raw())) {
            for (Path f : files.toList()) {
                Files.copy(f, raw.resolve(f.getFileName()));
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new picocli.CommandLine(new BenchCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .execute("--report-only", "--reports", dir.toString());
        assertEquals(0, code);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals("bench: model_ms=26.4 gemm_peak_fraction=1.017 report=" + dir.resolve("ROOFLINE.md"),
                lines[lines.length - 1]);
        assertTrue(Files.readString(dir.resolve("ROOFLINE.md")).contains("## Per step (layers)"));
        assertTrue(Files.exists(dir.resolve("roofline.svg")));
    }

    @Test
    void theCommandLineHasTheDesignedOptions() {
        BenchCommand c = new BenchCommand(System.out);
        new picocli.CommandLine(c).parseArgs("--quick", "--reports", "/tmp/x", "--only", "probes,gemm");
        assertTrue(c.quick);
        assertEquals(List.of("probes", "gemm"), c.only);
        assertEquals(0, BenchCommand.loadAverage().isEmpty() ? 1 : 0);
    }
}
