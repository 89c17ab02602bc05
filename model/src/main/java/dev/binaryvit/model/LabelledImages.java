package dev.binaryvit.model;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A data set of images with their true classes, which an evaluation walks by index.
 *
 * <p>Opening a data set checks its structure (file formats, folders, labels); the images are
 * decoded one at a time by {@link #image}, so that one corrupt image costs one image, not the run.
 * Implementations are immutable after opening and {@link #image} may be called from several threads.
 */
public interface LabelledImages {

    /** The number of images. */
    int size();

    /**
     * What image {@code i} is, for messages: its file, or the data file and the index within it
     * ({@code t10k-images-idx3-ubyte.gz#123}).
     */
    String name(int i);

    /** The class index of image {@code i}, or -1 if the data set does not say. */
    int label(int i);

    /**
     * The class names by index, as the data set or the caller knows them; empty when unknown.
     * Labels are indices into this list when it is not empty.
     */
    List<String> classNames();

    /**
     * Decodes image {@code i}.
     *
     * @throws ImageException naming the image if it cannot be read or decoded (the data set stays usable)
     */
    BufferedImage image(int i) throws ImageException;

    /**
     * One line saying what the data set is and how many images it has, e.g.
     * {@code Fashion-MNIST IDX t10k-images-idx3-ubyte.gz: 10000 images 28x28, labels t10k-labels-idx1-ubyte.gz}.
     */
    String description();

    /**
     * Opens {@code data} as whatever it is: an IDX images file, or a directory holding IDX files
     * (see {@link IdxFile#locate}), or else an image folder ({@link ImageFolder}).
     *
     * @param classNames the class names by index (e.g. the model's), or empty: then an IDX data set
     *                   guesses them from its path (Fashion-MNIST, MNIST) and an image folder takes
     *                   its sorted sub-folder names
     * @throws DataException if {@code data} is not a usable data set (the message names it)
     * @throws IOException   if it cannot be read
     */
    static LabelledImages open(Path data, List<String> classNames) throws IOException {
        if (!Files.exists(data)) throw new DataException("data set not found: " + data);
        if (!Files.isDirectory(data) && ImageFolder.isImage(data)) {
            throw new DataException(data + ": a single image, not a data set (a folder of images, or IDX files)");
        }
        if (Files.isDirectory(data) && IdxFile.findImages(data) == null) return ImageFolder.open(data, classNames);
        return classNames.isEmpty() ? IdxFile.open(data) : IdxFile.open(data, classNames);
    }
}
