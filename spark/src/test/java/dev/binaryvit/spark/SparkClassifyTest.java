package dev.binaryvit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binaryvit.model.BinaryVit;
import dev.binaryvit.model.IdxFile;
import dev.binaryvit.model.Images;
import dev.binaryvit.model.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BinaryVitSpark} in Spark's local mode on real images: the first 300 Fashion-MNIST test
 * images (from the bundled model's 500-image IDX slice) written as PNG files. One SparkSession
 * for the class: starting Spark costs seconds.
 */
class SparkClassifyTest {

    static final Path MODEL_DIR = Path.of("../models/binaryvit-fashion-mnist").toAbsolutePath().normalize();
    static final Path IDX_500 = MODEL_DIR.resolve("test-500").resolve("t10k-first500-images-idx3-ubyte.gz");
    static final int IMAGES = 300;

    @TempDir
    static Path tmp;
    static Path pngs;
    static SparkSession spark;

    @BeforeAll
    static void start() throws IOException {
        pngs = tmp.resolve("png");
        IdxToPng.write(IDX_500, pngs, IMAGES);
        spark = SparkSession.builder().master("local[2]").appName("SparkClassifyTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    /** The result rows by path; fails on a path seen twice. */
    static Map<String, Row> byPath(Dataset<Row> result) {
        Map<String, Row> rows = new TreeMap<>();
        for (Row r : result.collectAsList()) {
            Row old = rows.put(r.getString(0), r);
            assertNull(old, "two rows for " + r.getString(0));
        }
        return rows;
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Test
    void sparkGivesTheLibrarysResultsImageByImage() throws IOException {
        Dataset<Row> result = BinaryVitSpark.classify(BinaryVitSpark.readImages(spark, pngs.toString(), 3),
                MODEL_DIR, BinaryVitSpark.Options.defaults().withBatch(7));
        Map<String, Row> rows = byPath(result);
        assertEquals(IMAGES, rows.size());
        try (BinaryVit model = BinaryVit.load(MODEL_DIR, 1)) {
            for (Row r : rows.values()) {
                Path file = pngs.resolve(fileName(r.getString(0)));
                List<Prediction> top = model.classify(Images.read(file), 5);
                assertNull(r.get(4), r.toString());
                assertEquals(top.getFirst().label(), r.getString(1), file.toString());
                assertEquals(top.getFirst().probability(), r.getFloat(2), 0f, file.toString());
                List<Row> top5 = r.getList(3);
                assertEquals(5, top5.size());
                for (int k = 0; k < 5; k++) {
                    assertEquals(top.get(k).label(), top5.get(k).getString(0));
                    assertEquals(top.get(k).probability(), top5.get(k).getFloat(1), 0f);
                }
            }
        }
    }

    @Test
    void oneTwoAndManyPartitionsGiveTheSameRows() {
        Map<String, Row> one = byPath(classifyBundled(1));
        assertEquals(IMAGES, one.size());
        int modelsBefore = SharedModels.loaded();
        for (int partitions : new int[] {2, 37}) {
            assertEquals(one, byPath(classifyBundled(partitions)), partitions + " partitions");
        }
        // The tasks of this JVM shared the model the first run loaded: no model per task or partition.
        assertEquals(modelsBefore, SharedModels.loaded());
    }

    private static Dataset<Row> classifyBundled(int partitions) {
        return BinaryVitSpark.classify(BinaryVitSpark.readImages(spark, pngs.toString(), partitions), (String) null,
                BinaryVitSpark.Options.defaults().withBatch(5));
    }

    @Test
    void corruptAndEmptyFilesGiveErrorRowsAndTheOthersAreClassified() throws IOException {
        Path dir = tmp.resolve("mixed");
        Files.createDirectories(dir.resolve("sub"));
        for (int i = 0; i < 6; i++) Files.copy(pngs.resolve(IdxToPng.name(i)), dir.resolve(IdxToPng.name(i)));
        Files.copy(pngs.resolve(IdxToPng.name(6)), dir.resolve("sub").resolve("nested.png"));
        Files.write(dir.resolve("corrupt.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        Files.write(dir.resolve("empty.png"), new byte[0]);
        Files.writeString(dir.resolve("notes.txt"), "not an image, and not an image name: skipped");
        Map<String, Row> rows = byPath(BinaryVitSpark.classify(BinaryVitSpark.readImages(spark, dir.toString(), 0),
                (String) null, BinaryVitSpark.Options.defaults().withBatch(3)));
        assertEquals(9, rows.size(), rows.keySet().toString());
        for (Row r : rows.values()) {
            String name = fileName(r.getString(0));
            if (name.equals("corrupt.png") || name.equals("empty.png")) {
                assertNotNull(r.get(4), name);
                assertTrue(r.getString(4).contains(name), r.getString(4));
                assertNull(r.get(1));
                assertNull(r.get(2));
                assertNull(r.get(3));
            } else {
                assertNull(r.get(4), r.toString());
                assertNotNull(r.getString(1));
            }
        }
        assertTrue(rows.values().stream().anyMatch(r -> fileName(r.getString(0)).equals("empty.png")
                && r.getString(4).startsWith("empty file")));
    }

    @Test
    void failFastFailsTheJobNamingTheFile() throws IOException {
        Path dir = tmp.resolve("failfast");
        Files.createDirectories(dir);
        Files.copy(pngs.resolve(IdxToPng.name(0)), dir.resolve("good.png"));
        Files.write(dir.resolve("broken.png"), new byte[] {1, 2, 3, 4});
        Dataset<Row> result = BinaryVitSpark.classify(BinaryVitSpark.readImages(spark, dir.toString(), 0), (String) null,
                BinaryVitSpark.Options.defaults().withFailFast(true));
        Exception e = assertThrows(Exception.class, result::collectAsList);
        assertTrue(JobFailure.describe(e).contains("broken.png"), JobFailure.describe(e));
    }

    @Test
    void idxInputGivesOneRowPerImageNamedByIndex() throws IOException {
        Dataset<Row> images = BinaryVitSpark.readImages(spark, IDX_500.toString(), 4);
        Map<String, Row> rows = byPath(BinaryVitSpark.classify(images, (String) null, BinaryVitSpark.Options.defaults()));
        assertEquals(500, rows.size());
        IdxFile idx = IdxFile.open(IDX_500, null, List.of());
        try (BinaryVit model = BinaryVit.bundled(1)) {
            for (int i : new int[] {0, 1, 123, 299, 499}) {
                Row r = rows.get(idx.name(i));
                assertNotNull(r, idx.name(i));
                Prediction best = model.classify(idx.image(i), 1).getFirst();
                assertEquals(best.label(), r.getString(1));
                assertEquals(best.probability(), r.getFloat(2), 0f);
            }
        }
        // A directory holding the IDX files reads the same images.
        assertEquals(500, BinaryVitSpark.readImages(spark, IDX_500.getParent().toString(), 0).count());
    }

    @Test
    void inputWithoutTheColumnsIsRefused() {
        Dataset<Row> noContent = spark.range(3).toDF("path");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BinaryVitSpark.classify(noContent, (String) null, BinaryVitSpark.Options.defaults()));
        assertTrue(e.getMessage().contains("'content'"), e.getMessage());
    }

    @Test
    void theModelTakesTheExecutorsCores() {
        assertEquals(3, ExecutorCores.of(new SparkConf().set("spark.master", "local[3]"), 8));
        assertEquals(8, ExecutorCores.of(new SparkConf().set("spark.master", "local[*]"), 8));
        assertEquals(1, ExecutorCores.of(new SparkConf().set("spark.master", "local"), 8));
        assertEquals(2, ExecutorCores.of(new SparkConf().set("spark.master", "local[2,4]"), 8));
        assertEquals(4, ExecutorCores.of(new SparkConf().set("spark.master", "spark://h:7077")
                .set("spark.executor.cores", "4"), 8));
        assertEquals(8, ExecutorCores.of(new SparkConf().set("spark.master", "yarn"), 8));
    }

    static List<String> sortedNames(Map<String, Row> rows) {
        List<String> names = new ArrayList<>(rows.keySet());
        names.sort(Comparator.naturalOrder());
        return names;
    }
}
