package dev.binaryvit.model;

import java.io.IOException;
import java.io.Serial;

/** A file that is not a well-formed safetensors file; the message names the problem and, where one is involved, the tensor. */
public final class SafetensorsException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
