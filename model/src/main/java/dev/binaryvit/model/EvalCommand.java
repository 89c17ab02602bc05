package dev.binaryvit.model;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code eval [DATA]}: the model's accuracy on a labelled data set (IDX files or an image folder),
 * and, given the official model's logits on the same images, its agreement with them image by image.
 * Images that cannot be read are reported by name and counted; the run goes on.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Accuracy on a data set: top-1, top-5, per class, confusion matrix, images per second; "
                + "with --reference, agreement with the official model image by image.")
final class EvalCommand implements Callable<Integer> {

    /** Where Debian's dataset-fashion-mnist package puts the data: the data set used when none is given. */
    static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    @Parameters(paramLabel = "DATA", arity = "0..1",
            description = "IDX files (a directory or the images file; gzipped or not) or an image folder (one "
                    + "sub-folder per class). Default: Debian's Fashion-MNIST test set if installed, else the bundled images.")
    Path data;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--reference", paramLabel = "F.safetensors",
            description = "Reference logits of the same images, in order: 'logits' [n, labels] (and optionally "
                    + "'logits_fp32', 'labels'), as the official model's run writes them.")
    Path reference;

    @Option(names = "--threads", defaultValue = "1", description = "Threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--batch", defaultValue = "16", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--predictions", paramLabel = "FILE.csv",
            description = "Also write one row per image: image, true_label, label (predicted), probability, error.")
    Path predictions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        model.check();
        if (threads < 1 || threads > RunCommand.MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be in [1, " + RunCommand.MAX_THREADS + "], got " + threads);
        }
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("--batch must be in [1, " + MAX_BATCH + "], got " + batch);
        }
        if (reference != null) RunCommand.requireFile(reference, "--reference");
        try (BinaryVit m = model.open(threads)) {
            Preprocessor preprocessor = model.preprocessor(m);
            List<String> classes = classNames(m.config());
            LabelledImages images = open(classes);
            Reference ref = reference == null ? null : Reference.read(reference, images.size(), m.config().numLabels());
            out.printf("model: %s%n", model.describe(m));
            out.printf("preprocessing: %s%n", preprocessor.describe());
            out.printf("data: %s%n", images.description());
            out.printf("threads: %d, batch: %d%n", threads, batch);
            if (ref != null) out.printf("reference: %s%n", ref.describe());
            out.flush();

            EvalReport report = new EvalReport(m.config().numLabels());
            long elapsed;
            try (PredictionsCsv csv = predictions == null ? null : PredictionsCsv.create(predictions)) {
                elapsed = run(m, preprocessor, images, ref, report, csv);
            }
            if (predictions != null) out.printf("predictions: %s%n", predictions);
            report.print(out, images.classNames().isEmpty() ? classes : images.classNames(), elapsed);
        }
        return 0;
    }

    /** More images per forward pass than this is a typo: each holds its scratch buffers. */
    static final int MAX_BATCH = 1024;

    /** Classifies every image, {@code batch} at a time, each also into {@code csv} unless null; returns the nanoseconds it took. */
    private long run(BinaryVit m, Preprocessor preprocessor, LabelledImages images, Reference ref, EvalReport report,
                     PredictionsCsv csv) {
        int per = m.imageFloats();
        int labels = m.config().numLabels();
        float[] input = new float[batch * per];
        float[] logits = new float[batch * labels];
        int[] index = new int[batch];
        String[] errors = new String[batch];   // this batch's decoding errors, for the csv in image order
        long start = System.nanoTime();
        try (EvalReport.Progress progress = EvalReport.Progress.terminal("eval", images.size())) {
            for (int from = 0; from < images.size(); from += batch) {
                int to = Math.min(images.size(), from + batch);
                int n = 0;   // images of this batch that decoded
                for (int i = from; i < to; i++) {
                    errors[i - from] = null;
                    try {
                        preprocessor.apply(images.image(i), input, n * per);
                        index[n++] = i;
                    } catch (ImageException | IllegalArgumentException e) {
                        report.fail(images.name(i), Main.describe(e));
                        errors[i - from] = Main.describe(e);
                        progress.step();
                    }
                }
                if (n == 0) {
                    if (csv != null) writeRows(csv, images, from, to, errors, m, logits, index, 0);
                    continue;
                }
                float[] in = n == batch ? input : Arrays.copyOf(input, n * per);
                float[] lo = n == batch ? logits : new float[n * labels];
                m.forward(in, n, lo, StepObserver.NONE);
                for (int b = 0; b < n; b++) {
                    int i = index[b];
                    report.add(images.name(i), images.label(i), Arrays.copyOfRange(lo, b * labels, (b + 1) * labels),
                            ref == null ? null : ref.row(i));
                    progress.step();
                }
                if (csv != null) writeRows(csv, images, from, to, errors, m, lo, index, n);
            }
        }
        return System.nanoTime() - start;
    }

    /** The csv rows of images [from, to) in their order: the n that decoded (index[]) from their logits, the others with their error. */
    private static void writeRows(PredictionsCsv csv, LabelledImages images, int from, int to, String[] errors,
                                  BinaryVit m, float[] logits, int[] index, int n) {
        int b = 0;
        for (int i = from; i < to; i++) {
            if (errors[i - from] != null) {
                csv.failed(images.name(i), trueLabel(images, i), errors[i - from]);
                continue;
            }
            if (b >= n || index[b] != i) throw new IllegalStateException("image " + i + " neither failed nor classified");
            Prediction best = m.top(logits, b++, 1).getFirst();
            csv.classified(images.name(i), trueLabel(images, i), best.label(), best.probability());
        }
    }

    /** The true class of image i as its name where the data set names it, its index otherwise, empty if unknown. */
    private static String trueLabel(LabelledImages images, int i) {
        int label = images.label(i);
        if (label < 0) return "";
        return label < images.classNames().size() ? images.classNames().get(label) : Integer.toString(label);
    }

    /** The model's class names, or "class i" where its config names none. */
    private static List<String> classNames(BinaryVitConfig c) {
        if (!c.hasLabels()) return List.of();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < c.numLabels(); i++) names.add(c.label(i).orElse("class " + i));
        return names;
    }

    /** DATA, else Debian's Fashion-MNIST test set, else the bundled images; says which when it chose. */
    private LabelledImages open(List<String> classes) throws IOException {
        if (data != null) return LabelledImages.open(data, classes);
        PrintWriter out = spec.commandLine().getOut();
        if (Files.isDirectory(DEBIAN_FASHION_MNIST)) {
            out.printf("no DATA given: Debian's Fashion-MNIST test set (%s)%n", DEBIAN_FASHION_MNIST);
            return IdxFile.open(DEBIAN_FASHION_MNIST, classes.isEmpty() ? IdxFile.FASHION_MNIST_CLASSES : classes);
        }
        out.printf("no DATA given and Debian's Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist):"
                + " the bundled images%n");
        return BundledImages.load();
    }

    /** Reference logits, one row per image of the data set. */
    record Reference(Path file, float[] logits, int labels, float[] logitsFp32, float[] trueLabels) {

        static Reference read(Path file, int images, int labels) throws IOException {
            Safetensors s = Safetensors.read(file);
            Tensor logits = s.tensor("logits");
            if (logits == null) {
                throw new IOException("--reference " + file + " has no tensor 'logits' (it has " + s.names() + ")");
            }
            check(file, logits, images, labels);
            Tensor fp32 = s.tensor("logits_fp32");
            if (fp32 != null) check(file, fp32, images, labels);
            Tensor truth = s.tensor("labels");
            if (truth != null && (truth.shape().length != 1 || truth.shape()[0] != images)) {
                throw new IOException("--reference " + file + ": 'labels' has shape " + truth.shapeString()
                        + ", expected [" + images + "]");
            }
            return new Reference(file, logits.data(), labels, fp32 == null ? null : fp32.data(),
                    truth == null ? null : truth.data());
        }

        private static void check(Path file, Tensor t, int images, int labels) throws IOException {
            long[] shape = t.shape();
            if (shape.length != 2 || shape[0] != images || shape[1] != labels) {
                throw new IOException("--reference " + file + ": '" + t.name() + "' has shape " + t.shapeString()
                        + " but the data set has " + images + " images and the model " + labels + " labels");
            }
        }

        float[] row(int i) {
            return Arrays.copyOfRange(logits, i * labels, (i + 1) * labels);
        }

        /** The file, and the top-1 accuracy of its own logits where it carries the labels. */
        String describe() {
            if (trueLabels == null) return file.toString();
            String s = file + ": official top-1 " + accuracy(logits) + " (logits)";
            return logitsFp32 == null ? s : s + ", " + accuracy(logitsFp32) + " (logits_fp32)";
        }

        private String accuracy(float[] rows) {
            int right = 0;
            int n = trueLabels.length;
            for (int i = 0; i < n; i++) {
                if (EvalReport.argmax(Arrays.copyOfRange(rows, i * labels, (i + 1) * labels)) == (int) trueLabels[i]) right++;
            }
            return String.format(java.util.Locale.ROOT, "%.4f", (double) right / n);
        }
    }
}
