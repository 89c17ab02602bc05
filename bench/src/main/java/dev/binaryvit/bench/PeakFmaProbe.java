package dev.binaryvit.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import static jdk.incubator.vector.VectorOperators.ADD;

/**
 * Machine probe: the peak float32 FMA rate of one core, at each vector width. Twelve independent
 * {@code acc = acc * x + y} chains, all in registers: enough to cover the FMA latency (4 cycles)
 * times the FMA ports (2) of current x86 cores. {@code x} is just below 1 and {@code y} small, so
 * the accumulators converge to a normal number instead of overflowing or going denormal.
 * {@link #flops(int)} counts an FMA as 2 float operations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class PeakFmaProbe {

    /** Loop trips per operation. */
    static final int STEPS = 1024;
    /** Independent FMA chains. */
    static final int CHAINS = 12;

    @Param({"128", "256", "512"})
    public int vectorBits;

    /** Non-final, so the JIT cannot fold them. */
    private float x = 0.999f;
    private float y = 0.001f;
    private float seed = 0.5f;

    /** Float operations of one call at this width: STEPS x CHAINS FMAs of lanes x 2. */
    static long flops(int vectorBits) {
        return (long) STEPS * CHAINS * (vectorBits / 32) * 2L;
    }

    @Setup(Level.Trial)
    public void setUp() {
        ProbeSpecies.use(vectorBits);
    }

    @Benchmark
    public float fma() {
        VectorSpecies<Float> s = ProbeSpecies.Of.FLOATS;
        FloatVector vx = FloatVector.broadcast(s, x);
        FloatVector vy = FloatVector.broadcast(s, y);
        FloatVector a0 = FloatVector.broadcast(s, seed);
        FloatVector a1 = a0.add(vy);
        FloatVector a2 = a1.add(vy);
        FloatVector a3 = a2.add(vy);
        FloatVector a4 = a3.add(vy);
        FloatVector a5 = a4.add(vy);
        FloatVector a6 = a5.add(vy);
        FloatVector a7 = a6.add(vy);
        FloatVector a8 = a7.add(vy);
        FloatVector a9 = a8.add(vy);
        FloatVector a10 = a9.add(vy);
        FloatVector a11 = a10.add(vy);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(vx, vy);
            a1 = a1.fma(vx, vy);
            a2 = a2.fma(vx, vy);
            a3 = a3.fma(vx, vy);
            a4 = a4.fma(vx, vy);
            a5 = a5.fma(vx, vy);
            a6 = a6.fma(vx, vy);
            a7 = a7.fma(vx, vy);
            a8 = a8.fma(vx, vy);
            a9 = a9.fma(vx, vy);
            a10 = a10.fma(vx, vy);
            a11 = a11.fma(vx, vy);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(ADD);
    }
}
