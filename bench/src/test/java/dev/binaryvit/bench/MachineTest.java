package dev.binaryvit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineTest {

    private static void index(Path dir, int i, int level, String type, String size, String shared) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
        Files.writeString(d.resolve("shared_cpu_list"), shared + "\n");
    }

    @Test
    void readsSysfsCaches(@TempDir Path dir) throws IOException {
        index(dir, 0, 1, "Data", "32K", "0");
        index(dir, 1, 1, "Instruction", "32K", "0");
        index(dir, 3, 3, "Unified", "32768K", "0-1");
        index(dir, 2, 2, "Unified", "1024K", "0");
        Files.writeString(dir.resolve("uevent"), "");
        List<Machine.Cache> caches = Machine.readCaches(dir);
        assertEquals(List.of(new Machine.Cache(1, "Data", 32 << 10, 1), new Machine.Cache(2, "Unified", 1 << 20, 1),
                new Machine.Cache(3, "Unified", 32 << 20, 2)), caches);
        assertEquals(List.of(), Machine.readCaches(dir.resolve("absent")));
    }

    @Test
    void sizesAndCpuLists() {
        assertEquals(32 << 10, Machine.parseSize("32K"));
        assertEquals(32 << 20, Machine.parseSize("32M"));
        assertEquals(512, Machine.parseSize("512"));
        assertEquals(4, Machine.countCpus("0-3"));
        assertEquals(5, Machine.countCpus("0-1,4,6-7"));
        assertEquals(1, Machine.countCpus(""));
    }

    @Test
    void roundTripsThroughJson(@TempDir Path dir) throws IOException {
        Machine m = new Machine("CPU", 2, List.of("avx2"), List.of(new Machine.Cache(1, "Data", 32768, 1)), 1L << 30,
                "Linux", "JDK 25", "Vector API, 512-bit", 512, Map.of("loaded", "false", "error", "no natives"));
        m.write(dir.resolve("m.json"));
        Machine back = Machine.read(dir.resolve("m.json"));
        assertEquals(m, back);
        assertEquals(32768, back.cacheBytes(1));
        assertEquals(0, back.cacheBytes(3));
        assertEquals(false, back.openblasLoaded());
    }

    @Test
    void readsTheRecordedSample() throws IOException {
        Machine m = Machine.read(Samples.file("machine.json"));
        assertEquals(1 << 20, m.cacheBytes(2));
        assertTrue(m.openblasLoaded());
        assertEquals(512, m.vectorBits());
    }
}
