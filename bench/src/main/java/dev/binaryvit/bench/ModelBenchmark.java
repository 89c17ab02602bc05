package dev.binaryvit.bench;

import dev.binaryvit.model.BinaryVit;
import dev.binaryvit.model.StepObserver;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole BinaryViT-S forward pass (built-in weights) of {@code batch} images per operation, into
 * a preallocated logits array. Milliseconds per image = score / batch. Run with {@code -prof gc}
 * to see the allocation per forward call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ModelBenchmark {

    @Param({"1", "2"})
    public int threads;

    @Param({"1", "8"})
    public int batch;

    @Param({"512"})
    public int vectorBits;

    private BinaryVit model;
    private float[] images;
    private float[] logits;

    @Setup(Level.Trial)
    public void setUp() {
        VectorWidthParam.apply(vectorBits);
        model = BinaryVit.builtIn(threads);
        images = new float[batch * model.imageFloats()];
        Random random = new Random(7);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextGaussian();
        }
        logits = new float[batch * model.config().numLabels()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }

    @Benchmark
    public float[] forward() {
        model.forward(images, batch, logits, StepObserver.NONE);
        return logits;
    }
}
