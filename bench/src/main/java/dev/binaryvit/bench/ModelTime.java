package dev.binaryvit.bench;

import dev.binaryvit.model.BinaryVit;
import dev.binaryvit.model.StepObserver;
import java.util.Arrays;
import java.util.Random;

/**
 * One JVM's steady-state time of the built-in BinaryViT-S at batch 1: warms it until steady
 * ({@link WarmUp}), then times single passes for the given seconds and prints their median (and the
 * first logit, to show that two builds compute the same). Run it alternately on two builds or two
 * vector widths ({@code -Dbinaryvit.vectorBits=256}) to compare them when a change is too small for
 * separate JMH runs on this noisy machine.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.binaryvit.bench.ModelTime THREADS SECONDS</pre>
 */
public final class ModelTime {

    private ModelTime() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ModelTime THREADS SECONDS");
        }
        int threads = Integer.parseInt(args[0]);
        double seconds = Double.parseDouble(args[1]);
        try (BinaryVit model = BinaryVit.builtIn(threads)) {
            float[] image = new float[model.imageFloats()];
            Random random = new Random(1);
            for (int i = 0; i < image.length; i++) {
                image[i] = (float) random.nextGaussian();
            }
            float[] logits = new float[model.config().numLabels()];
            WarmUp.jvm().run(() -> model.forward(image, 1, logits, StepObserver.NONE), 8, 90);
            long[] times = new long[100_000];
            int n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end && n < times.length) {
                long t0 = System.nanoTime();
                model.forward(image, 1, logits, StepObserver.NONE);
                times[n++] = System.nanoTime() - t0;
            }
            long[] sorted = Arrays.copyOf(times, n);
            Arrays.sort(sorted);
            System.out.printf("threads=%d median %.3f ms (n=%d) logits[0]=%s%n", threads, sorted[n / 2] / 1e6, n,
                    Float.toHexString(logits[0]));
        }
    }
}
