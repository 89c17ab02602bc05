package dev.binaryvit.bench;

import dev.binaryvit.model.BinaryVit;
import dev.binaryvit.model.StepObserver;
import java.util.Arrays;
import java.util.Random;

/**
 * The model's two ratios that a shared machine blurs most, measured side by side in one JVM:
 * the contenders alternate, round after round, so that a slow spell of the machine hits both.
 * Batch 8 against 8 single-image calls (one thread), and 2 threads against 1 (batch 1).
 * Separate JMH trials of each, minutes apart, are what {@code ModelBenchmark} gives; this is
 * the check of those two targets when the machine is noisy.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.binaryvit.bench.SideBySide [rounds]</pre>
 */
public final class SideBySide {

    private SideBySide() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        try (BinaryVit one = BinaryVit.builtIn(1); BinaryVit two = BinaryVit.builtIn(2)) {
            int size = one.imageFloats();
            int labels = one.config().numLabels();
            float[] batch = new float[8 * size];
            Random random = new Random(1);
            for (int i = 0; i < batch.length; i++) {
                batch[i] = (float) random.nextGaussian();
            }
            float[] single = Arrays.copyOf(batch, size);
            float[] logits8 = new float[8 * labels];
            float[] logits1 = new float[labels];
            WarmUp warmUp = WarmUp.jvm(); // both models and both paths, until each is steady
            warmUp.run(() -> one.forward(single, 1, logits1, StepObserver.NONE), 5, 90);
            warmUp.run(() -> two.forward(single, 1, logits1, StepObserver.NONE), 5, 90);
            warmUp.run(() -> one.forward(batch, 8, logits8, StepObserver.NONE), 2, 90);
            long[] singles = new long[rounds]; // 8 single-image calls, one thread
            long[] batches = new long[rounds]; // one batch-8 call, one thread
            long[] twoThreads = new long[rounds]; // 8 single-image calls, two threads
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 8; i++) {
                    one.forward(single, 1, logits1, StepObserver.NONE);
                }
                long t1 = System.nanoTime();
                one.forward(batch, 8, logits8, StepObserver.NONE);
                long t2 = System.nanoTime();
                for (int i = 0; i < 8; i++) {
                    two.forward(single, 1, logits1, StepObserver.NONE);
                }
                long t3 = System.nanoTime();
                singles[r] = t1 - t0;
                batches[r] = t2 - t1;
                twoThreads[r] = t3 - t2;
            }
            double single1 = median(singles) / 8e6;
            double batch8 = median(batches) / 8e6;
            double two1 = median(twoThreads) / 8e6;
            System.out.printf("1 thread: batch 1 %.2f ms/image, batch 8 %.2f ms/image (batch 8 / batch 1 = %.3f)%n",
                    single1, batch8, batch8 / single1);
            System.out.printf("batch 1: 1 thread %.2f ms/image, 2 threads %.2f ms/image (speed-up %.2fx)%n",
                    single1, two1, single1 / two1);
            System.out.printf("medians of %d rounds, each round 8 images per contender%n", rounds);
        }
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }
}
