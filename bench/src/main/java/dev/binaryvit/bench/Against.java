package dev.binaryvit.bench;

import ai.onnxruntime.OrtException;
import dev.binaryvit.kernels.Kernels;
import dev.binaryvit.model.BinaryVit;
import dev.binaryvit.model.StepObserver;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code bench --against MODEL.onnx}: float models run by ONNX Runtime against BinaryViT-S
 * ({@link BinaryVit#builtIn}: synthetic weights, batch 1, 224 x 224 x 3, the model of
 * {@link ModelBenchmark} and {@link SideBySide}), at 1 and 2 threads, timed side by side in one JVM.
 *
 * <p>Why a {@link SideBySide}-style loop and not JMH forks: the figure wanted is a ratio, on a
 * shared 2-core machine whose speed drifts by tens of percent over minutes (the 2-thread speed-up
 * of BinaryViT-S alone has read 1.25x to 2.01x from session to session). A JMH fork of BinaryViT-S
 * needs about 10 s of warm-up before C2 has compiled its kernels, so forks of the contenders, even
 * interleaved, run tens of seconds apart, and a slow spell falls on one contender and not the
 * other; a few rounds would also take minutes. Here every contender runs a block of images in
 * every round, a round lasts about a second, and the order rotates from round to round, so a slow
 * spell is shared. What one JVM costs, and what is done about it: after a run, ONNX Runtime's
 * intra-op worker spins for 2^20 pause instructions (tens of milliseconds; measured here, about
 * 50 ms of CPU after a two-thread run of MobileNetV2) and BinaryViT's workers for 200 µs, so each
 * block starts after a pause (100 ms) in which the previous contender's threads have gone to sleep,
 * then one untimed image that brings the contender's weights back into the caches; ONNX Runtime is
 * native code, so the JIT compiles nothing of it, and BinaryViT-S allocates nothing per image (ONNX
 * Runtime's Java side allocates a few small objects per run, freed at once). Warm-up: each
 * contender first runs alone until its times are steady ({@link WarmUp}), at least
 * {@link Settings#binaryVitWarmupSeconds} for BinaryViT-S and {@link Settings#onnxWarmupSeconds}
 * for an ONNX session, at most {@link #MAX_WARMUP_SECONDS}.
 *
 * <p>Each round, each contender's time is that of its block divided by the images in it; the
 * figures are medians over the rounds, and the ratio is BinaryViT-S's median over the model's at
 * the same thread count (below 1: BinaryViT-S is faster). Alongside, the process's CPU time over
 * the wall time of the blocks, per thread count: how many cores it got (about 1 and 2 on an idle
 * machine, much less when a process of higher priority holds the cores, and then the times say
 * little about either contender). Results go to {@link AgainstResults}.
 */
final class Against {

    /** A warm-up ends here even if the contender's times have not settled (and the results say so). */
    static final double MAX_WARMUP_SECONDS = 90;

    /** The thread counts compared: BinaryViT's threads and ONNX Runtime's intra-op threads. */
    static final List<Integer> THREADS = List.of(1, 2);

    /**
     * How long to measure.
     *
     * @param rounds                 measured rounds
     * @param imagesPerRound         images each contender runs back to back in a round (after one untimed)
     * @param binaryVitWarmupSeconds how long each BinaryViT-S (one per thread count) runs alone first
     * @param onnxWarmupSeconds      how long each ONNX Runtime session runs alone first
     * @param pauseMillis            the pause before each block
     */
    record Settings(int rounds, int imagesPerRound, double binaryVitWarmupSeconds, double onnxWarmupSeconds,
                    long pauseMillis) {

        /**
         * The settings of a full or quick bench run; {@code rounds}, {@code images} (per contender and
         * round) and {@code warmup} (BinaryViT-S's warm-up in seconds; ONNX Runtime gets a quarter of
         * it) override the defaults when not null.
         */
        static Settings of(boolean quick, Integer rounds, Integer images, Double warmup) {
            double w = warmup != null ? warmup : quick ? 5 : 8;
            return new Settings(rounds != null ? rounds : quick ? 10 : 20, images != null ? images : quick ? 4 : 8,
                    w, w / 4, 100);
        }
    }

    /** One contender: one image's work. */
    private interface Contender extends WarmUp.Body<OrtException> {}

    private Against() {}

    /**
     * Opens the models (each at every thread count), runs the warm-ups and the rounds, and returns
     * the times; says on {@code progress} how each warm-up ended. Throws {@link OnnxModel.Unusable}
     * if a model cannot be opened.
     */
    static AgainstResults run(List<Path> files, Settings s, PrintStream progress)
            throws OnnxModel.Unusable, OrtException {
        if (s.rounds() < 1 || s.imagesPerRound() < 1) {
            throw new IllegalArgumentException("rounds and images per round must be at least 1: " + s);
        }
        String version = OnnxModel.version();
        List<BinaryVit> binaryVits = new ArrayList<>();
        List<OnnxModel> onnx = new ArrayList<>(); // models x threads, model-major
        try {
            for (Path f : files) {
                for (int t : THREADS) {
                    onnx.add(OnnxModel.open(f, t));
                }
            }
            for (int t : THREADS) {
                binaryVits.add(BinaryVit.builtIn(t));
            }
            BinaryVit first = binaryVits.get(0);
            float[] image = new float[first.imageFloats()];
            Random random = new Random(7); // as ModelBenchmark's
            for (int i = 0; i < image.length; i++) {
                image[i] = (float) random.nextGaussian();
            }
            float[] logits = new float[first.config().numLabels()];

            // Contenders: per thread count, BinaryViT-S then each model.
            List<Contender> contenders = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<double[]> times = new ArrayList<>();
            List<Double> warmups = new ArrayList<>();
            List<Integer> threadIndex = new ArrayList<>();
            List<String> unsteady = new ArrayList<>();
            for (int ti = 0; ti < THREADS.size(); ti++) {
                BinaryVit b = binaryVits.get(ti);
                contenders.add(() -> b.forward(image, 1, logits, StepObserver.NONE));
                threadIndex.add(ti);
                names.add("BinaryViT-S, " + threads(THREADS.get(ti)));
                warmups.add(s.binaryVitWarmupSeconds());
                for (int fi = 0; fi < files.size(); fi++) {
                    OnnxModel m = onnx.get(fi * THREADS.size() + ti);
                    contenders.add(m::run);
                    threadIndex.add(ti);
                    names.add(m.file().getFileName() + ", " + threads(THREADS.get(ti)));
                    warmups.add(s.onnxWarmupSeconds());
                }
            }
            WarmUp warmUp = WarmUp.jvm();
            for (int c = 0; c < contenders.size(); c++) {
                times.add(new double[s.rounds()]);
                WarmUp.Result w = warmUp.run(contenders.get(c)::run, warmups.get(c), MAX_WARMUP_SECONDS);
                progress.printf(Locale.ROOT, "bench:        warm-up %s: %d image%s in %.1f s, %s, median of the last second %s ms%n",
                        names.get(c), w.runs(), w.runs() == 1 ? "" : "s", w.seconds(),
                        w.steady() ? "steady" : "NOT steady after the cap", Fmt.sig3(w.lastMillis()));
                progress.flush();
                if (!w.steady()) {
                    unsteady.add(names.get(c));
                }
            }
            // Wall and process CPU time of the blocks, per thread count: how many cores the process
            // got while it ran (other processes on the cores take the rest).
            long[] wall = new long[THREADS.size()];
            long[] cpu = new long[THREADS.size()];
            for (int r = 0; r < s.rounds(); r++) {
                for (int k = 0; k < contenders.size(); k++) {
                    int c = (k + r) % contenders.size(); // the order rotates from round to round
                    Contender x = contenders.get(c);
                    pause(s.pauseMillis());
                    long w0 = System.nanoTime();
                    long c0 = processCpuNanos();
                    x.run();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < s.imagesPerRound(); i++) {
                        x.run();
                    }
                    long t1 = System.nanoTime();
                    times.get(c)[r] = (t1 - t0) / 1e6 / s.imagesPerRound();
                    wall[threadIndex.get(c)] += t1 - w0;
                    cpu[threadIndex.get(c)] += processCpuNanos() - c0;
                }
            }
            Map<Integer, Double> cores = new LinkedHashMap<>();
            for (int ti = 0; ti < THREADS.size(); ti++) {
                cores.put(THREADS.get(ti), processCpuNanos() < 0 ? Double.NaN : (double) cpu[ti] / wall[ti]);
            }
            progress.println("bench:        cores the process got while it ran, at " + THREADS.stream()
                    .map(t -> threads(t) + ": " + Fmt.sig3(cores.get(t))).reduce((a, b) -> a + ", " + b).orElse("")
                    + " (at most the threads; less when other processes share the cores)");
            progress.flush();

            Map<Integer, double[]> bvt = new LinkedHashMap<>();
            List<Map<Integer, double[]>> perModel = new ArrayList<>();
            files.forEach(f -> perModel.add(new LinkedHashMap<>()));
            int c = 0;
            for (int t : THREADS) {
                bvt.put(t, times.get(c++));
                for (int fi = 0; fi < files.size(); fi++) {
                    perModel.get(fi).put(t, times.get(c++));
                }
            }
            List<AgainstResults.Model> models = new ArrayList<>();
            for (int fi = 0; fi < files.size(); fi++) {
                OnnxModel m = onnx.get(fi * THREADS.size());
                models.add(new AgainstResults.Model(m.file().getFileName().toString(), m.file().toString(),
                        m.inputName(), m.declaredShape(), m.shape(), perModel.get(fi)));
            }
            String what = "BinaryViT-S, built-in weights, batch 1, input " + Arrays.toString(OnnxModel.IMAGE);
            return new AgainstResults(version, what, Kernels.vectorBits(), s, THREADS, bvt, models, cores, unsteady);
        } finally {
            onnx.forEach(OnnxModel::close);
            binaryVits.forEach(BinaryVit::close);
        }
    }

    /** The CPU time of the whole process (all its threads, native ones too), or -1 when the JVM cannot say. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static String threads(int t) {
        return t + (t == 1 ? " thread" : " threads");
    }

    private static void pause(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
