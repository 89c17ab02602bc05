package dev.binaryvit.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The float baseline: OpenBLAS {@code cblas_sgemm} on one thread, {@code C[N x M] = A[N x K] x B[K x M]}
 * row-major, for the logical shape {@code NxKxM} of every binary GEMM of {@link BinaryGemmBenchmark}
 * (K floats where the binary GEMM has K bits), plus the model's float GEMMs: the patch embedding
 * projection {@code 3136x48x64} and the classifier {@code 1x512x1000}. Operands live in native
 * memory, so no JNI array copy is timed. Float ops = 2 N K M. When the OpenBLAS natives do not
 * load, the setup fails with the reason and the report says so.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class FloatGemmBaseline {

    @Param({"3136x64x512", "3136x512x64", "3136x64x64", "784x128x1024", "196x256x1024", "196x1024x256",
            "49x512x2048", "49x2048x512", "3136x48x64", "1x512x1000"})
    public String shape;

    private int n;
    private int k;
    private int m;
    private FloatPointer a;
    private FloatPointer b;
    private FloatPointer c;

    @Setup(Level.Trial)
    public void setUp() {
        OpenBlas.require();
        int[] s = Shapes.parse(shape, 3);
        n = s[0];
        k = s[1];
        m = s[2];
        Random random = new Random(42);
        a = gaussian(random, (long) n * k);
        b = gaussian(random, (long) k * m);
        c = new FloatPointer((long) n * m);
        c.zero();
    }

    private static FloatPointer gaussian(Random random, long count) {
        float[] x = new float[Math.toIntExact(count)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return new FloatPointer(x);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (FloatPointer p : new FloatPointer[] {a, b, c}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Benchmark
    public FloatPointer sgemm() {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                openblas_nolapack.CblasNoTrans, n, m, k, 1f, a, k, b, m, 0f, c, m);
        return c;
    }
}
