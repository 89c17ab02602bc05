package dev.binaryvit.model;

import java.io.IOException;
import java.io.Serial;

/**
 * A labelled data set that cannot be used: a malformed IDX file, an image folder without images,
 * class folders that do not match the class names. The message is one line and names the file or
 * folder. (A single image that cannot be decoded is an {@link ImageException} instead: the
 * evaluation counts it and goes on.)
 */
public final class DataException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
