package dev.binaryvit.model;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code verify DIR}: compares the model with a reference run of the official code, layer by layer
 * with teacher forcing (layer i fed the reference {@code hidden.i}, compared with {@code hidden.(i+1)};
 * the last layer through the head to {@code logits}) and end to end.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Compare with a reference run of the official model: DIR holds config.json, the weights "
                + "(weights.safetensors, model.safetensors or a PyTorch checkpoint) and case.safetensors (input, hidden.i, logits).")
final class VerifyCommand implements Callable<Integer> {

    /** A layer passes when its max abs error is at most this ... */
    static final double MAX_ABS = 5e-2;
    /** ... and at most this fraction of its elements are off by more than 1e-3. */
    static final double MAX_FRACTION_OVER = 1e-3;

    @Parameters(paramLabel = "DIR", description = "Directory with config.json, weights, case.safetensors.")
    Path dir;

    @Option(names = "--threads", defaultValue = "1", description = "Threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (threads < 1 || threads > RunCommand.MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be in [1, " + RunCommand.MAX_THREADS + "], got " + threads);
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + (Files.exists(dir) ? " is not a directory" : " does not exist")
                    + " (verify needs a directory with config.json, the weights and case.safetensors)");
        }
        for (String name : new String[] {"config.json", "case.safetensors"}) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new IOException(dir.resolve(name) + " is missing (verify needs config.json, "
                        + "the weights and case.safetensors in " + dir + ")");
            }
        }
        Path weights = ModelFiles.weightsIn(dir);
        Case reference = Case.read(dir.resolve("case.safetensors"));
        try (BinaryVit model = BinaryVit.load(dir.resolve("config.json"), weights, threads)) {
            if (!model.unusedTensors().isEmpty()) {
                // Not an error (a checkpoint may carry extras), but a likely sign of the wrong config.
                out.printf("warning: %d tensors of %s are not used by config.json: %s%n",
                        model.unusedTensors().size(), weights.getFileName(), abbreviate(model.unusedTensors()));
            }
            Report report = verify(model, reference);
            report.print(out);
            return report.pass() ? 0 : 1;
        }
    }

    private static String abbreviate(java.util.List<String> names) {
        return names.size() <= 5 ? names.toString()
                : names.subList(0, 5).toString().replace("]", ", ... (" + (names.size() - 5) + " more)]");
    }

    static Report verify(BinaryVit model, Case c) {
        int layers = model.layers();
        int batch = c.batch();
        c.checkAgainst(model);
        Report report = new Report(layers, batch);
        for (int i = 0; i < layers; i++) {
            float[] out = model.layer(i, c.hidden(i), batch);
            Errors hiddenError = Errors.between(out, c.hidden(i + 1));
            Errors forced = i < layers - 1 ? hiddenError : Errors.between(model.head(out, batch), c.logits());
            report.layer(i, forced, hiddenError);
        }
        float[] logits = model.forward(c.input(), batch);
        report.endToEnd(Errors.between(logits, c.logits()), agreeingTop1(logits, c.logits(), batch));
        return report;
    }

    private static int agreeingTop1(float[] a, float[] b, int batch) {
        int labels = a.length / batch;
        int agree = 0;
        for (int i = 0; i < batch; i++) {
            if (argmax(a, i * labels, labels) == argmax(b, i * labels, labels)) {
                agree++;
            }
        }
        return agree;
    }

    private static int argmax(float[] x, int from, int length) {
        int best = 0;
        for (int j = 1; j < length; j++) {
            if (x[from + j] > x[from + best]) {
                best = j;
            }
        }
        return best;
    }

    /** The maximum absolute error and the fraction of elements off by more than 1e-3. */
    record Errors(double maxAbs, double fractionOver) {
        static Errors between(float[] actual, float[] expected) {
            if (actual.length != expected.length) {
                throw new IllegalArgumentException("sizes differ: " + actual.length + " vs " + expected.length);
            }
            double max = 0;
            long over = 0;
            for (int i = 0; i < actual.length; i++) {
                double d = Math.abs((double) actual[i] - expected[i]);
                if (!(d <= max)) {
                    max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d; // NaN is the worst error there is
                }
                if (!(d <= 1e-3)) {
                    over++;
                }
            }
            return new Errors(max, actual.length == 0 ? 0 : (double) over / actual.length);
        }

        boolean pass() {
            return maxAbs <= MAX_ABS && fractionOver <= MAX_FRACTION_OVER;
        }
    }

    /** The lines verify prints, and its verdict. */
    static final class Report {
        private final Errors[] forced;
        private final Errors[] hidden;
        private final int batch;
        private Errors logits;
        private int top1;

        Report(int layers, int batch) {
            this.forced = new Errors[layers];
            this.hidden = new Errors[layers];
            this.batch = batch;
        }

        void layer(int i, Errors teacherForced, Errors hiddenState) {
            forced[i] = teacherForced;
            hidden[i] = hiddenState;
        }

        void endToEnd(Errors logitErrors, int agreeingTop1) {
            logits = logitErrors;
            top1 = agreeingTop1;
        }

        /** The teacher-forced errors of layer i (the last layer's through the head, against the logits). */
        Errors forced(int i) {
            return forced[i];
        }

        /** The end-to-end errors of the logits. */
        Errors logits() {
            return logits;
        }

        /** Images whose top-1 class agrees end to end. */
        int top1() {
            return top1;
        }

        boolean pass() {
            for (Errors e : forced) {
                if (!e.pass()) {
                    return false;
                }
            }
            return true;
        }

        double worstMaxAbs() {
            double w = 0;
            for (Errors e : forced) {
                w = Math.max(w, e.maxAbs());
            }
            return w;
        }

        double worstFraction() {
            double w = 0;
            for (Errors e : forced) {
                w = Math.max(w, e.fractionOver());
            }
            return w;
        }

        void print(PrintWriter out) {
            out.println("teacher-forced, layer i fed hidden.i (pass: max abs <= " + MAX_ABS + " and fraction > 1e-3 <= "
                    + MAX_FRACTION_OVER + "):");
            out.printf("  %-8s %-12s %12s %14s %s%n", "layer", "compared", "max_abs", "frac>1e-3", "");
            for (int i = 0; i < forced.length; i++) {
                String what = i < forced.length - 1 ? "hidden." + (i + 1) : "logits";
                out.printf("  %-8d %-12s %12.3e %14.3e %s%n", i, what, forced[i].maxAbs(), forced[i].fractionOver(),
                        forced[i].pass() ? "ok" : "FAIL");
                if (i == forced.length - 1) {
                    out.printf("  %-8s %-12s %12.3e %14.3e%n", "", "hidden." + (i + 1), hidden[i].maxAbs(),
                            hidden[i].fractionOver());
                }
            }
            out.printf("end to end (input -> logits): max_abs %.3e, frac>1e-3 %.3e, top-1 agrees on %d of %d%n",
                    logits.maxAbs(), logits.fractionOver(), top1, batch);
            out.printf("verify: %s layers=%d worst_layer_max_abs=%.3e worst_layer_frac_over_1e-3=%.3e logits_max_abs=%.3e top1_agree=%d/%d%n",
                    pass() ? "PASS" : "FAIL", forced.length, worstMaxAbs(), worstFraction(), logits.maxAbs(), top1, batch);
        }
    }

    /** A reference case: {@code input}, {@code hidden.i}, {@code logits}. */
    record Case(Safetensors file, int batch) {

        static Case read(Path path) throws IOException {
            Safetensors s = Safetensors.read(path);
            Tensor input = s.tensor("input");
            if (input == null || input.shape().length != 4) {
                throw new IOException(path + ": no 4-d tensor 'input' [batch, channels, height, width]");
            }
            if (input.shape()[0] < 1) {
                throw new IOException(path + ": 'input' " + input.shapeString() + " holds a batch of 0 images");
            }
            if (s.tensor("logits") == null) {
                throw new IOException(path + ": no tensor 'logits'");
            }
            return new Case(s, (int) input.shape()[0]);
        }

        float[] input() {
            return file.tensor("input").data();
        }

        float[] logits() {
            return file.tensor("logits").data();
        }

        float[] hidden(int i) {
            return file.tensor("hidden." + i).data();
        }

        /** Every tensor verify reads exists with the model's shape, else a message naming it. */
        void checkAgainst(BinaryVit model) {
            BinaryVitConfig c = model.config();
            int size = c.imageSize();
            expect("input", batch, c.numChannels(), size, size);
            expect("logits", batch, c.numLabels());
            for (int i = 0; i <= model.layers(); i++) {
                int s = i == model.layers() ? c.stages() - 1 : c.stageOfLayer(i);
                expect("hidden." + i, batch, c.tokens(s), c.hiddenSize(s));
            }
        }

        /** Tensor {@code name} holds {@code product(shape)} values (any shape of that size is accepted). */
        private void expect(String name, long... shape) {
            Tensor t = file.tensor(name);
            if (t == null) {
                throw new IllegalArgumentException("case.safetensors has no tensor '" + name + "'");
            }
            long floats = 1;
            for (long d : shape) floats *= d;
            if (t.data().length != floats) {
                throw new IllegalArgumentException("case.safetensors: '" + name + "' " + t.shapeString() + " has "
                        + t.data().length + " values but the model needs " + floats + " "
                        + java.util.Arrays.toString(shape) + " (batch " + batch + " from 'input')");
            }
        }
    }
}
