package dev.binaryvit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import org.junit.jupiter.api.Test;

class RooflineTest {

    private static final double NAN = Double.NaN;

    /** 1e12 MAC/s, 1e11 FLOP/s; L1 32 KiB at 100 GB/s, L2 1 MiB at 50, L3 32 MiB at 25, DRAM 10. */
    private static Roofline machine() {
        return new Roofline(1e12, 1e11, List.of(
                new Roofline.Level("DRAM", Long.MAX_VALUE, 10e9),
                new Roofline.Level("L1", 32 << 10, 100e9),
                new Roofline.Level("L3", 32 << 20, 25e9),
                new Roofline.Level("L2", 1 << 20, 50e9)));
    }

    @Test
    void boundIsTheLowerRoof() {
        assertEquals(2e11, Roofline.bound(1e12, 2, 100e9), 0);    // memory: 2 ops/B x 100 GB/s
        assertEquals(1e12, Roofline.bound(1e12, 20, 100e9), 0);   // compute
        assertEquals(1e12, Roofline.bound(1e12, 10, 100e9), 0);   // the ridge: both
        assertEquals(2e11, Roofline.bound(NAN, 2, 100e9), 0);     // no peak: the diagonal
        assertEquals(1e12, Roofline.bound(1e12, 2, NAN), 0);      // no bandwidth: the peak
        assertTrue(Double.isNaN(Roofline.bound(NAN, 2, NAN)));
        assertEquals(10, Roofline.ridge(1e12, 100e9), 0);
    }

    @Test
    void boundProperties() {
        qt().forAll(doubles().between(1e6, 1e14), doubles().between(1e-4, 1e4), doubles().between(1e6, 1e12))
                .check((peak, intensity, bw) -> {
                    double b = Roofline.bound(peak, intensity, bw);
                    return b <= peak && b <= intensity * bw && (b == peak || b == intensity * bw);
                });
    }

    @Test
    void levelIsTheSmallestThatHoldsTheWorkingSet() {
        Roofline r = machine();
        assertEquals(List.of("L1", "L2", "L3", "DRAM"), r.levels().stream().map(Roofline.Level::name).toList());
        assertEquals("L1", r.levelFor(16 << 10).name());
        assertEquals("L1", r.levelFor(32 << 10).name());
        assertEquals("L2", r.levelFor((32 << 10) + 1).name());
        assertEquals("L3", r.levelFor(2 << 20).name());
        assertEquals("DRAM", r.levelFor(1L << 30).name());
    }

    @Test
    void levelChoiceIsMonotone() {
        Roofline r = machine();
        qt().forAll(longs().between(0, 1L << 34), longs().between(0, 1L << 34)).check((a, b) -> {
            long lo = Math.min(a, b);
            long hi = Math.max(a, b);
            return r.levelFor(lo).capacityBytes() <= r.levelFor(hi).capacityBytes()
                    && r.levelFor(lo).bytesPerSecond() >= r.levelFor(hi).bytesPerSecond();
        });
    }

    @Test
    void anUnmeasuredLevelBorrowsTheNearestFasterOne() {
        Roofline r = new Roofline(1e12, 1e11, List.of(
                new Roofline.Level("L1", 32 << 10, 100e9),
                new Roofline.Level("L2", 1 << 20, NAN),
                new Roofline.Level("L3", 32 << 20, 25e9),
                new Roofline.Level("DRAM", Long.MAX_VALUE, NAN)));
        assertEquals("L1", r.levelFor(500 << 10).name()); // L2 unmeasured: L1's higher bandwidth keeps it a bound
        assertEquals("L3", r.levelFor(1L << 30).name());  // DRAM unmeasured: L3
        Roofline none = new Roofline(1e12, 1e11, List.of(new Roofline.Level("L1", 32 << 10, NAN)));
        assertNull(none.levelFor(1));
        Roofline onlyDram = new Roofline(1e12, 1e11, List.of(new Roofline.Level("L1", 32 << 10, NAN),
                new Roofline.Level("DRAM", Long.MAX_VALUE, 10e9)));
        assertEquals("DRAM", onlyDram.levelFor(1).name()); // nothing faster measured: the next slower one
    }

    @Test
    void aBinaryGemmHeldAgainstTheRoof() {
        // 3136 x 64 x 64: 12,845,056 MACs over 828,416 bytes (L2), 120 us
        Work w = Work.binaryGemm(3136, 64, 64, false);
        Roofline.Point p = machine().evaluate("layer.0/query", "binary_gemm", w, 120e-6, w.bytes());
        assertSame(Roofline.Type.BINARY, p.type());
        assertEquals(12_845_056, p.ops(), 0);
        assertEquals(12_845_056.0 / 828_416, p.intensity(), 1e-12);
        assertEquals("L2", p.level().name());
        assertEquals(12_845_056.0 / 828_416 * 50e9, p.bound(), 1); // 7.75e11 < 1e12: memory
        assertEquals("L2", p.boundBy());
        assertEquals(12_845_056 / 120e-6, p.achieved(), 1);
        assertEquals(p.achieved() / p.bound(), p.fraction(), 1e-15);
        assertEquals(0.138, p.fraction(), 0.001);
    }

    @Test
    void computeBoundFloatAndMemoryOnlyPoints() {
        Roofline r = machine();
        // 2 n k m over tiny bytes: far right of the ridge, the float peak binds
        Work g = Work.floatGemm(1000, 1000, 1000);
        Roofline.Point p = r.evaluate("gemm", "float_gemm", g, 0.04, 1 << 10);
        assertSame(Roofline.Type.FLOAT, p.type());
        assertEquals(1e11, p.bound(), 0);
        assertEquals("float peak", p.boundBy());
        assertEquals(0.5, p.fraction(), 1e-12); // 2e9 FLOP in 40 ms = 5e10
        // no ops at all: held against the bandwidth
        Work copy = new Work(0, 0, 1e6, "elementwise");
        Roofline.Point c = r.evaluate("copy", "elementwise", copy, 1e-4, 1e6);
        assertSame(Roofline.Type.MEMORY, c.type());
        assertEquals(50e9, c.bound(), 0);
        assertEquals(0.2, c.fraction(), 1e-12); // 1e10 B/s of 5e10
        // a step with binary and float work is held against the binary peak
        assertSame(Roofline.Type.BINARY, Roofline.typeOf(new Work(1, 1e9, 1, "sum")));
    }

    @Test
    void fractionTimesBoundIsTheAchievedRate() {
        Roofline r = machine();
        qt().forAll(doubles().between(1, 1e10), doubles().between(1, 1e10), doubles().between(1e-7, 1))
                .check((ops, bytes, seconds) -> {
                    Roofline.Point p = r.evaluate("x", "float_gemm", new Work(0, ops, bytes, "f"), seconds, bytes);
                    return Math.abs(p.fraction() * p.bound() - ops / seconds) <= 1e-9 * ops / seconds
                            && p.bound() <= r.floatPeak();
                });
    }
}
