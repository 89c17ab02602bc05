package dev.binaryvit.model;

import java.io.IOException;
import java.io.Serial;

/** An image file that is missing, unreadable or cannot be decoded; the message names the file. */
public final class ImageException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
