package dev.binaryvit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JmhResultsTest {

    @Test
    void readsARecordedFile() throws IOException {
        JmhResults r = JmhResults.read(List.of(Samples.file("jmh-gemm.json")));
        assertEquals(16, r.all().size()); // 8 shapes x 2 widths, method vector
        JmhResults.Result one = r.one("BinaryGemmBenchmark", "vector", "shape", "3136x64x512", "vectorBits", "512")
                .orElseThrow();
        assertEquals("dev.binaryvit.bench.BinaryGemmBenchmark.vector", one.benchmark());
        assertEquals("BinaryGemmBenchmark", one.className());
        assertEquals("vector", one.method());
        assertEquals("avgt", one.mode());
        assertEquals("us/op", one.unit());
        assertEquals(3, one.samples());
        // rawData [[266.503..., 279.891..., 261.820...]]: the median is the middle one, not JMH's mean score
        assertEquals(266.5032768092974, one.median(), 1e-12);
        assertEquals(269.4049958564353, one.score(), 1e-12);
        assertEquals(266.5032768092974e-6, one.seconds(), 1e-18);
        assertEquals(261.8201810570382e-6, one.bestSeconds(), 1e-18);
        assertEquals(List.of("3136x64x512", "3136x512x64", "3136x64x64", "784x128x1024", "196x256x1024",
                "196x1024x256", "49x512x2048", "49x2048x512"), r.values("BinaryGemmBenchmark", "shape"));
        assertEquals(8, r.find("BinaryGemmBenchmark", "vector", "vectorBits", "256").size());
        assertTrue(r.one("BinaryGemmBenchmark", "reference").isEmpty());
    }

    @Test
    void readsEveryFileOfARunAndSkipsMissingOnes() throws IOException {
        JmhResults r = JmhResults.read(List.of(Samples.file("jmh-probes-compute.json"),
                Samples.file("jmh-model.json"), Samples.raw().resolve("jmh-absent.json")));
        assertEquals(9 + 6, r.all().size());
        assertEquals(List.of("jmh-probes-compute.json", "jmh-model.json"), r.sources());
        // ms/op, hand-written sample: [26.0, 27.3, 26.4] -> 26.4 ms
        assertEquals(0.0264, r.one("ModelBenchmark", "forward", "threads", "1", "batch", "1", "vectorBits", "512")
                .orElseThrow().seconds(), 1e-12);
        // single-shot mode, no params
        JmhResults.Result ref = r.one("ModelReferenceBenchmark", "reference").orElseThrow();
        assertEquals("ss", ref.mode());
        assertEquals(1.51, ref.seconds(), 1e-12);
        assertEquals(java.util.Map.of(), ref.params());
        assertTrue(r.hasClass("PeakFmaProbe"));
        assertFalse(r.hasClass("FloatGemmBaseline"));
    }

    @Test
    void unitsAndMedians() {
        assertEquals(2e-6, JmhResults.secondsPerOp(2, "us/op"), 1e-18);
        assertEquals(2e-9, JmhResults.secondsPerOp(2, "ns/op"), 1e-21);
        assertEquals(2e-3, JmhResults.secondsPerOp(2, "ms/op"), 1e-15);
        assertEquals(2, JmhResults.secondsPerOp(2, "s/op"), 0);
        assertEquals(0.25, JmhResults.secondsPerOp(4, "ops/s"), 0);
        assertEquals(0.25e-3, JmhResults.secondsPerOp(4, "ops/ms"), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> JmhResults.secondsPerOp(1, "furlongs"));
        assertEquals(2, JmhResults.median(new double[] {3, 1, 2}), 0);
        assertEquals(2.5, JmhResults.median(new double[] {4, 1, 3, 2}), 0);
        assertTrue(Double.isNaN(JmhResults.median(new double[0])));
    }

    @Test
    void withoutRawDataTheScoreStands(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("jmh-x.json");
        Files.writeString(f, """
                [{"benchmark":"a.b.C.m","mode":"thrpt","params":{"p":"1"},
                  "primaryMetric":{"score":500.0,"scoreError":"NaN","scoreUnit":"ops/s"}}]""");
        JmhResults.Result r = JmhResults.read(List.of(f)).all().get(0);
        assertEquals(500.0, r.median(), 0);
        assertEquals(0.002, r.seconds(), 1e-15);
        assertTrue(Double.isNaN(r.scoreError()));
        assertEquals("C", r.className());
    }

    @Test
    void rejectsWhatIsNotAResultFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("jmh-bad.json");
        Files.writeString(f, "{\"benchmark\": 1}");
        assertThrows(IOException.class, () -> JmhResults.read(List.of(f)));
        Path empty = dir.resolve("jmh-empty.json");
        Files.writeString(empty, "");
        assertTrue(JmhResults.read(List.of(empty)).isEmpty());
    }
}
