package dev.binaryvit.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.binaryvit.kernels.Kernels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the benchmarks ran on: CPU, caches (from {@code /sys/devices/system/cpu/cpu0/cache}), memory,
 * OS, JDK, the kernels' vector width, and whether OpenBLAS loaded. Collected once by
 * {@link BenchCommand} and kept as {@code reports/raw/machine.json}, so the report can be rewritten
 * from the raw files alone. Every field may be missing on an unusual machine: readers cope.
 *
 * @param cpuModel      {@code model name} from /proc/cpuinfo, or the os.arch
 * @param logicalCpus   processors available to the JVM
 * @param cpuFlags      the SIMD flags of interest that the CPU reports (avx2, avx512f, avx512_vpopcntdq, ...)
 * @param caches        data and unified caches of cpu0, smallest level first
 * @param memoryBytes   MemTotal, or 0 when unknown
 * @param os            os.name and os.version
 * @param jdk           java.vendor, java.vm.name, java.runtime.version
 * @param kernels       {@link Kernels#description()}
 * @param vectorBits    the kernels' vector width, 0 when they run the scalar reference
 * @param openblas      "loaded" / "error" and OpenBLAS details (version, cores, threads)
 */
public record Machine(String cpuModel, int logicalCpus, List<String> cpuFlags, List<Cache> caches, long memoryBytes,
                      String os, String jdk, String kernels, int vectorBits, Map<String, String> openblas) {

    /** One cache of cpu0: level 1..3, type Data or Unified, size in bytes, and how many CPUs share it. */
    public record Cache(int level, String type, long bytes, int sharedBy) {}

    private static final Set<String> FLAGS_OF_INTEREST = Set.of("sse4_2", "avx", "avx2", "fma", "avx512f",
            "avx512bw", "avx512vl", "avx512_vpopcntdq", "avx512_bitalg", "avx512_bf16", "avx512_vnni");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Machine {
        cpuFlags = cpuFlags == null ? List.of() : List.copyOf(cpuFlags);
        caches = caches == null ? List.of() : List.copyOf(caches);
        openblas = openblas == null ? Map.of() : Map.copyOf(openblas);
    }

    /** Reads this machine. */
    public static Machine detect() {
        String model = System.getProperty("os.arch");
        Set<String> flags = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (key.equals("model name") && model.equals(System.getProperty("os.arch"))) {
                    model = value;
                } else if (key.equals("flags") && flags.isEmpty()) {
                    for (String f : value.split("\\s+")) {
                        if (FLAGS_OF_INTEREST.contains(f)) {
                            flags.add(f);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the os.arch stands in
        }
        String jdk = System.getProperty("java.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version");
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version");
        Map<String, String> blas = new LinkedHashMap<>();
        OpenBlas.Status status = OpenBlas.status();
        blas.put("loaded", Boolean.toString(status.loaded()));
        if (status.error() != null) {
            blas.put("error", status.error());
        }
        blas.putAll(status.details());
        return new Machine(model, Runtime.getRuntime().availableProcessors(), List.copyOf(flags),
                readCaches(Path.of("/sys/devices/system/cpu/cpu0/cache")), memTotal(), os, jdk,
                Kernels.description(), Kernels.vectorBits(), blas);
    }

    /** The data and unified caches under a sysfs {@code cache} directory (index0, index1, ...), by level. */
    static List<Cache> readCaches(Path dir) {
        List<Cache> caches = new ArrayList<>();
        try (var entries = Files.list(dir)) {
            for (Path index : entries.filter(p -> p.getFileName().toString().startsWith("index")).toList()) {
                try {
                    String type = Files.readString(index.resolve("type")).trim();
                    if (type.equals("Instruction")) {
                        continue;
                    }
                    int level = Integer.parseInt(Files.readString(index.resolve("level")).trim());
                    long bytes = parseSize(Files.readString(index.resolve("size")).trim());
                    int shared = 1;
                    Path list = index.resolve("shared_cpu_list");
                    if (Files.exists(list)) {
                        shared = countCpus(Files.readString(list).trim());
                    }
                    caches.add(new Cache(level, type, bytes, shared));
                } catch (IOException | RuntimeException e) {
                    // an unreadable index: skip it
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        caches.sort(Comparator.comparingInt(Cache::level));
        return caches;
    }

    /** "32K", "1024K", "32M", "65536" (bytes) to bytes. */
    static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K")) {
            unit = 1024;
        } else if (t.endsWith("M")) {
            unit = 1024 * 1024;
        } else if (t.endsWith("G")) {
            unit = 1024L * 1024 * 1024;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t.trim()) * unit;
    }

    /** CPUs in a list like "0-3,8,10-11". */
    static int countCpus(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            n += dash < 0 ? 1 : Integer.parseInt(p.substring(dash + 1)) - Integer.parseInt(p.substring(0, dash)) + 1;
        }
        return Math.max(1, n);
    }

    private static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return 0;
    }

    /** Bytes of the data (or unified) cache at {@code level}, or 0 when there is none. */
    public long cacheBytes(int level) {
        for (Cache c : caches) {
            if (c.level() == level) {
                return c.bytes();
            }
        }
        return 0;
    }

    /** True when OpenBLAS loaded in the run that collected this. */
    public boolean openblasLoaded() {
        return Boolean.parseBoolean(openblas.getOrDefault("loaded", "false"));
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), this);
    }

    public static Machine read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Machine.class);
    }
}
