package dev.binaryvit.model;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The results of classifying a data set, image by image, and the report printed from them.
 *
 * <p>Each image adds its true label (or -1), the model's logits and optionally a reference's
 * logits for the same image (e.g. from PyTorch), or a failure. From these: top-1 and top-5
 * accuracy over the labelled images that were classified, accuracy per class, the confusion
 * matrix (rows the true class, columns the predicted one), images per second, and with a
 * reference the images whose top-1 agrees with it and the largest absolute logit difference.
 *
 * <p>The prediction is the arg max of the logits with ties going to the lowest index and NaN
 * above every number, as {@code torch.argmax} on the CPU; top-5 ranks the logits the same way,
 * and with fewer than 5 labels it is the top-k over all of them (so always right). A label the
 * model has no output for counts as labelled and wrong. The methods are synchronized: several
 * threads may add to one report.
 */
public final class EvalReport {

    /** The k of top-k accuracy. */
    static final int TOP_K = 5;
    /** Failures and disagreements listed by name; the rest are counted. */
    static final int LISTED = 20;
    /** Most classes shown as a confusion matrix; above, the most frequent confusions are listed. */
    static final int MATRIX_MAX = 20;
    /** Most classes in the per-class table; above, those of lowest accuracy are shown. */
    static final int TABLE_MAX = 50;
    /** Class names are cut to this many characters in the tables. */
    static final int NAME_WIDTH = 20;

    private final int numLabels;
    private final int k;
    private final int[][] confusion;     // [true][predicted], a row allocated when its class first appears
    private int classified;
    private int labelled;
    private int outside;                 // labelled beyond the model's outputs
    private int top1;
    private int topK;
    private int compared;
    private int agreed;
    private double maxDiff;
    private String maxDiffImage;
    private int maxDiffLogit = -1;
    private final List<String> disagreements = new ArrayList<>();
    private int failed;
    private final List<String> failures = new ArrayList<>();

    /** An empty report for a model of {@code numLabels} outputs. */
    public EvalReport(int numLabels) {
        if (numLabels < 1) throw new IllegalArgumentException("numLabels " + numLabels + " < 1");
        this.numLabels = numLabels;
        this.k = Math.min(TOP_K, numLabels);
        this.confusion = new int[numLabels][];
    }

    // ---------------------------------------------------------------- accumulating

    /** Adds an image classified by the model; {@code label} is its true class or -1 if unknown. */
    public void add(String name, int label, float[] logits) {
        add(name, label, logits, null);
    }

    /**
     * Adds an image classified by the model and, unless {@code reference} is null, by the reference.
     *
     * @param label the true class, or -1 if unknown
     * @throws IllegalArgumentException if a logits row is not {@code numLabels} long or the label is below -1
     */
    public synchronized void add(String name, int label, float[] logits, float[] reference) {
        if (logits.length != numLabels) {
            throw new IllegalArgumentException("logits of " + name + ": " + logits.length + " values, the model has "
                    + numLabels);
        }
        if (reference != null && reference.length != numLabels) {
            throw new IllegalArgumentException("reference logits of " + name + ": " + reference.length
                    + " values, the model has " + numLabels);
        }
        if (label < -1) throw new IllegalArgumentException("label " + label + " of " + name + " (-1 is unknown)");
        classified++;
        int predicted = argmax(logits);
        if (label >= 0) {
            labelled++;
            if (label >= numLabels) {
                outside++;
            } else {
                if (confusion[label] == null) confusion[label] = new int[numLabels];
                confusion[label][predicted]++;
                if (predicted == label) top1++;
                if (rank(logits, label) < k) topK++;
            }
        }
        if (reference != null) {
            compared++;
            if (argmax(reference) == predicted) agreed++;
            else if (disagreements.size() < LISTED) disagreements.add(name);
            for (int j = 0; j < numLabels; j++) {
                double d = difference(logits[j], reference[j]);
                // A NaN difference is the worst there is and stays.
                if (Double.isNaN(d) ? !Double.isNaN(maxDiff) : d > maxDiff) {
                    maxDiff = d;
                    maxDiffImage = name;
                    maxDiffLogit = j;
                }
            }
        }
    }

    /** Adds an image that could not be read or classified. */
    public synchronized void fail(String name, String message) {
        failed++;
        if (failures.size() < LISTED) {
            // Image errors usually name their file already.
            failures.add(message != null && message.contains(name) ? message : name + ": " + message);
        }
    }

    /** |a - b|, 0 for equal values (the same infinity, both NaN), NaN when only one is NaN. */
    private static double difference(float a, float b) {
        if (a == b || Float.compare(a, b) == 0) return 0;
        return Math.abs((double) a - b);
    }

    /** a ranks above b: greater, or NaN against a number (as torch.argmax). */
    private static boolean above(float a, float b) {
        return a > b || (Float.isNaN(a) && !Float.isNaN(b));
    }

    /** The index of the largest logit, the lowest index among equals, the first NaN if any. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (above(logits[i], logits[best])) best = i;
        return best;
    }

    /** The 0-based place of logit {@code c} in the order of {@link #argmax}: how many rank above it. */
    static int rank(float[] logits, int c) {
        float v = logits[c];
        int r = 0;
        for (int j = 0; j < logits.length; j++) {
            if (j != c && (above(logits[j], v) || (j < c && !above(v, logits[j])))) r++;
        }
        return r;
    }

    // ---------------------------------------------------------------- results

    /** The model's number of outputs. */
    public int numLabels() {
        return numLabels;
    }

    /** Images classified (labelled or not). */
    public synchronized int classified() {
        return classified;
    }

    /** Classified images with a true label. */
    public synchronized int labelled() {
        return labelled;
    }

    /** Images that failed. */
    public synchronized int failed() {
        return failed;
    }

    /** Labelled images whose prediction is their label. */
    public synchronized int top1Correct() {
        return top1;
    }

    /** Labelled images whose label is among the top 5 (or all, with fewer labels) predictions. */
    public synchronized int top5Correct() {
        return topK;
    }

    /** Top-1 accuracy as a fraction of the labelled images; NaN if there are none. */
    public synchronized double top1() {
        return labelled == 0 ? Double.NaN : (double) top1 / labelled;
    }

    /** Top-5 accuracy as a fraction of the labelled images; NaN if there are none. */
    public synchronized double top5() {
        return labelled == 0 ? Double.NaN : (double) topK / labelled;
    }

    /** Labelled images of class {@code c}. */
    public synchronized int count(int c) {
        int[] row = confusion[c];
        if (row == null) return 0;
        int n = 0;
        for (int v : row) n += v;
        return n;
    }

    /** Images of class {@code c} classified as {@code c}. */
    public synchronized int correct(int c) {
        return confusion[c] == null ? 0 : confusion[c][c];
    }

    /** Labelled images whose label is beyond the model's outputs. */
    public synchronized int outside() {
        return outside;
    }

    /** A copy of the confusion matrix: {@code [true class][predicted class]}, {@code numLabels} square. */
    public synchronized int[][] confusion() {
        int[][] m = new int[numLabels][];
        for (int c = 0; c < numLabels; c++) m[c] = confusion[c] == null ? new int[numLabels] : confusion[c].clone();
        return m;
    }

    /** Images classified with reference logits too. */
    public synchronized int compared() {
        return compared;
    }

    /** Images whose top-1 prediction equals the reference's. */
    public synchronized int agreed() {
        return agreed;
    }

    /** The largest absolute difference between a logit and the reference's; 0 without a reference. */
    public synchronized double maxAbsDiff() {
        return maxDiff;
    }

    /** Classified images per second of {@code elapsedNanos}; NaN if no time elapsed. */
    public synchronized double imagesPerSecond(long elapsedNanos) {
        return elapsedNanos <= 0 ? Double.NaN : classified / (elapsedNanos / 1e9);
    }

    // ---------------------------------------------------------------- the report

    /**
     * The last line of the report, for scripts:
     * {@code eval: images=<n> top1=<x> top5=<x> agree=<k>/<n> images_per_s=<x>}, with accuracies
     * as fractions to 4 decimals ({@code nan} without labelled images), {@code agree} only when
     * images were compared with a reference (out of those compared), the speed to 1 decimal.
     */
    public synchronized String summaryLine(long elapsedNanos) {
        return "eval: images=" + classified
                + " top1=" + format("%.4f", top1()) + " top5=" + format("%.4f", top5())
                + (compared > 0 ? " agree=" + agreed + "/" + compared : "")
                + " images_per_s=" + format("%.1f", imagesPerSecond(elapsedNanos));
    }

    /**
     * Prints the report: totals and speed, accuracy, a per-class table, the confusion matrix (or,
     * for many classes, the most frequent confusions), the comparison with the reference, the
     * failed images, and last the {@link #summaryLine}.
     *
     * @param classNames the class names by index, or empty; names are shortened for the tables
     */
    public synchronized void print(PrintWriter out, List<String> classNames, long elapsedNanos) {
        out.println("Classified " + classified + " image" + plural(classified)
                + (failed > 0 ? " (" + failed + " failed)" : "")
                + " in " + format("%.2f", elapsedNanos / 1e9) + " s: " + format("%.1f", imagesPerSecond(elapsedNanos))
                + " images/s");
        if (labelled == 0) {
            out.println("No labelled images: no accuracy.");
        } else {
            out.println("Accuracy over " + labelled + " labelled image" + plural(labelled) + ": top-1 "
                    + percent(top1, labelled) + " (" + top1 + "), top-" + k + " " + percent(topK, labelled) + " (" + topK + ")");
            int unlabelled = classified - labelled;
            if (unlabelled > 0) out.println(unlabelled + " unlabelled image" + plural(unlabelled) + " not counted.");
            if (outside > 0) {
                out.println(outside + " labelled image" + plural(outside) + " ha" + (outside == 1 ? "s" : "ve")
                        + " a label beyond the model's " + numLabels + " outputs (counted as wrong).");
            }
            printClassTable(out, classNames);
            printConfusion(out, classNames);
        }
        if (compared > 0) {
            out.println();
            out.println("Reference: top-1 agrees on " + agreed + " of " + compared + " image" + plural(compared)
                    + " (" + percent(agreed, compared) + "); largest |logit difference| " + format("%.6g", maxDiff)
                    + (maxDiffImage == null ? "" : " (" + maxDiffImage + ", logit " + maxDiffLogit + ")"));
            int differ = compared - agreed;
            if (differ > 0) {
                out.println("Top-1 differs from the reference on " + differ + " image" + plural(differ) + ": "
                        + String.join(", ", disagreements) + (differ > disagreements.size()
                        ? " and " + (differ - disagreements.size()) + " more" : ""));
            }
        }
        if (failed > 0) {
            out.println();
            out.println("Failed images (" + failed + "):");
            for (String f : failures) out.println("  " + f);
            if (failed > failures.size()) out.println("  ... and " + (failed - failures.size()) + " more");
        }
        out.println(summaryLine(elapsedNanos));
        out.flush();
    }

    private void printClassTable(PrintWriter out, List<String> classNames) {
        List<Integer> shown = new ArrayList<>();
        for (int c = 0; c < numLabels; c++) if (confusion[c] != null) shown.add(c);
        if (shown.isEmpty()) return;
        String title = "Per class:";
        if (shown.size() > TABLE_MAX) {
            title = "Per class, the " + LISTED + " of lowest top-1 accuracy of " + shown.size() + ":";
            shown.sort(Comparator.comparingDouble((Integer c) -> (double) correct(c) / count(c)).thenComparing(c -> c));
            shown = new ArrayList<>(shown.subList(0, LISTED));
        }
        List<String> rowNames = new ArrayList<>();
        for (int c : shown) rowNames.add(rowLabel(c, classNames));
        int w = Math.max("class".length(), rowNames.stream().mapToInt(String::length).max().orElse(0));
        out.println();
        out.println(title);
        out.println(String.format(Locale.ROOT, "  %-" + w + "s  %7s  %7s  %7s", "class", "images", "correct", "top-1 %"));
        for (int i = 0; i < shown.size(); i++) {
            int c = shown.get(i);
            int n = count(c);
            out.println(String.format(Locale.ROOT, "  %-" + w + "s  %7d  %7d  %7.2f", rowNames.get(i), n, correct(c),
                    100.0 * correct(c) / n));
        }
    }

    private void printConfusion(PrintWriter out, List<String> classNames) {
        out.println();
        if (numLabels > MATRIX_MAX) {
            printConfusions(out, classNames);
            return;
        }
        int max = 0;
        for (int[] row : confusion) if (row != null) for (int v : row) max = Math.max(max, v);
        int cell = Math.max(Integer.toString(max).length(), Integer.toString(numLabels - 1).length()) + 1;
        List<String> rowNames = new ArrayList<>();
        for (int c = 0; c < numLabels; c++) rowNames.add(rowLabel(c, classNames));
        int w = rowNames.stream().mapToInt(String::length).max().orElse(0) + 1;
        out.println("Confusion matrix (rows: true class; columns: predicted class, by index):");
        StringBuilder header = new StringBuilder("  ").append(" ".repeat(w));
        for (int c = 0; c < numLabels; c++) header.append(String.format("%" + cell + "d", c));
        out.println(header);
        for (int r = 0; r < numLabels; r++) {
            StringBuilder line = new StringBuilder("  ").append(String.format("%-" + w + "s", rowNames.get(r)));
            for (int c = 0; c < numLabels; c++) {
                line.append(String.format("%" + cell + "d", confusion[r] == null ? 0 : confusion[r][c]));
            }
            out.println(line);
        }
    }

    /** For many classes: the most frequent (true, predicted) pairs off the diagonal. */
    private void printConfusions(PrintWriter out, List<String> classNames) {
        List<int[]> pairs = new ArrayList<>();   // {true, predicted, count}
        for (int r = 0; r < numLabels; r++) {
            if (confusion[r] == null) continue;
            for (int c = 0; c < numLabels; c++) if (c != r && confusion[r][c] > 0) pairs.add(new int[] {r, c, confusion[r][c]});
        }
        if (pairs.isEmpty()) {
            out.println("No confusions: every labelled image was classified correctly.");
            return;
        }
        pairs.sort(Comparator.<int[]>comparingInt(p -> -p[2]).thenComparingInt(p -> p[0]).thenComparingInt(p -> p[1]));
        int n = Math.min(10, pairs.size());
        out.println("Most frequent confusions (of " + pairs.size() + " pairs; " + numLabels
                + " classes are too many for a matrix):");
        for (int[] p : pairs.subList(0, n)) {
            out.println("  " + p[2] + " x " + classLabel(p[0], classNames) + " -> " + classLabel(p[1], classNames));
        }
    }

    /** {@link #classLabel} with the index right-aligned for the rows of a table. */
    private String rowLabel(int c, List<String> classNames) {
        String label = classLabel(c, classNames);
        int pad = Integer.toString(numLabels - 1).length() - Integer.toString(c).length();
        return " ".repeat(pad) + label;
    }

    /** "7 Sneaker": the index, and the name shortened if there is one. */
    static String classLabel(int c, List<String> classNames) {
        if (c >= classNames.size()) return Integer.toString(c);
        String name = abbreviate(classNames.get(c));
        return name.isEmpty() || name.equals(Integer.toString(c)) ? Integer.toString(c) : c + " " + name;
    }

    /**
     * A class name short enough for a table: the first of comma-separated synonyms (ImageNet's
     * "tench, Tinca tinca" is "tench"), cut to 20 characters with ".." at the end.
     */
    static String abbreviate(String name) {
        String s = name.strip();
        int comma = s.indexOf(", ");
        if (comma > 0) s = s.substring(0, comma);
        s = s.replaceAll("\\s+", " ");
        return s.length() <= NAME_WIDTH ? s : s.substring(0, NAME_WIDTH - 2) + "..";
    }

    private static String percent(int n, int of) {
        return format("%.2f", 100.0 * n / of) + "%";
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }

    /** Locale-independent (a decimal point everywhere), and "nan" for NaN as Python writes it. */
    private static String format(String f, double v) {
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, f, v);
    }

    // ---------------------------------------------------------------- progress

    /**
     * Progress of a long evaluation, one step per image. {@link #terminal} draws a bar when there
     * is a terminal to see it; {@link #NONE} does nothing, for tests, scripts and logs.
     */
    public interface Progress extends AutoCloseable {

        /** Draws nothing. */
        Progress NONE = new Progress() {
            @Override
            public void step() {}

            @Override
            public void close() {}
        };

        /** One more image done. */
        void step();

        /** Ends the progress display. */
        @Override
        void close();

        /**
         * A progress bar of {@code total} steps on standard error if the program runs in a
         * terminal ({@code System.console()} is one), else {@link #NONE}, so that redirected
         * output holds no bar.
         */
        static Progress terminal(String task, long total) {
            Console console = System.console();
            if (console == null || !console.isTerminal()) return NONE;
            try {
                return new Bar(task, total);
            } catch (RuntimeException | LinkageError e) {
                // The bar is decoration (and its library optional to the model's users): go on without it.
                return NONE;
            }
        }
    }

    /** me.tongfei's progress bar; its classes load only when a bar is drawn. */
    private static final class Bar implements Progress {
        private final ProgressBar bar;

        Bar(String task, long total) {
            // Without a consumer given, the library draws on standard error.
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).showSpeed().build();
        }

        @Override
        public void step() {
            bar.step();
        }

        @Override
        public void close() {
            bar.close();
        }
    }
}
