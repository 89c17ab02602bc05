package dev.binaryvit.model;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code eval --predictions}: one CSV row per image, {@code image,true_label,label,probability,error},
 * so that another run (Spark's, another machine's) can be compared image by image. The probability
 * is printed with {@link Float#toString}, which reads back as the same float.
 */
final class PredictionsCsv implements Closeable {

    static final String HEADER = "image,true_label,label,probability,error";

    private final BufferedWriter out;

    private PredictionsCsv(BufferedWriter out) {
        this.out = out;
    }

    /** Creates (or replaces) the file and writes the header. */
    static PredictionsCsv create(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new IOException("--predictions " + file + ": its directory " + parent + " does not exist");
        }
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        w.write(HEADER);
        w.newLine();
        return new PredictionsCsv(w);
    }

    /** An image the model classified: its name, true class (or empty), predicted class name and its probability. */
    void classified(String image, String trueLabel, String label, float probability) {
        row(image, trueLabel, label, Float.toString(probability), "");
    }

    /** An image that could not be read. */
    void failed(String image, String trueLabel, String error) {
        row(image, trueLabel, "", "", error);
    }

    private void row(String... fields) {
        try {
            for (int i = 0; i < fields.length; i++) {
                if (i > 0) out.write(',');
                out.write(quote(fields[i]));
            }
            out.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String quote(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
