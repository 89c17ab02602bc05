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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The BinaryViT-S forward pass of one image on the scalar reference kernels, the baseline the
 * vector path is measured against: the same model, the same packed weights, plain loops.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ModelReferenceBenchmark {

    private BinaryVit model;
    private float[] images;
    private float[] logits;

    @Setup(Level.Trial)
    public void setUp() {
        model = BinaryVit.builtInOnReferenceKernels();
        images = new float[model.imageFloats()];
        Random random = new Random(7);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextGaussian();
        }
        logits = new float[model.config().numLabels()];
    }

    @Benchmark
    public float[] reference() {
        model.forward(images, 1, logits, StepObserver.NONE);
        return logits;
    }
}
