package dev.binaryvit.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The machine probes of one run, read from the JMH results: the compute rates of
 * {@link PeakBinaryProbe} and {@link PeakFmaProbe} per width, the bandwidths of
 * {@link BandwidthProbe} per working set, and the {@link Roofline} they make for this machine's caches.
 * A probe's figure is its fastest iteration, not its median: a probe measures a ceiling, and other
 * processes sharing the cores can only slow an iteration down.
 */
public final class Probes {

    /** A compute probe: rate in ops/s (binary MAC/s or FLOP/s) of one form at one width. */
    public record Rate(String probe, String form, int vectorBits, double seconds, double opsPerCall, double rate,
                       int samples) {}

    /** A bandwidth probe: stream (read or triad) over a working set, its level, and bytes/s. */
    public record Bandwidth(String stream, long kib, String level, double seconds, double bytes, double rate,
                            int samples) {}

    /** Default capacities when the machine's caches are unknown: a common x86 core. */
    static final long[] DEFAULT_CACHES = {32L << 10, 1L << 20, 32L << 20};

    private final List<Rate> binary = new ArrayList<>();
    private final List<Rate> fma = new ArrayList<>();
    private final List<Bandwidth> bandwidth = new ArrayList<>();
    private final long[] capacities;

    private Probes(JmhResults results, Machine machine) {
        capacities = capacities(machine);
        for (JmhResults.Result r : results.find("PeakBinaryProbe", null)) {
            int bits = Integer.parseInt(r.param("vectorBits"));
            double ops = PeakBinaryProbe.binaryMacs(bits);
            binary.add(new Rate("binary XOR+popcount+add", r.method(), bits, r.bestSeconds(), ops, ops / r.bestSeconds(),
                    r.samples()));
        }
        for (JmhResults.Result r : results.find("PeakFmaProbe", null)) {
            int bits = Integer.parseInt(r.param("vectorBits"));
            double ops = PeakFmaProbe.flops(bits);
            fma.add(new Rate("float32 FMA", r.method(), bits, r.bestSeconds(), ops, ops / r.bestSeconds(), r.samples()));
        }
        for (JmhResults.Result r : results.find("BandwidthProbe", null)) {
            long kib = Long.parseLong(r.param("kib"));
            double bytes = r.method().equals("triad") ? BandwidthProbe.triadBytes(kib) : BandwidthProbe.readBytes(kib);
            bandwidth.add(new Bandwidth(r.method(), kib, levelName(kib * 1024), r.bestSeconds(), bytes,
                    bytes / r.bestSeconds(), r.samples()));
        }
    }

    public static Probes from(JmhResults results, Machine machine) {
        return new Probes(results, machine);
    }

    /** L1, L2, L3 data-cache capacities of the machine, defaults where unknown. */
    static long[] capacities(Machine machine) {
        long[] c = DEFAULT_CACHES.clone();
        if (machine != null) {
            for (int level = 1; level <= 3; level++) {
                long bytes = machine.cacheBytes(level);
                if (bytes > 0) {
                    c[level - 1] = bytes;
                }
            }
        }
        return c;
    }

    /** The level a working set lives in: L1, L2, L3 or DRAM. */
    String levelName(double bytes) {
        for (int i = 0; i < capacities.length; i++) {
            if (bytes <= capacities[i]) {
                return "L" + (i + 1);
            }
        }
        return "DRAM";
    }

    public List<Rate> binary() {
        return binary;
    }

    public List<Rate> fma() {
        return fma;
    }

    public List<Bandwidth> bandwidth() {
        return bandwidth;
    }

    public boolean hasCompute() {
        return !binary.isEmpty() || !fma.isEmpty();
    }

    /** The best binary rate at a width (any width when 0): NaN when not measured. */
    public double binaryPeak(int vectorBits) {
        return best(binary, vectorBits);
    }

    /** The best FMA rate at a width (any width when 0): NaN when not measured. */
    public double floatPeak(int vectorBits) {
        return best(fma, vectorBits);
    }

    /** The widest width the binary and FMA probes both measured, or 0. */
    public int widestMeasured() {
        return binary.stream().mapToInt(Rate::vectorBits).max().orElse(0);
    }

    private static double best(List<Rate> rates, int bits) {
        return rates.stream().filter(r -> bits == 0 || r.vectorBits() == bits).mapToDouble(Rate::rate)
                .filter(Double::isFinite).max().orElse(Double.NaN);
    }

    /** The best bandwidth (over read and triad) measured in a level, NaN when none. */
    public double bandwidth(String level) {
        return bandwidth.stream().filter(b -> b.level().equals(level)).mapToDouble(Bandwidth::rate)
                .filter(Double::isFinite).max().orElse(Double.NaN);
    }

    /**
     * The roofline at a vector width: the peaks measured at that width (the best over all widths
     * when that width was not probed) and the best bandwidth measured in each level.
     */
    public Roofline roofline(int vectorBits) {
        double b = binaryPeak(vectorBits);
        if (!Double.isFinite(b)) {
            b = binaryPeak(0);
        }
        double f = floatPeak(vectorBits);
        if (!Double.isFinite(f)) {
            f = floatPeak(0);
        }
        List<Roofline.Level> levels = new ArrayList<>();
        for (int i = 0; i < capacities.length; i++) {
            levels.add(new Roofline.Level("L" + (i + 1), capacities[i], bandwidth("L" + (i + 1))));
        }
        levels.add(new Roofline.Level("DRAM", Long.MAX_VALUE, bandwidth("DRAM")));
        return new Roofline(b, f, levels);
    }

    /** Level capacities in bytes (L1, L2, L3). */
    public long[] capacities() {
        return capacities.clone();
    }
}
