package dev.binaryvit.bench;

import com.sun.management.ThreadMXBean;
import dev.binaryvit.kernels.Parallel;
import dev.binaryvit.model.BinaryVit;
import dev.binaryvit.model.StepObserver;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * The bytes one forward pass of BinaryViT-S allocates on the calling thread after warm-up, and
 * which steps allocate them. {@code -prof gc} counts every thread of the JVM, JMH's own included;
 * this counts the thread that runs the pass and the pool's worker threads (two threads or more),
 * so it can show a true zero.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.binaryvit.bench.ForwardAllocation [threads] [batch] [warm-up passes]</pre>
 *
 * The warm-up (1,500 passes unless given) lets the kernels reach C2: a method still compiled by C1
 * can allocate what C2's escape analysis removes.
 */
public final class ForwardAllocation {

    private ForwardAllocation() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 1500;
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (BinaryVit model = BinaryVit.builtIn(threads)) {
            float[] images = new float[batch * model.imageFloats()];
            float[] logits = new float[batch * model.config().numLabels()];
            for (int i = 0; i < warmup; i++) {
                model.forward(images, batch, logits, StepObserver.NONE);
            }
            long[] workers = workerIds();
            for (int run = 0; run < 3; run++) {
                long workersBefore = Arrays.stream(mx.getThreadAllocatedBytes(workers)).sum(); // before the calling thread's count: it allocates
                long before = mx.getCurrentThreadAllocatedBytes();
                model.forward(images, batch, logits, StepObserver.NONE);
                long bytes = mx.getCurrentThreadAllocatedBytes() - before;
                long workerBytes = Arrays.stream(mx.getThreadAllocatedBytes(workers)).sum() - workersBefore;
                System.out.printf("forward: %d bytes on the calling thread, %d on its %d workers (threads %d, batch %d,"
                        + " after %d passes)%n", bytes, workerBytes, workers.length, threads, batch, warmup + run);
            }
            // Per step, through an observer that itself allocates nothing.
            long[] at = new long[64];
            String[] names = new String[64];
            int[] count = {0};
            StepObserver observer = (step, output, length, nanos) -> {
                if (count[0] < at.length) {
                    at[count[0]] = mx.getCurrentThreadAllocatedBytes();
                    names[count[0]++] = step.name();
                }
            };
            model.forward(images, batch, logits, observer); // an observed pass runs the batch on this thread: warm that path
            count[0] = 0;
            long previous = mx.getCurrentThreadAllocatedBytes();
            model.forward(images, batch, logits, observer);
            for (int i = 0; i < count[0]; i++) {
                if (at[i] != previous) {
                    System.out.printf("  %s: %d bytes%n", names[i], at[i] - previous);
                }
                previous = at[i];
            }
        }
    }

    /** The ids of the pool's worker threads, live for as long as the model. */
    private static long[] workerIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(Parallel.WORKER_NAME))
                .mapToLong(Thread::threadId)
                .toArray();
    }
}
