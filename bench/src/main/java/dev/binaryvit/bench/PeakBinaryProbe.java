package dev.binaryvit.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
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
import static jdk.incubator.vector.VectorOperators.BIT_COUNT;
import static jdk.incubator.vector.VectorOperators.XOR;

/**
 * Machine probe: the peak binary MAC rate of one core, at each vector width. The register block of
 * the real GEMM ({@code VectorGemm}) with its weights held in registers: per 64-bit activation word
 * of each of 4 tokens, its two 32-bit halves are broadcast, XORed with 2 vectors of weight
 * half-words each, counted with BIT_COUNT and added into 8 independent accumulators. Only the
 * activation words come from memory (a 4 KB array, in L1), so nothing but the XOR / popcount / add
 * throughput limits it. One operation is {@link #WORDS} activation words per token;
 * {@link #binaryMacs(int)} says how many bit-MACs that is.
 *
 * <p>{@code ints} is the form VectorGemm uses (32-bit lanes); {@code longs} the same work on 64-bit
 * lanes (a broadcast 64-bit word, 4 weight vectors), which is what {@code vpopcntq} counts.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class PeakBinaryProbe {

    /** Activation words per token per operation. */
    static final int WORDS = 1024;
    /** Distinct activation words per token: 4 tokens x 128 longs = 4 KB, L1-resident. */
    private static final int DISTINCT = 128;
    /** Tokens per register block, as in VectorGemm. */
    private static final int TOKENS = 4;

    @Param({"128", "256", "512"})
    public int vectorBits;

    private long[] a;
    private int[] wi;
    private long[] wl;
    private int[] halves;

    /**
     * Binary MACs (bits XORed, counted and added) of one operation at this width: per token and
     * activation word, 4 vectors of {@code vectorBits} bits (2 halves x 2 panels in the int form,
     * 4 weight vectors in the long form).
     */
    static long binaryMacs(int vectorBits) {
        return (long) TOKENS * WORDS * 4L * vectorBits;
    }

    @Setup(Level.Trial)
    public void setUp() {
        ProbeSpecies.use(vectorBits);
        Random random = new Random(42);
        a = new long[TOKENS * DISTINCT];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextLong();
        }
        halves = new int[2 * a.length];
        for (int i = 0; i < a.length; i++) {
            halves[2 * i] = (int) a[i];
            halves[2 * i + 1] = (int) (a[i] >>> 32);
        }
        wi = new int[4 * 16];
        for (int i = 0; i < wi.length; i++) {
            wi[i] = random.nextInt();
        }
        wl = new long[4 * 8];
        for (int i = 0; i < wl.length; i++) {
            wl[i] = random.nextLong();
        }
    }

    /**
     * The VectorGemm block: per token word, its low and high 32-bit halves are read from an int
     * array (so each broadcast is a load: splitting a long in registers and moving the halves to
     * vector registers made this form 1.3 times slower), each XORed with the two weight vectors of
     * that half (two vectors of channels), popcounted and added.
     */
    @Benchmark
    public int ints() {
        VectorSpecies<Integer> s = ProbeSpecies.Of.INTS;
        int lanes = s.length();
        IntVector lo0 = IntVector.fromArray(s, wi, 0);
        IntVector lo1 = IntVector.fromArray(s, wi, lanes);
        IntVector hi0 = IntVector.fromArray(s, wi, 2 * lanes);
        IntVector hi1 = IntVector.fromArray(s, wi, 3 * lanes);
        IntVector c00 = IntVector.zero(s);
        IntVector c01 = c00;
        IntVector c10 = c00;
        IntVector c11 = c00;
        IntVector c20 = c00;
        IntVector c21 = c00;
        IntVector c30 = c00;
        IntVector c31 = c00;
        int[] a = this.halves;
        for (int kw = 0; kw < WORDS; kw++) {
            int r = 2 * (kw & (DISTINCT - 1));
            c00 = c00.add(lo0.lanewise(XOR, a[r]).lanewise(BIT_COUNT)).add(hi0.lanewise(XOR, a[r + 1]).lanewise(BIT_COUNT));
            c01 = c01.add(lo1.lanewise(XOR, a[r]).lanewise(BIT_COUNT)).add(hi1.lanewise(XOR, a[r + 1]).lanewise(BIT_COUNT));
            r += 2 * DISTINCT;
            c10 = c10.add(lo0.lanewise(XOR, a[r]).lanewise(BIT_COUNT)).add(hi0.lanewise(XOR, a[r + 1]).lanewise(BIT_COUNT));
            c11 = c11.add(lo1.lanewise(XOR, a[r]).lanewise(BIT_COUNT)).add(hi1.lanewise(XOR, a[r + 1]).lanewise(BIT_COUNT));
            r += 2 * DISTINCT;
            c20 = c20.add(lo0.lanewise(XOR, a[r]).lanewise(BIT_COUNT)).add(hi0.lanewise(XOR, a[r + 1]).lanewise(BIT_COUNT));
            c21 = c21.add(lo1.lanewise(XOR, a[r]).lanewise(BIT_COUNT)).add(hi1.lanewise(XOR, a[r + 1]).lanewise(BIT_COUNT));
            r += 2 * DISTINCT;
            c30 = c30.add(lo0.lanewise(XOR, a[r]).lanewise(BIT_COUNT)).add(hi0.lanewise(XOR, a[r + 1]).lanewise(BIT_COUNT));
            c31 = c31.add(lo1.lanewise(XOR, a[r]).lanewise(BIT_COUNT)).add(hi1.lanewise(XOR, a[r + 1]).lanewise(BIT_COUNT));
        }
        return c00.add(c01).add(c10).add(c11).add(c20).add(c21).add(c30).add(c31).reduceLanes(ADD);
    }

    /**
     * The same number of bits on 64-bit lanes: per token word, the whole word is broadcast and XORed
     * with four weight vectors of 64-bit lanes (the same bits as the int form's two halves times two
     * panels), popcounted and added into 8 accumulators (two per token).
     */
    @Benchmark
    public long longs() {
        VectorSpecies<Long> s = ProbeSpecies.Of.LONGS;
        int lanes = s.length();
        LongVector w0 = LongVector.fromArray(s, wl, 0);
        LongVector w1 = LongVector.fromArray(s, wl, lanes);
        LongVector w2 = LongVector.fromArray(s, wl, 2 * lanes);
        LongVector w3 = LongVector.fromArray(s, wl, 3 * lanes);
        LongVector c00 = LongVector.zero(s);
        LongVector c01 = c00;
        LongVector c10 = c00;
        LongVector c11 = c00;
        LongVector c20 = c00;
        LongVector c21 = c00;
        LongVector c30 = c00;
        LongVector c31 = c00;
        long[] a = this.a;
        for (int kw = 0; kw < WORDS; kw++) {
            int r = kw & (DISTINCT - 1);
            long x = a[r];
            c00 = c00.add(w0.lanewise(XOR, x).lanewise(BIT_COUNT)).add(w1.lanewise(XOR, x).lanewise(BIT_COUNT));
            c01 = c01.add(w2.lanewise(XOR, x).lanewise(BIT_COUNT)).add(w3.lanewise(XOR, x).lanewise(BIT_COUNT));
            x = a[DISTINCT + r];
            c10 = c10.add(w0.lanewise(XOR, x).lanewise(BIT_COUNT)).add(w1.lanewise(XOR, x).lanewise(BIT_COUNT));
            c11 = c11.add(w2.lanewise(XOR, x).lanewise(BIT_COUNT)).add(w3.lanewise(XOR, x).lanewise(BIT_COUNT));
            x = a[2 * DISTINCT + r];
            c20 = c20.add(w0.lanewise(XOR, x).lanewise(BIT_COUNT)).add(w1.lanewise(XOR, x).lanewise(BIT_COUNT));
            c21 = c21.add(w2.lanewise(XOR, x).lanewise(BIT_COUNT)).add(w3.lanewise(XOR, x).lanewise(BIT_COUNT));
            x = a[3 * DISTINCT + r];
            c30 = c30.add(w0.lanewise(XOR, x).lanewise(BIT_COUNT)).add(w1.lanewise(XOR, x).lanewise(BIT_COUNT));
            c31 = c31.add(w2.lanewise(XOR, x).lanewise(BIT_COUNT)).add(w3.lanewise(XOR, x).lanewise(BIT_COUNT));
        }
        return c00.add(c01).add(c10).add(c11).add(c20).add(c21).add(c30).add(c31).reduceLanes(ADD);
    }
}
