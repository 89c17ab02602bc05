package dev.binaryvit.bench;

import java.util.Random;
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
import org.openjdk.jmh.infra.BenchmarkParams;

import static jdk.incubator.vector.VectorOperators.ADD;

/**
 * Machine probe: the memory bandwidth of one core from each level of the hierarchy, with the
 * Vector API at the machine's preferred width. {@code kib} is the working set in KiB; the defaults
 * live in L1, L2, L3 and DRAM of a typical x86 core, and {@code BenchCommand} replaces them with
 * sizes derived from this machine's caches. One operation is one pass over the working set.
 * <ul>
 * <li>{@code read}: the sum of one float array of {@code kib} KiB (8 independent accumulators);
 *     bytes = the array.</li>
 * <li>{@code triad}: {@code a[i] = b[i] + s * c[i]} on three arrays of {@code kib / 3} KiB each;
 *     bytes = 3 x array (two read, one written; the write-allocate read is not counted, as in
 *     STREAM).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class BandwidthProbe {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Floats per unrolled step of the read loop: 8 vectors. */
    private static final int BLOCK = 8 * F.length();

    @Param({"16", "256", "8192", "262144"})
    public int kib;

    private float[] r;
    private float[] a;
    private float[] b;
    private float[] c;
    private float s = 1.0001f;

    /** Floats of the read array for a working set of {@code kib} KiB: whole unrolled blocks. */
    static int readFloats(long kib) {
        long floats = kib * 1024 / Float.BYTES;
        return (int) Math.max(BLOCK, floats / BLOCK * BLOCK);
    }

    /** Floats of each triad array for a working set of {@code kib} KiB (three arrays). */
    static int triadFloats(long kib) {
        long floats = kib * 1024 / Float.BYTES / 3;
        return (int) Math.max(F.length(), floats / F.length() * F.length());
    }

    /** Bytes one {@code read} operation moves. */
    static long readBytes(long kib) {
        return (long) readFloats(kib) * Float.BYTES;
    }

    /** Bytes one {@code triad} operation moves (counted as STREAM does: 2 reads + 1 write). */
    static long triadBytes(long kib) {
        return 3L * triadFloats(kib) * Float.BYTES;
    }

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        Random random = new Random(42);
        // Allocate only what this benchmark reads: the DRAM sizes are hundreds of MB.
        if (params.getBenchmark().endsWith(".read")) {
            r = fill(random, new float[readFloats(kib)]);
        } else {
            int n = triadFloats(kib);
            a = new float[n];
            b = fill(random, new float[n]);
            c = fill(random, new float[n]);
        }
    }

    private static float[] fill(Random random, float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        return x;
    }

    @Benchmark
    public float read() {
        float[] r = this.r;
        int lanes = F.length();
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        FloatVector s4 = s0;
        FloatVector s5 = s0;
        FloatVector s6 = s0;
        FloatVector s7 = s0;
        for (int i = 0; i < r.length; i += BLOCK) {
            s0 = s0.add(FloatVector.fromArray(F, r, i));
            s1 = s1.add(FloatVector.fromArray(F, r, i + lanes));
            s2 = s2.add(FloatVector.fromArray(F, r, i + 2 * lanes));
            s3 = s3.add(FloatVector.fromArray(F, r, i + 3 * lanes));
            s4 = s4.add(FloatVector.fromArray(F, r, i + 4 * lanes));
            s5 = s5.add(FloatVector.fromArray(F, r, i + 5 * lanes));
            s6 = s6.add(FloatVector.fromArray(F, r, i + 6 * lanes));
            s7 = s7.add(FloatVector.fromArray(F, r, i + 7 * lanes));
        }
        return s0.add(s1).add(s2).add(s3).add(s4).add(s5).add(s6).add(s7).reduceLanes(ADD);
    }

    @Benchmark
    public float[] triad() {
        float[] a = this.a;
        float[] b = this.b;
        float[] c = this.c;
        FloatVector vs = FloatVector.broadcast(F, s);
        for (int i = 0; i < a.length; i += F.length()) {
            FloatVector.fromArray(F, c, i).fma(vs, FloatVector.fromArray(F, b, i)).intoArray(a, i);
        }
        return a;
    }
}
