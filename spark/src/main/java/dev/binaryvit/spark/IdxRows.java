package dev.binaryvit.spark;

import dev.binaryvit.model.IdxFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * IDX files (MNIST, Fashion-MNIST) as image rows: each image becomes a row named as {@code eval}
 * names it ({@code t10k-images-idx3-ubyte.gz#123}) holding the image as a lossless grey PNG, so
 * the partitions decode IDX and image files alike. The files are read on the driver: IDX data sets
 * are small (10,000 Fashion-MNIST images make 4 MB of PNG) and need no shared file system then.
 */
final class IdxRows {

    static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("content", DataTypes.BinaryType, false);

    private IdxRows() {}

    /** Whether {@code input} is a local IDX images file or a local directory holding one. */
    static boolean isIdxInput(String input) {
        if (InputPaths.isGlob(input)) return false;
        Path p = InputPaths.local(input);
        if (p == null) return false;
        if (InputPaths.isIdxImagesFile(p)) return true;
        try {
            return Files.isDirectory(p) && !InputPaths.idxImagesIn(p).isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + p + ": " + e.getMessage(), e);
        }
    }

    /** The rows of an IDX images file, or of every IDX images file of a directory. */
    static Dataset<Row> read(SparkSession spark, String input) {
        Path p = InputPaths.local(input);
        try {
            List<Path> files = Files.isDirectory(p) ? InputPaths.idxImagesIn(p) : List.of(p);
            List<Row> rows = new ArrayList<>();
            for (Path f : files) {
                IdxFile idx = IdxFile.open(f, null, List.of());   // no labels needed to classify
                for (int i = 0; i < idx.size(); i++) rows.add(RowFactory.create(idx.name(i), IdxToPng.png(idx.image(i))));
            }
            return spark.createDataFrame(rows, SCHEMA);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
