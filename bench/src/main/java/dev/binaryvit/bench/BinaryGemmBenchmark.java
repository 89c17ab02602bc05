package dev.binaryvit.bench;

import dev.binaryvit.kernels.BitPacking;
import dev.binaryvit.kernels.Epilogue;
import dev.binaryvit.kernels.Gemm;
import dev.binaryvit.kernels.PackedWeights;
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
 * One whole XNOR-popcount GEMM per operation, single thread, into preallocated outputs, on the
 * BinaryViT-S shapes {@code NxKxM} (K in bits). Binary MAC/s = N*K*M / (seconds per op).
 * {@code vector}: int dot products; {@code vectorPacked}: the fused epilogue straight to packed
 * sign bits; {@code reference}: the scalar reference on the same packed words.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class BinaryGemmBenchmark {

    @Param({"3136x64x512", "3136x512x64", "3136x64x64", "784x128x1024", "196x256x1024", "196x1024x256",
            "49x512x2048", "49x2048x512"})
    public String shape;

    @Param({"512", "256"})
    public int vectorBits;

    private int n;
    private long[] a;
    private PackedWeights w;
    private Epilogue epilogue;
    private int[] dots;
    private long[] signs;

    @Setup(Level.Trial)
    public void setUp() {
        VectorWidthParam.apply(vectorBits);
        int[] s = Shapes.parse(shape, 3);
        n = s[0];
        int k = s[1];
        int m = s[2];
        Random random = new Random(42);
        float[] x = new float[n * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        a = new long[n * BitPacking.words(k)];
        BitPacking.active().pack(x, n, k, a);
        float[] weights = new float[m * k];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) random.nextGaussian();
        }
        w = PackedWeights.linear(weights, m, k);
        float[] scale = new float[m];
        float[] bias = new float[m];
        float[] shift = new float[m];
        for (int j = 0; j < m; j++) {
            scale[j] = 0.5f + random.nextFloat();
            bias[j] = (float) random.nextGaussian();
            shift[j] = 0.1f * (float) random.nextGaussian();
        }
        epilogue = Epilogue.affine(w, scale, bias).withSignShift(shift);
        dots = new int[n * m];
        signs = new long[n * BitPacking.words(m)];
    }

    @Benchmark
    public int[] vector() {
        Gemm.active().dots(a, n, w, dots);
        return dots;
    }

    @Benchmark
    public long[] vectorPacked() {
        Gemm.active().signs(a, n, w, epilogue, null, signs);
        return signs;
    }

    @Benchmark
    public int[] reference() {
        Gemm.reference().dots(a, n, w, dots);
        return dots;
    }
}
