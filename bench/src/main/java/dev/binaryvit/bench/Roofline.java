package dev.binaryvit.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The roofline of one core: a binary peak (MAC/s), a float peak (FLOP/s) and the bandwidth of each
 * memory level, and the arithmetic that holds a measured operator against them. An operator's
 * <em>type</em> says which peak applies: binary when it does any binary MACs (binary GEMMs,
 * attention, and the steps that contain them), float when it does only float operations, memory
 * when it does neither (a copy). Its working set picks the level whose bandwidth applies: the
 * smallest level that holds it. Then
 * <pre>
 *   intensity = ops / bytes
 *   bound     = min(peak, intensity x bandwidth(level))
 *   achieved  = ops / seconds
 *   % of bound = achieved / bound
 * </pre>
 * and the operator is compute-bound when the peak is the smaller term, else memory-bound at that
 * level. Missing peaks or bandwidths are NaN; a bound is then taken from the term that is known.
 */
public final class Roofline {

    /** Which ceiling applies to a point. */
    public enum Type {
        BINARY("MAC/s", "MAC"), FLOAT("FLOP/s", "FLOP"), MEMORY("B/s", "byte");

        final String rateUnit;
        final String opUnit;

        Type(String rateUnit, String opUnit) {
            this.rateUnit = rateUnit;
            this.opUnit = opUnit;
        }
    }

    /** A memory level: its name, the bytes it holds (Long.MAX_VALUE for DRAM) and its measured bandwidth (NaN if unmeasured). */
    public record Level(String name, long capacityBytes, double bytesPerSecond) {

        boolean measured() {
            return Double.isFinite(bytesPerSecond) && bytesPerSecond > 0;
        }
    }

    /**
     * A measured operator or step held against the roofline.
     *
     * @param name      e.g. {@code layer.3} or {@code layer.3/query}
     * @param kind      the operator kind, or the step kind
     * @param work      its counts
     * @param seconds   its measured (median) time
     * @param type      which peak applies
     * @param ops       the operations of that type (bytes for memory)
     * @param intensity ops per byte
     * @param level     the memory level of its working set, or null when no bandwidth is known
     * @param peak      the peak of its type (NaN when unmeasured or for memory)
     * @param bound     min(peak, intensity x bandwidth)
     * @param achieved  ops per second
     * @param fraction  achieved / bound
     * @param boundBy   "binary peak", "float peak" or the level's name ("L2", "DRAM")
     */
    public record Point(String name, String kind, Work work, double seconds, Type type, double ops, double intensity,
                        Level level, double peak, double bound, double achieved, double fraction, String boundBy) {

        /** The bandwidth term intensity x bandwidth, NaN without a level. */
        public double memoryBound() {
            return level == null ? Double.NaN : intensity * level.bytesPerSecond();
        }
    }

    private final double binaryPeak;
    private final double floatPeak;
    private final List<Level> levels;

    /** Levels in any order; they are sorted by capacity. */
    public Roofline(double binaryPeak, double floatPeak, List<Level> levels) {
        this.binaryPeak = binaryPeak;
        this.floatPeak = floatPeak;
        List<Level> sorted = new ArrayList<>(levels);
        sorted.sort(Comparator.comparingLong(Level::capacityBytes));
        this.levels = List.copyOf(sorted);
    }

    public double binaryPeak() {
        return binaryPeak;
    }

    public double floatPeak() {
        return floatPeak;
    }

    public List<Level> levels() {
        return levels;
    }

    /** The roofline bound: {@code min(peak, intensity x bandwidth)}, from the known term when one is NaN. */
    public static double bound(double peak, double intensity, double bandwidth) {
        double memory = intensity * bandwidth;
        if (!Double.isFinite(peak) || peak <= 0) {
            return memory;
        }
        if (!Double.isFinite(memory)) {
            return peak;
        }
        return Math.min(peak, memory);
    }

    /**
     * The level whose bandwidth applies to a working set: the smallest level that holds it (the
     * largest when none does). When that level's bandwidth was not measured, the nearest smaller
     * measured level stands in (its bandwidth is higher, so the bound stays an upper bound), else
     * the nearest larger one. Null when no level is measured.
     */
    public Level levelFor(double workingSetBytes) {
        if (levels.isEmpty()) {
            return null;
        }
        int home = levels.size() - 1;
        for (int i = 0; i < levels.size(); i++) {
            if (workingSetBytes <= levels.get(i).capacityBytes()) {
                home = i;
                break;
            }
        }
        for (int i = home; i >= 0; i--) {
            if (levels.get(i).measured()) {
                return levels.get(i);
            }
        }
        for (int i = home + 1; i < levels.size(); i++) {
            if (levels.get(i).measured()) {
                return levels.get(i);
            }
        }
        return null;
    }

    /** The type of work: binary when it has binary MACs, else float when it has float ops, else memory. */
    public static Type typeOf(Work w) {
        if (w.binaryMacs() > 0) {
            return Type.BINARY;
        }
        return w.floatOps() > 0 ? Type.FLOAT : Type.MEMORY;
    }

    /** The peak of a type: NaN for memory. */
    public double peak(Type type) {
        return switch (type) {
            case BINARY -> binaryPeak;
            case FLOAT -> floatPeak;
            case MEMORY -> Double.NaN;
        };
    }

    /** Holds work done in {@code seconds}, with this working set, against the roofline. */
    public Point evaluate(String name, String kind, Work work, double seconds, double workingSetBytes) {
        Type type = typeOf(work);
        double ops = switch (type) {
            case BINARY -> work.binaryMacs();
            case FLOAT -> work.floatOps();
            case MEMORY -> work.bytes();
        };
        double intensity = work.bytes() > 0 ? ops / work.bytes() : Double.NaN;
        Level level = levelFor(workingSetBytes);
        double bw = level == null ? Double.NaN : level.bytesPerSecond();
        double peak = peak(type);
        double bound = bound(peak, intensity, bw);
        double achieved = seconds > 0 && ops > 0 ? ops / seconds : Double.NaN; // no work: no rate
        double fraction = achieved / bound;
        String by;
        if (!Double.isFinite(bound)) {
            by = "unknown";
        } else if (Double.isFinite(peak) && peak > 0 && (!Double.isFinite(intensity * bw) || peak <= intensity * bw)) {
            by = type == Type.BINARY ? "binary peak" : "float peak";
        } else {
            by = level == null ? "unknown" : level.name();
        }
        return new Point(name, kind, work, seconds, type, ops, intensity, level, peak, bound, achieved, fraction, by);
    }

    /** Intensity (ops/byte) where the bandwidth diagonal of a level meets a peak. */
    public static double ridge(double peak, double bandwidth) {
        return peak / bandwidth;
    }
}
