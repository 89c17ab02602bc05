package dev.binaryvit.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * The empty files of a {@code binaryFile} input as rows with empty content. Spark's file scans drop
 * zero-length files without a word, and an image file that is empty is a fault to report, not an
 * image to lose: each gets its row, which the classifier turns into an error row.
 */
final class EmptyFiles {

    private EmptyFiles() {}

    /** Rows (path, empty content) for the zero-length files among those {@code files} lists. */
    static Dataset<Row> rows(SparkSession spark, Dataset<Row> files) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<Row> empty = new ArrayList<>();
        try {
            // inputFiles comes from the listing Spark already made; one status call per file.
            for (String file : files.inputFiles()) {
                Path p = new Path(file);
                FileSystem fs = p.getFileSystem(conf);
                if (fs.getFileStatus(p).getLen() == 0) empty.add(RowFactory.create(file, new byte[0]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the input: " + e.getMessage(), e);
        }
        return spark.createDataFrame(empty, IdxRows.SCHEMA);
    }
}
