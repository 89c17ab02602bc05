package dev.binaryvit.spark;

import dev.binaryvit.model.IdxFile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the images of an IDX file as grey PNG files {@code 00000.png, 00001.png, ...} (named by
 * their index), so an IDX data set can be read as a folder of images by Spark's {@code binaryFile}
 * source: for the checks against {@code eval}, the tests and the benchmark.
 *
 * <p>{@code java -cp spark/target/binaryvit-spark-job.jar dev.binaryvit.spark.IdxToPng IDX_IMAGES DIR [COUNT]}
 */
public final class IdxToPng {

    private IdxToPng() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: IdxToPng IDX_IMAGES_FILE OUTPUT_DIR [COUNT]");
            System.exit(2);
        }
        int n = write(Path.of(args[0]), Path.of(args[1]), args.length == 3 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE);
        System.out.println("wrote " + n + " PNG files to " + args[1]);
    }

    /** Writes the first {@code count} images (all, if fewer) into {@code dir}; returns how many. */
    public static int write(Path idxImages, Path dir, int count) throws IOException {
        IdxFile idx = IdxFile.open(idxImages, null, List.of());
        Files.createDirectories(dir);
        int n = Math.min(count, idx.size());
        for (int i = 0; i < n; i++) {
            Files.write(dir.resolve(name(i)), png(idx.image(i)));
        }
        return n;
    }

    /** The file name of image i: its index, zero-padded so names sort in index order. */
    public static String name(int i) {
        return String.format("%05d.png", i);
    }

    /** The image as PNG bytes (lossless: decoding gives back the same grey samples). */
    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer in this JVM");
        return out.toByteArray();
    }
}
