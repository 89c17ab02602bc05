package dev.binaryvit.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spark-classify INPUT OUTPUT}: classifies a collection of images with Spark and writes one
 * row per image. Embedded ({@code local[*]}) without {@code --master}; under {@code spark-submit}
 * the master it was given. Last line:
 * {@code spark-classify: images=<n> errors=<n> output=<dir> format=<f> seconds=<x>}.
 */
@Command(name = "spark-classify", mixinStandardHelpOptions = true,
        description = "Classify images with Spark: one row per image (path, label, probability, top5, error).")
public final class SparkClassifyCommand implements Callable<Integer> {

    /**
     * What Spark counts a file's opening as, in bytes, when packing files into partitions: its
     * 4 MB default makes 32 small image files a partition (313 tasks for 10,000 images); 64 kB lets
     * the packing follow the bytes, so the partitions are few and large.
     */
    static final String OPEN_COST = "65536";

    static final List<String> FORMATS = List.of("parquet", "csv", "json");

    @Parameters(index = "0", paramLabel = "INPUT",
            description = "A directory (read recursively) or glob of images (png, jpg, jpeg, bmp, gif), an IDX images "
                    + "file, or a directory of IDX images files.")
    String input;

    @Parameters(index = "1", paramLabel = "OUTPUT", description = "Where Spark writes the result; must not exist.")
    String output;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory, at this path on every executor (default: the bundled Fashion-MNIST model).")
    String model;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark-submit's, else local[*], Spark inside this JVM).")
    String master;

    @Option(names = "--format", defaultValue = "parquet", paramLabel = "FORMAT",
            description = "parquet, csv or json (default ${DEFAULT-VALUE}); csv gives top5 as 'label:probability;...'.")
    String format;

    @Option(names = "--fail-fast", description = "Fail the job on the first image that cannot be decoded, naming it.")
    boolean failFast;

    @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
            description = "Repartition the images into N partitions (default: Spark's choice).")
    int partitions;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "Threads of each executor's model (default 0: the executor's cores).")
    int threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs a command line: 0 done, 1 the job failed, 2 bad usage or input (one line on {@code err}). */
    static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new SparkClassifyCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof BadInput || e instanceof IllegalArgumentException || e instanceof IOException) {
                line.getErr().println("binaryvit spark-classify: " + e.getMessage());
                return 2;
            }
            line.getErr().println("binaryvit spark-classify: the job failed: " + JobFailure.describe(e));
            return 1;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public Integer call() throws IOException {
        check();
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        SparkSession.Builder builder = SparkSession.builder().appName("binaryvit spark-classify")
                .config("spark.sql.files.openCostInBytes", OPEN_COST);
        // spark-submit passes its master as a system property; without one, Spark runs in this JVM.
        String chosen = master != null ? master : System.getProperty("spark.master", "local[*]");
        builder.master(chosen);
        try (SparkSession spark = builder.getOrCreate()) {
            spark.sparkContext().setLogLevel("WARN");
            BinaryVitSpark.Options options = BinaryVitSpark.Options.defaults()
                    .withBatch(batch).withThreads(threads).withFailFast(failFast);
            Dataset<Row> images = BinaryVitSpark.readImages(spark, input, partitions);
            Dataset<Row> result = BinaryVitSpark.classify(images, model, options);
            write(result, format, output);
            Dataset<Row> written = read(spark, format, output);
            long n = written.count();
            long errors = written.filter(col("error").isNotNull()).count();
            out.printf(Locale.ROOT, "spark-classify: images=%d errors=%d output=%s format=%s seconds=%.1f%n",
                    n, errors, output, format, (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    /** The checks Spark would make late or unclearly: one line each, before Spark starts. */
    void check() throws IOException {
        format = format.toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new BadInput("--format must be one of " + String.join(", ", FORMATS) + ", not '" + format + "'");
        }
        if (partitions < 0) throw new BadInput("--partitions must be >= 1 (or 0: Spark's choice), not " + partitions);
        if (batch < 1 || batch > 1024) throw new BadInput("--batch must be in [1, 1024], not " + batch);
        if (threads < 0 || threads > 256) throw new BadInput("--threads must be in [0, 256], not " + threads);
        Path in = InputPaths.local(input);
        if (in != null && !InputPaths.isGlob(input) && !Files.exists(in)) throw new BadInput("INPUT not found: " + input);
        if (in != null && InputPaths.isGlob(input)) {
            Path parent = in.getParent();
            while (parent != null && InputPaths.isGlob(parent.toString())) parent = parent.getParent();
            if (parent != null && !Files.isDirectory(parent)) throw new BadInput("INPUT not found: " + input);
        }
        Path outPath = InputPaths.local(output);
        if (outPath != null && Files.exists(outPath)) {
            throw new BadInput("OUTPUT already exists: " + output + " (Spark does not overwrite; remove it or choose another)");
        }
        if (model != null && master == null && System.getProperty("spark.master") == null) {
            // Embedded: the one executor is this JVM, so a missing model is known now.
            Path dir = Path.of(model);
            if (!Files.isDirectory(dir)) throw new BadInput("--model " + model + " is not a directory");
        }
    }

    /** Writes the result; CSV has no arrays, so there top5 becomes 'label:probability;...'. */
    static void write(Dataset<Row> result, String format, String output) {
        Dataset<Row> rows = result;
        if (format.equals("csv")) {
            rows = result.withColumn("top5",
                    expr("concat_ws(';', transform(top5, c -> concat(c.label, ':', cast(c.probability as string))))"));
        }
        var writer = rows.write().format(format);
        if (format.equals("csv")) writer = writer.option("header", "true");
        writer.save(output);
    }

    static Dataset<Row> read(SparkSession spark, String format, String output) {
        var reader = spark.read().format(format);
        if (format.equals("csv")) reader = reader.option("header", "true");
        return reader.load(output);
    }

    /** A user's mistake in the arguments: a one-line message, exit code 2. */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message);
        }
    }
}
