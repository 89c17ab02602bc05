package dev.binaryvit.bench;

import dev.binaryvit.kernels.Pooling;
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
 * BinaryViT's four strip branches, (3,1), (1,3), (5,1) and (1,5) average pooling each with its
 * LayerScale, accumulated into one tensor as the model does, per operation; single thread, batch
 * 1, on the stage shapes {@code HxWxC}. {@code vector}: the one-pass
 * {@link Pooling#stripBranchesAccumulate} of the active (Vector API) kernels; {@code reference}:
 * four {@link Pooling#stripPoolAccumulate} calls of the scalar reference. Both compute the same bits.
 * The accumulator is not reset between operations: each op adds a bounded amount, and the float
 * work does not depend on the values.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class PoolingBenchmark {

    @Param({"56x56x64", "28x28x128"})
    public String shape;

    @Param({"512", "256"})
    public int vectorBits;

    private int h;
    private int w;
    private int c;
    private float[] x;
    private float[] acc;
    private float[][] alpha;
    private float[][] move;

    @Setup(Level.Trial)
    public void setUp() {
        VectorWidthParam.apply(vectorBits);
        int[] s = Shapes.parse(shape, 3);
        h = s[0];
        w = s[1];
        c = s[2];
        Random random = new Random(42);
        x = gaussian(random, h * w * c, 1f);
        acc = gaussian(random, h * w * c, 1f);
        alpha = new float[4][];
        move = new float[4][];
        for (int branch = 0; branch < 4; branch++) {
            alpha[branch] = gaussian(random, c, 1e-3f); // LayerScale alphas start near 0 in training
            move[branch] = gaussian(random, c, 1e-3f);
        }
    }

    @Benchmark
    public float[] vector() {
        Pooling.active().stripBranchesAccumulate(x, 1, h, w, c, alpha[0], move[0], alpha[1], move[1],
                alpha[2], move[2], alpha[3], move[3], acc);
        return acc;
    }

    @Benchmark
    public float[] reference() {
        Pooling p = Pooling.reference();
        p.stripPoolAccumulate(x, 1, h, w, c, 3, true, alpha[0], move[0], acc);
        p.stripPoolAccumulate(x, 1, h, w, c, 3, false, alpha[1], move[1], acc);
        p.stripPoolAccumulate(x, 1, h, w, c, 5, true, alpha[2], move[2], acc);
        p.stripPoolAccumulate(x, 1, h, w, c, 5, false, alpha[3], move[3], acc);
        return acc;
    }

    private static float[] gaussian(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = scale * (float) random.nextGaussian();
        }
        return a;
    }
}
