package dev.binaryvit.model;

import dev.binaryvit.kernels.Kernels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code run}: classify images, print the top 5 of each and a per-step time table. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Classify images with BinaryViT; print the top-5 classes of each and a per-layer time table.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--weights", paramLabel = "F.safetensors", description = "Weights (official names); needs --config.")
    Path weights;

    @Option(names = "--config", paramLabel = "config.json", description = "Config (official format); needs --weights.")
    Path config;

    @Option(names = "--threads", defaultValue = "1", description = "Threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--runs", defaultValue = "10", description = "Timed runs for the time table (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Untimed runs before the timed ones (default: at least 3, more for up to 3 s, at most 50).")
    Integer warmup;

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "Images (PNG, JPEG, ...); none: the bundled sample.")
    List<Path> images = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if ((weights == null) != (config == null)) {
            throw new IllegalArgumentException("--weights and --config go together");
        }
        if (threads < 1 || runs < 1) {
            throw new IllegalArgumentException("--threads and --runs must be >= 1");
        }
        if (warmup != null && warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        }
        if (weights != null) {
            requireFile(config, "--config");
            requireFile(weights, "--weights");
        }
        if (threads > MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be at most " + MAX_THREADS + ", got " + threads);
        }
        for (Path p : images) {
            Images.checkFile(p); // a missing file fails with its path named before any work is done
        }
        int count = images.isEmpty() ? 1 : images.size();
        BinaryVitConfig checked = weights == null ? null : BinaryVitConfig.fromJson(config);
        if (checked != null && checked.numChannels() != 3) {
            throw new IllegalArgumentException("bad config " + config + ": num_channels: run reads RGB images (3 channels)"
                    + " but the model takes " + checked.numChannels() + "; use the library's BinaryVit.forward for other inputs");
        }
        try (BinaryVit model = weights == null ? BinaryVit.builtIn(threads)
                : BinaryVit.create(checked, Safetensors.read(weights), threads)) {
            BinaryVitConfig c = model.config();
            out.printf("model: %s%n", weights == null
                    ? "BinaryViT-S with built-in deterministic weights (no checkpoint given: the labels are meaningless)"
                    : weights + " (" + c.numLayers() + " layers, hidden " + hidden(c) + ")");
            out.printf("kernels: %s, threads: %d%n", Kernels.description(), threads);
            if (!model.unusedTensors().isEmpty()) {
                out.printf("unused tensors in the weight file (%d): %s%n", model.unusedTensors().size(),
                        model.unusedTensors());
            }
            // Images are decoded and classified MAX_BATCH at a time: a directory of photos needs the
            // memory of one batch (decoded pictures, workspace), not of all of them.
            int size = c.imageSize();
            int per = model.imageFloats();
            float[] first = null;
            int firstBatch = 0;
            for (int from = 0; from < count; from += MAX_BATCH) {
                int batch = Math.min(MAX_BATCH, count - from);
                float[] input = new float[batch * per];
                for (int b = 0; b < batch; b++) {
                    BufferedImage picture = images.isEmpty() ? Images.sample() : Images.read(images.get(from + b));
                    System.arraycopy(Images.preprocess(picture, size), 0, input, b * per, per);
                }
                float[] logits = model.forward(input, batch);
                for (int b = 0; b < batch; b++) {
                    out.printf("%n%s%n", images.isEmpty() ? "sample.png (bundled)" : images.get(from + b).toString());
                    int rank = 1;
                    for (Prediction p : model.top(logits, b, 5)) {
                        out.printf("  %d. %-40s p=%.4f  logit=%.3f%n", rank++, p.label(), p.probability(), p.logit());
                    }
                }
                if (first == null) {
                    first = input;
                    firstBatch = batch;
                }
            }
            timeTable(model, first, firstBatch, out);
        }
        return 0;
    }

    /** Images per forward pass. */
    static final int MAX_BATCH = 8;
    /** More threads than this is a typo (each one is a platform thread). */
    static final int MAX_THREADS = 256;

    /** A readable regular file, else a message naming it and the option it was given to. */
    static void requireFile(Path file, String option) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, option);
        }
        if (Files.isDirectory(file)) {
            throw new IOException(option + " " + file + " is a directory, not a file");
        }
        if (!Files.isReadable(file)) {
            throw new AccessDeniedException(file.toString(), null, option);
        }
    }

    /** Per-step median times over {@code runs} runs after a warm-up, so the JIT has compiled the kernels. */
    private void timeTable(BinaryVit model, float[] input, int batch, PrintWriter out) {
        float[] logits = new float[batch * model.config().numLabels()];
        Map<String, long[]> times = new LinkedHashMap<>();
        Map<String, String> shapes = new LinkedHashMap<>();
        long warmUntil = System.nanoTime() + 3_000_000_000L;
        int warm = 0;
        while (warmup != null ? warm < warmup : warm < 3 || (System.nanoTime() < warmUntil && warm < 50)) {
            model.forward(input, batch, logits, StepObserver.NONE);
            warm++;
        }
        long[] totals = new long[runs];
        for (int r = 0; r < runs; r++) {
            int run = r;
            long start = System.nanoTime();
            model.forward(input, batch, logits, (step, output, length, nanos) -> {
                times.computeIfAbsent(step.name(), k -> new long[runs])[run] += nanos; // once per image of the batch
                shapes.putIfAbsent(step.name(), shape(model.config(), step, batch));
            });
            totals[r] = System.nanoTime() - start;
        }
        double total = median(totals) / 1e6;
        out.printf("%nper-step time, batch %d, median of %d runs after %d warm-up runs:%n", batch, runs, warm);
        out.printf("  %-14s %-14s %9s %6s%n", "step", "output", "ms", "%");
        double sum = 0;
        for (Map.Entry<String, long[]> e : times.entrySet()) {
            double ms = median(e.getValue()) / 1e6;
            sum += ms;
            out.printf("  %-14s %-14s %9.3f %6.1f%n", e.getKey(), shapes.get(e.getKey()), ms, 100 * ms / total);
        }
        out.printf("  %-14s %-14s %9.3f%n", "sum of steps", "", sum);
        out.printf("  %-14s %-14s %9.3f  (%.2f ms per image)%n", "forward", "", total, total / batch);
    }

    private static String shape(BinaryVitConfig c, Step step, int batch) {
        return switch (step.kind()) {
            case EMBEDDINGS -> c.grid(0) * c.grid(0) + "x" + c.hiddenSize(0);
            case LAYER -> {
                int s = c.stageOfLayer(step.index());
                yield c.grid(s) * c.grid(s) + "x" + c.hiddenSize(s);
            }
            case MERGE -> c.grid(step.index() + 1) * c.grid(step.index() + 1) + "x" + c.hiddenSize(step.index() + 1);
            case HEAD -> batch + "x" + c.numLabels();
        };
    }

    private static String hidden(BinaryVitConfig c) {
        int[] h = new int[c.stages()];
        for (int s = 0; s < h.length; s++) {
            h[s] = c.hiddenSize(s);
        }
        return Arrays.toString(h);
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }
}
