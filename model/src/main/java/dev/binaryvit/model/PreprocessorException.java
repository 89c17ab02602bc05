package dev.binaryvit.model;

import java.io.Serial;

/**
 * A {@code preprocessor_config.json} that cannot be used: malformed JSON, a value of the wrong
 * JSON type or out of range, a pipeline whose images are not the size the model takes, or an
 * image the pipeline cannot bring to that size. The message names the file and the key (for
 * example {@code image_std[1]}); {@link #key()} returns the key.
 */
public final class PreprocessorException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String key;

    PreprocessorException(String source, String key, String problem, Throwable cause) {
        super("bad preprocessor config" + (source == null ? "" : " " + source) + ": "
                + (key == null ? "" : key + ": ") + problem, cause);
        this.key = key;
    }

    /** The JSON key the problem is about, e.g. {@code "image_std[1]"}; null for malformed JSON. */
    public String key() {
        return key;
    }
}
