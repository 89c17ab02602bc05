package dev.binaryvit.bench;

import dev.binaryvit.kernels.Attention;
import dev.binaryvit.kernels.BitPacking;
import dev.binaryvit.kernels.Parallel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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

/**
 * One whole binarized attention per operation (every query and head of one image), single thread,
 * into a preallocated context, on the BinaryViT-S attention shapes {@code NxNKVxHEADS} with
 * {@code d = 64} bits per head (channels = 64 * heads). The signs are packed from Gaussian floats
 * and the clip is twice the mean probability, {@code 2 / nkv}, as in the reference fixtures, so a
 * realistic fraction of the keys is kept. {@code vector}: the active (Vector API) path;
 * {@code reference}: the scalar oracle on the same packed words.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class AttentionBenchmark {

    /** Bits per head in every BinaryViT-S stage. */
    private static final int D = 64;

    @Param({"3136x49x1", "784x49x2", "196x196x4", "49x49x8"})
    public String shape;

    @Param({"512", "256"})
    public int vectorBits;

    private int n;
    private int nkv;
    private int heads;
    private int channels;
    private float clip;
    private long[] q;
    private long[] k;
    private long[] vT;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        VectorWidthParam.apply(vectorBits);
        int[] s = Shapes.parse(shape, 3);
        n = s[0];
        nkv = s[1];
        heads = s[2];
        channels = D * heads;
        clip = 2f / nkv;
        Random random = new Random(42);
        BitPacking packing = BitPacking.active();
        q = new long[n * heads * BitPacking.words(D)];
        k = new long[nkv * heads * BitPacking.words(D)];
        vT = new long[channels * BitPacking.words(nkv)];
        packing.pack(gaussian(random, n * channels), n, channels, heads, null, q, Parallel.SERIAL);
        packing.pack(gaussian(random, nkv * channels), nkv, channels, heads, null, k, Parallel.SERIAL);
        packing.packColumns(gaussian(random, nkv * channels), nkv, channels, null, vT);
        out = new float[n * channels];
    }

    private static float[] gaussian(Random random, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    @Benchmark
    public float[] vector() {
        Attention.active().context(q, k, vT, 1, n, nkv, channels, heads, clip, out);
        return out;
    }

    @Benchmark
    public float[] reference() {
        Attention.reference().context(q, k, vT, 1, n, nkv, channels, heads, clip, out);
        return out;
    }
}
