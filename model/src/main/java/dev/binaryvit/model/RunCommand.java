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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code run}: classify images, print the top 5 of each and a per-step time table. Without a model
 * option it runs the bundled Fashion-MNIST model, and without images its bundled test images, each
 * with its true label.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Classify images with BinaryViT; print the top-5 classes of each and a per-layer time table.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--threads", defaultValue = "1", description = "Threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--runs", defaultValue = "10", description = "Timed runs for the time table (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Untimed runs before the timed ones (default: at least 3, more for up to 3 s, at most 50).")
    Integer warmup;

    @Parameters(paramLabel = "IMAGE", arity = "0..*",
            description = "Images (PNG, JPEG, ...); none: the bundled test images (bundled model) or sample picture.")
    List<Path> images = new ArrayList<>();

    @Spec
    CommandSpec spec;

    /** An input: its name, its true class (-1: unknown) and how to decode it. */
    private record Input(String name, int label, Decoder picture) {}

    private interface Decoder {
        BufferedImage decode() throws IOException;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        model.check();
        if (threads < 1 || runs < 1) {
            throw new IllegalArgumentException("--threads and --runs must be >= 1");
        }
        if (warmup != null && warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        }
        if (threads > MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be at most " + MAX_THREADS + ", got " + threads);
        }
        for (Path p : images) {
            Images.checkFile(p); // a missing file fails with its path named before any work is done
        }
        List<Input> inputs = inputs();
        try (BinaryVit m = model.open(threads)) {
            Preprocessor preprocessor = model.preprocessor(m);
            out.printf("model: %s%n", model.describe(m));
            out.printf("preprocessing: %s%n", preprocessor.describe());
            out.printf("kernels: %s, threads: %d%n", Kernels.description(), threads);
            if (!m.unusedTensors().isEmpty()) {
                out.printf("unused tensors in the weight file (%d): %s%n", m.unusedTensors().size(), m.unusedTensors());
            }
            // Images are decoded and classified MAX_BATCH at a time: a directory of photos needs the
            // memory of one batch (decoded pictures, workspace), not of all of them.
            int per = m.imageFloats();
            float[] first = null;
            int firstBatch = 0;
            int labelled = 0;
            int correct = 0;
            for (int from = 0; from < inputs.size(); from += MAX_BATCH) {
                int batch = Math.min(MAX_BATCH, inputs.size() - from);
                float[] input = new float[batch * per];
                for (int b = 0; b < batch; b++) {
                    preprocessor.apply(inputs.get(from + b).picture().decode(), input, b * per);
                }
                float[] logits = m.forward(input, batch);
                for (int b = 0; b < batch; b++) {
                    Input in = inputs.get(from + b);
                    List<Prediction> top = m.top(logits, b, 5);
                    if (in.label() < 0) {
                        out.printf("%n%s%n", in.name());
                    } else {
                        labelled++;
                        boolean right = top.get(0).index() == in.label();
                        correct += right ? 1 : 0;
                        out.printf("%n%s  (true: %s, %s)%n", in.name(), labelName(m.config(), in.label()),
                                right ? "right" : "wrong");
                    }
                    int rank = 1;
                    for (Prediction p : top) {
                        out.printf("  %d. %-40s p=%.4f  logit=%.3f%n", rank++, p.label(), p.probability(), p.logit());
                    }
                }
                if (first == null) {
                    first = input;
                    firstBatch = batch;
                }
            }
            if (labelled > 0) {
                out.printf("%ntop-1 right on %d of %d labelled images%n", correct, labelled);
            }
            timeTable(m, first, firstBatch, out);
        }
        return 0;
    }

    /** The images named on the command line, else the bundled model's test images, else the sample picture. */
    private List<Input> inputs() throws IOException {
        List<Input> inputs = new ArrayList<>();
        for (Path p : images) {
            inputs.add(new Input(p.toString(), -1, () -> Images.read(p)));
        }
        if (inputs.isEmpty() && model.bundled()) {
            BundledImages bundled = BundledImages.load();
            for (int i = 0; i < bundled.size(); i++) {
                int index = i;
                inputs.add(new Input(bundled.name(i) + " (bundled)", bundled.label(i), () -> bundled.image(index)));
            }
        }
        if (inputs.isEmpty()) {
            inputs.add(new Input("sample.png (bundled)", -1, Images::sample));
        }
        return inputs;
    }

    private static String labelName(BinaryVitConfig c, int label) {
        return label < c.numLabels() ? c.label(label).orElse("class " + label) : "class " + label;
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

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }
}
