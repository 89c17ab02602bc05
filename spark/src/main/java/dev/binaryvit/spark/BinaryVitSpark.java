package dev.binaryvit.spark;

import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * BinaryViT on Apache Spark: classifies a data set of images, each partition on one model shared
 * by every task of its executor JVM ({@link SharedModels}), its images decoded and batched inside
 * the partition ({@link PartitionClassifier}).
 *
 * <p>Input rows have a {@code path} (string) and a {@code content} (binary) column, as Spark's
 * {@code binaryFile} source gives them ({@link #readImages} also turns IDX files into such rows).
 * The result has one row per input row, whatever the partitioning: {@code path}, {@code label} (the
 * top class), {@code probability} (its softmax probability), {@code top5} (the best classes, best
 * first) and {@code error} (null, unless the image could not be decoded; then the other three are
 * null). Each row depends only on its image, so a retried task gives the same rows.
 */
public final class BinaryVitSpark {

    /** A class and its probability, an element of {@code top5}. */
    public static final StructType CLASS = new StructType()
            .add("label", DataTypes.StringType, false)
            .add("probability", DataTypes.FloatType, false);

    /** The result's columns. */
    public static final StructType RESULT = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("label", DataTypes.StringType, true)
            .add("probability", DataTypes.FloatType, true)
            .add("top5", DataTypes.createArrayType(CLASS, false), true)
            .add("error", DataTypes.StringType, true);

    private BinaryVitSpark() {}

    /**
     * How partitions are classified.
     *
     * @param batch    images per forward pass (memory: the model's scratch grows with it)
     * @param threads  threads of the shared model in each executor; 0: the executor's cores
     *                 ({@link ExecutorCores})
     * @param failFast whether an image that cannot be decoded fails the task (and so the job, naming
     *                 the file) instead of giving a row with its error
     * @param topK     classes in the {@code top5} column (5, or fewer for a model of fewer classes)
     */
    public record Options(int batch, int threads, boolean failFast, int topK) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        public Options {
            if (batch < 1 || batch > 1024) throw new IllegalArgumentException("batch must be in [1, 1024], got " + batch);
            if (threads < 0 || threads > 256) throw new IllegalArgumentException("threads must be in [0, 256], got " + threads);
            if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }

        /** Batches of 16, the executor's cores, error rows for bad images, the top 5. */
        public static Options defaults() {
            return new Options(16, 0, false, 5);
        }

        public Options withBatch(int b) {
            return new Options(b, threads, failFast, topK);
        }

        public Options withThreads(int t) {
            return new Options(batch, t, failFast, topK);
        }

        public Options withFailFast(boolean f) {
            return new Options(batch, threads, f, topK);
        }
    }

    /** {@link #classify(Dataset, String, Options)} with a model directory. */
    public static Dataset<Row> classify(Dataset<Row> images, Path modelDir, Options options) {
        return classify(images, modelDir.toString(), options);
    }

    /**
     * Classifies every image of {@code images} (columns {@code path} and {@code content}).
     *
     * @param modelDir a model directory readable at this path on every executor, or null for the
     *                 model bundled in the library (Fashion-MNIST)
     */
    public static Dataset<Row> classify(Dataset<Row> images, String modelDir, Options options) {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(options, "options");
        StructType schema = images.schema();
        for (String column : new String[] {"path", "content"}) {
            if (!java.util.Arrays.asList(schema.fieldNames()).contains(column)) {
                throw new IllegalArgumentException("the images need a '" + column + "' column (as the binaryFile"
                        + " source gives), they have " + String.join(", ", schema.fieldNames()));
            }
        }
        return images.select("path", "content")
                .mapPartitions(new PartitionClassifier(modelDir, options), Encoders.row(RESULT));
    }

    /**
     * The images of {@code input} as rows (path, content): an IDX images file, or a directory holding
     * IDX images files (each image a row named {@code FILE#index}, see {@link IdxRows}); else a
     * directory (read recursively) or glob of image files, through Spark's {@code binaryFile}
     * source, taking PNG, JPEG, BMP and GIF files by their extension.
     *
     * @param partitions the number of partitions wanted, or 0 for Spark's choice
     */
    public static Dataset<Row> readImages(SparkSession spark, String input, int partitions) {
        Dataset<Row> rows;
        if (IdxRows.isIdxInput(input)) {
            rows = IdxRows.read(spark, input);
        } else {
            Dataset<Row> files = spark.read().format("binaryFile")
                    .option("pathGlobFilter", "*.{png,PNG,jpg,JPG,jpeg,JPEG,bmp,BMP,gif,GIF}")
                    .option("recursiveFileLookup", InputPaths.isGlob(input) ? "false" : "true")
                    .load(input)
                    .select("path", "content");
            // Spark's file scans skip empty files; they come back here, to get their error row.
            rows = files.union(EmptyFiles.rows(spark, files));
        }
        return partitions > 0 ? rows.repartition(partitions) : rows;
    }
}
