package dev.binaryvit.spark;

import java.io.Serial;

/**
 * An image that could not be decoded, with {@code --fail-fast}: it fails the task, and the job, with
 * a message naming the file. A RuntimeException, as Spark's iterators cannot throw checked ones.
 */
public final class UnreadableImageException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public UnreadableImageException(String path, Exception cause) {
        super("cannot classify " + path + ": " + cause.getMessage(), cause);
    }
}
