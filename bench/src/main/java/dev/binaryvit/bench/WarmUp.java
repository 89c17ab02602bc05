package dev.binaryvit.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Runs a body until the JIT is done with it, rather than for a fixed time. BinaryViT-S's first
 * forward pass runs its Vector API kernels in the interpreter (seconds, each vector op a boxed
 * object), and C2 then compiles dozens of large kernel methods one after the other on a 2-core
 * machine: measured here, the median pass reached its steady value only 15 to 20 s after the
 * model was built, so a fixed 8 s warm-up timed a model still partly in C1 code (16-18 ms against
 * about 12.5 ms steady, by {@code OperatorProfile} at 30 and at 600 runs).
 *
 * <p>Steady means: at least {@code minSeconds} have passed, and over the last window (one second
 * and at least {@value #MIN_RUNS} runs) the JIT compiled for under {@value #QUIET_SHARE} of the
 * window's wall time and the median run was within {@value #TOLERANCE} of the window before's.
 * After {@code maxSeconds} the warm-up ends anyway, and says that it was not steady.
 */
final class WarmUp {

    /** One run of the contender. */
    @FunctionalInterface
    interface Body<E extends Exception> {
        void run() throws E;
    }

    /**
     * How a warm-up ended.
     *
     * @param runs       runs made
     * @param seconds    wall time taken
     * @param lastMillis the median run of the last window
     * @param steady     whether it ended steady (false: it hit the time cap)
     */
    record Result(int runs, double seconds, double lastMillis, boolean steady) {}

    static final double WINDOW_SECONDS = 1.0;
    static final int MIN_RUNS = 5;
    static final double QUIET_SHARE = 0.05;
    static final double TOLERANCE = 0.03;

    private final LongSupplier clock;
    private final LongSupplier compileMillis;

    /** Wall time from {@code clock} (ns), JIT time from {@code compileMillis} (ms, -1 if unknown). */
    WarmUp(LongSupplier clock, LongSupplier compileMillis) {
        this.clock = clock;
        this.compileMillis = compileMillis;
    }

    /** On this JVM's clock and JIT. */
    static WarmUp jvm() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean known = jit != null && jit.isCompilationTimeMonitoringSupported();
        return new WarmUp(System::nanoTime, known ? jit::getTotalCompilationTime : () -> -1L);
    }

    <E extends Exception> Result run(Body<E> body, double minSeconds, double maxSeconds) throws E {
        if (!(minSeconds >= 0) || !(maxSeconds >= minSeconds)) {
            throw new IllegalArgumentException("warm-up needs 0 <= min <= max seconds, not " + minSeconds + ", " + maxSeconds);
        }
        long start = clock.getAsLong();
        long windowNanos = Math.round(WINDOW_SECONDS * 1e9);
        double previous = Double.NaN;
        int runs = 0;
        long[] times = new long[16];
        while (true) {
            long windowStart = clock.getAsLong();
            long jitStart = compileMillis.getAsLong();
            int n = 0;
            while (n < MIN_RUNS || clock.getAsLong() - windowStart < windowNanos) {
                long t0 = clock.getAsLong();
                body.run();
                if (n == times.length) {
                    times = Arrays.copyOf(times, 2 * n);
                }
                times[n++] = clock.getAsLong() - t0;
                runs++;
            }
            long now = clock.getAsLong();
            double median = median(times, n) / 1e6;
            long jit = compileMillis.getAsLong();
            boolean quiet = jit < 0 || (jit - jitStart) * 1e6 < QUIET_SHARE * (now - windowStart);
            boolean level = Math.abs(median - previous) <= TOLERANCE * previous;
            double seconds = (now - start) / 1e9;
            if (seconds >= minSeconds && quiet && level) {
                return new Result(runs, seconds, median, true);
            }
            if (seconds >= maxSeconds) {
                return new Result(runs, seconds, median, false);
            }
            previous = median;
        }
    }

    private static double median(long[] times, int n) {
        long[] sorted = Arrays.copyOf(times, n);
        Arrays.sort(sorted);
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
