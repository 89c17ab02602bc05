package dev.binaryvit.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Images per second of the bundled model on a folder of images: Spark {@code local[2]} (read,
 * decode, classify, results to Spark's no-op sink) against the library alone in the same JVM (read,
 * decode and classify in batches of 16 on a 2-thread model, through the classifier Spark's tasks
 * run). Rounds alternate, after a warm-up of both until the JIT has had its time; medians are
 * compared. Not a test: it measures.
 *
 * <p>{@code ./binaryvit spark-bench --images DIR [--rounds N] [--warmup S] [--out FILE.json]}
 */
public final class SparkBenchmark {

    private static final int BATCH = BinaryVitSpark.Options.defaults().batch();

    private SparkBenchmark() {}

    public static void main(String[] args) throws IOException {
        Path images = null;
        int rounds = 5;
        double warmupSeconds = 30;
        Path out = Path.of("reports/raw/spark.json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--images" -> images = Path.of(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmupSeconds = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: spark-bench --images DIR [--rounds N] [--warmup SECONDS] [--out FILE.json]");
                    System.exit(2);
                }
            }
        }
        if (images == null || !Files.isDirectory(images)) {
            System.err.println("spark-bench: --images DIR, a folder of PNG files (e.g. written by IdxToPng), is required");
            System.exit(2);
        }
        List<Path> files = pngs(images);
        try (SparkSession spark = SparkSession.builder().appName("binaryvit spark-bench").master("local[2]")
                .config("spark.sql.files.openCostInBytes", SparkClassifyCommand.OPEN_COST).getOrCreate()) {
            spark.sparkContext().setLogLevel("WARN");
            String dir = images.toAbsolutePath().toString();
            long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            int warmRounds = 0;
            while (System.nanoTime() < warmEnd || warmRounds == 0) {
                System.out.printf(Locale.ROOT, "warm-up %d: spark %.0f img/s, library %.0f img/s%n", warmRounds,
                        files.size() / spark(spark, dir), files.size() / library(files));
                warmRounds++;
            }
            double[] sparkRate = new double[rounds];
            double[] libraryRate = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                // Alternate which goes first, so neither always runs on a machine the other just heated.
                if (r % 2 == 0) {
                    sparkRate[r] = files.size() / spark(spark, dir);
                    libraryRate[r] = files.size() / library(files);
                } else {
                    libraryRate[r] = files.size() / library(files);
                    sparkRate[r] = files.size() / spark(spark, dir);
                }
                System.out.printf(Locale.ROOT, "round %d: spark %.0f img/s, library %.0f img/s%n", r, sparkRate[r], libraryRate[r]);
            }
            double s = median(sparkRate);
            double l = median(libraryRate);
            System.out.printf(Locale.ROOT, "spark-bench: images=%d rounds=%d spark_local2_img_s=%.1f library_2threads_img_s=%.1f ratio=%.3f%n",
                    files.size(), rounds, s, l, s / l);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, json(files.size(), rounds, warmRounds, warmupSeconds, sparkRate, libraryRate, s, l));
        }
    }

    /** Seconds for Spark to read, decode and classify the folder; rows go to the no-op sink. */
    private static double spark(SparkSession spark, String dir) {
        long t = System.nanoTime();
        BinaryVitSpark.classify(BinaryVitSpark.readImages(spark, dir, 0), (String) null, BinaryVitSpark.Options.defaults())
                .write().format("noop").mode("overwrite").save();
        return (System.nanoTime() - t) / 1e9;
    }

    /**
     * Seconds for the library alone: the same partition classifier Spark's tasks run (batches of 16, the
     * shared model on 2 threads), over all the files as one partition in this thread, each file read as
     * its row is pulled; so the difference from {@link #spark} is what Spark adds.
     */
    private static double library(List<Path> files) {
        long t = System.nanoTime();
        Iterator<Row> rows = files.stream().map(f -> RowFactory.create(f.toString(), bytes(f))).iterator();
        Iterator<Row> results = new PartitionClassifier(null, BinaryVitSpark.Options.defaults().withThreads(2)).call(rows);
        int n = 0;
        while (results.hasNext()) {
            if (results.next().getString(4) != null) throw new IllegalStateException("an image failed: spark-bench needs PNGs");
            n++;
        }
        if (n != files.size()) throw new IllegalStateException(n + " results for " + files.size() + " files");
        return (System.nanoTime() - t) / 1e9;
    }

    private static byte[] bytes(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> pngs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = new ArrayList<>(s.filter(f -> f.toString().endsWith(".png")).sorted().toList());
            if (files.isEmpty()) throw new IOException(dir + " holds no .png files");
            return files;
        }
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String json(int images, int rounds, int warmRounds, double warmup, double[] spark, double[] library,
                               double s, double l) {
        return String.format(Locale.ROOT, """
                {
                  "images": %d,
                  "model": "bundled binaryvit-fashion-mnist",
                  "batch": %d,
                  "spark_master": "local[2]",
                  "library_threads": 2,
                  "warmup_seconds": %.0f,
                  "warmup_rounds": %d,
                  "rounds": %d,
                  "spark_img_s": %s,
                  "library_img_s": %s,
                  "spark_median_img_s": %.1f,
                  "library_median_img_s": %.1f,
                  "ratio": %.3f,
                  "processors": %d,
                  "java": "%s"
                }
                """, images, BATCH, warmup, warmRounds, rounds, Arrays.toString(round(spark)), Arrays.toString(round(library)),
                s, l, s / l, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    }

    private static double[] round(double[] xs) {
        return Arrays.stream(xs).map(x -> Math.round(x * 10) / 10.0).toArray();
    }
}
