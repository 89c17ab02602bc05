package dev.binaryvit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RooflineReportTest {

    private static final Pattern LAST_LINE =
            Pattern.compile("bench: model_ms=\\S+ gemm_peak_fraction=\\S+ report=reports/ROOFLINE\\.md");

    private static void assertNoNonNumbers(String md) {
        assertFalse(md.contains("NaN"), "NaN printed");
        assertFalse(md.contains("Infinity"), "Infinity printed");
        assertFalse(md.contains("null"), "null printed");
    }

    @Test
    void theRecordedRunMakesACompleteReport() throws IOException {
        RooflineReport.Inputs in = RooflineReport.load(Samples.raw());
        String md = RooflineReport.markdown(in);
        assertNoNonNumbers(md);
        assertTrue(md.startsWith("# Roofline report\n\nProduced by `./binaryvit bench --quick`"));
        assertTrue(md.contains("Load average 4.85 at the start, 4.11 at the end (2 CPUs)"));
        for (String section : List.of("## Machine", "## Machine probes (one core)", "### Ceilings used",
                "## Roofline chart", "## Per step (layers)", "## Per operator", "## Speed-ups",
                "### Vector kernels against the scalar reference", "### Binary GEMM against OpenBLAS sgemm",
                "### Forward pass against the sum of its steps", "### 2 threads against 1",
                "### 256-bit against 512-bit vectors", "## What bounds each stage", "## How the numbers are made",
                "## Raw files")) {
            assertTrue(md.contains(section), section);
        }
        // machine
        assertTrue(md.contains("| CPU | AMD EPYC (2 logical CPUs) |"));
        assertTrue(md.contains("L1d 32.0 KiB, L2 1.00 MiB, L3 32.0 MiB (shared by 2)"));
        assertTrue(md.contains("OpenBLAS 0.3.31, 1 thread(s)"));
        // probes: the best iteration of PeakBinaryProbe.longs at 512 bits, 10556.5 ns for 8,388,608 MACs
        assertTrue(md.contains("| binary XOR+popcount+add | longs | 512 | 10.6 µs | 8.39 M | 795 GMAC/s |"), md);
        assertTrue(md.contains("| binary peak | 795 GMAC/s |"));
        // per step: every step of the profile, with its share and its slowest operator
        for (String step : List.of("| embeddings |", "| layer.0 |", "| patch_embed1 |", "| layer.3 |", "| head |")) {
            assertTrue(md.contains(step), step);
        }
        assertTrue(md.contains("| layer.0 | 3.10 ms | 50% |"));
        assertTrue(md.contains("fc1 (350 µs)"));
        // per operator: query runs in two steps
        assertTrue(md.contains("| query | binary_gemm | 2 | 200 µs |"));
        // alone: both query rows have one (100 + 60 us), attention only one of its two rows
        assertTrue(md.contains("| query | binary_gemm | 2 | 200 µs | 8.2% | 160 µs | 1.25x |"), md);
        assertTrue(md.contains("| attention | attention | 2 | 450 µs | 19% | – | – |"), md);
        assertTrue(md.contains("| layer.0/attention | attention | 300 µs | 250 µs | 1.20x |"), md);
        // the unknown operator kind is reported, not fatal
        assertTrue(md.contains("layer.0/shuffle: no formula for kind 'mystery'"));
        // binary GEMM against sgemm: 3136x64x512, sgemm median 2.24 ms, binary vector 512 median 267 us
        assertTrue(md.contains("| 3136x64x512 | 267 µs (vector) | 443 µs (vector) | 2.24 ms | 8.40x |"), md);
        // forward against steps: 6.40 ms against 6.23 ms
        assertTrue(md.contains("| operator profile: forward median | 6.40 ms | 6.23 ms | 1.03x |"));
        assertTrue(md.contains("| ModelBenchmark.forward (batch 1, 1 thread) | 26.4 ms | 6.23 ms | 4.24x |"));
        // 2 threads against 1: 26.4 / 15.2 ms, and 207 / 112 ms for 8 images
        assertTrue(md.contains("| ModelBenchmark.forward | batch=1 vectorBits=512 | 26.4 ms | 15.2 ms | 1.74x |"));
        assertTrue(md.contains("| ModelBenchmark.forward | batch=8 vectorBits=512 | 25.9 ms | 14.0 ms | 1.85x |"));
        // vector against reference: the model's scalar path (its own class) against 1 image on 1 thread
        assertTrue(md.contains("| ModelBenchmark | forward | batch=1 threads=1 vectorBits=512 | 1.51 s | 26.4 ms | 57.2x |"));
        // 256 against 512 bits, whole model: 30.5 against 26.4 ms
        assertTrue(md.contains("| ModelBenchmark.forward | batch=1 threads=1 | 30.5 ms | 26.4 ms | 1.16x |"));
        // and a kernel: the vector GEMM 3136x64x512 at 443 and 267 us
        assertTrue(md.contains("| BinaryGemmBenchmark.vector | shape=3136x64x512 | 443 µs | 267 µs | 1.66x |"));
        // stages
        assertTrue(md.contains("- **Stage 0 layers** (1 step, 3136 tokens x 64 channels): 3.10 ms, 50% of the steps."));
        assertTrue(md.contains("Its operators account for 39% of that time."));
        assertTrue(md.contains("- [`raw/operator-profile.json`](raw/operator-profile.json)"));
    }

    @Test
    void summaryLine() throws IOException {
        RooflineReport.Summary s = RooflineReport.summary(RooflineReport.load(Samples.raw()));
        assertEquals(0.0264, s.modelSeconds(), 1e-12);
        // best GEMM: 196x1024x256 at 512 bits, 61.18 us = 8.398e11 MAC/s; best probe: longs 256, 8.255e11
        assertEquals(1.0173, s.gemmPeakFraction(), 1e-4);
        String line = s.line("reports/ROOFLINE.md");
        assertEquals("bench: model_ms=26.4 gemm_peak_fraction=1.017 report=reports/ROOFLINE.md", line);
        assertTrue(LAST_LINE.matcher(line).matches());
    }

    @Test
    void anEmptyRunIsReportedNotFatal(@TempDir Path dir) throws IOException {
        RooflineReport.Inputs in = RooflineReport.load(dir.resolve("raw"));
        String md = RooflineReport.markdown(in);
        assertNoNonNumbers(md);
        assertTrue(md.contains("## Missing inputs and caveats"));
        assertTrue(md.contains("No JMH results"));
        assertTrue(md.contains("Operator profile missing"));
        assertTrue(md.contains("The machine description"));
        assertTrue(md.contains("No probe results"));
        RooflineReport.Summary s = RooflineReport.write(in, dir);
        assertEquals("bench: model_ms=n/a gemm_peak_fraction=n/a report=reports/ROOFLINE.md", s.line("reports/ROOFLINE.md"));
        assertTrue(Files.exists(dir.resolve("ROOFLINE.md")));
        assertTrue(Files.exists(dir.resolve("roofline.svg")));
    }

    @Test
    void withoutTheProfileAndModelTheRestStillReports(@TempDir Path dir) throws IOException {
        Path raw = Files.createDirectories(dir.resolve("raw"));
        for (String f : List.of("machine.json", "jmh-probes-compute.json", "jmh-probes-bandwidth.json", "jmh-gemm.json")) {
            Files.copy(Samples.file(f), raw.resolve(f));
        }
        RooflineReport.Inputs in = RooflineReport.load(raw);
        String md = RooflineReport.markdown(in);
        assertNoNonNumbers(md);
        assertTrue(md.contains("Operator profile missing"));
        assertTrue(md.contains("No OpenBLAS results in this run."));
        assertTrue(md.contains("No 1- and 2-thread pair of ModelBenchmark.forward in this run."));
        assertTrue(md.contains("| 3136x64x512 | 267 µs (vector) | 443 µs (vector) | – | – |"));
        RooflineReport.Summary s = RooflineReport.summary(in);
        assertTrue(Double.isNaN(s.modelSeconds()));
        assertTrue(Double.isFinite(s.gemmPeakFraction()));
    }

    @Test
    void openBlasThatDidNotLoadIsSaid(@TempDir Path dir) throws IOException {
        Path raw = Files.createDirectories(dir.resolve("raw"));
        Machine m = Machine.read(Samples.file("machine.json"));
        new Machine(m.cpuModel(), m.logicalCpus(), m.cpuFlags(), m.caches(), m.memoryBytes(), m.os(), m.jdk(),
                m.kernels(), m.vectorBits(), java.util.Map.of("loaded", "false",
                "error", "UnsatisfiedLinkError: no jniopenblas_nolapack")).write(raw.resolve("machine.json"));
        Files.copy(Samples.file("jmh-gemm.json"), raw.resolve("jmh-gemm.json"));
        String md = RooflineReport.markdown(RooflineReport.load(raw));
        assertTrue(md.contains("not loaded: UnsatisfiedLinkError: no jniopenblas_nolapack"));
        assertTrue(md.contains("No OpenBLAS results: the natives did not load (UnsatisfiedLinkError"));
    }

    @Test
    void writesBothFiles(@TempDir Path dir) throws IOException {
        RooflineReport.Summary s = RooflineReport.write(RooflineReport.load(Samples.raw()), dir);
        String md = Files.readString(dir.resolve("ROOFLINE.md"));
        assertTrue(md.contains("![roofline](roofline.svg)"));
        assertFalse(md.contains("The chart could not be drawn"));
        assertTrue(Files.size(dir.resolve("roofline.svg")) > 1000);
        assertEquals(0.0264, s.modelSeconds(), 1e-12);
    }
}
