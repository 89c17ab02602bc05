package dev.binaryvit.model;

import java.io.Serial;

/**
 * A {@code config.json} whose content is not a valid BatchNorm BinaryViT configuration: malformed
 * JSON, a value of the wrong JSON type, or sizes that do not fit together. The message names the
 * offending field (for example {@code hidden_size[2]}); {@link #field()} returns it.
 */
public final class ConfigException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String problem;

    ConfigException(String field, String problem) {
        this(null, field, problem, null);
    }

    ConfigException(String source, String field, String problem, Throwable cause) {
        super("bad config" + (source == null ? "" : " " + source) + ": "
                + (field == null ? "" : field + ": ") + problem, cause);
        this.field = field;
        this.problem = problem;
    }

    /** The same problem, with the file it was found in named in the message. */
    ConfigException in(String source) {
        ConfigException e = new ConfigException(source, field, problem, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The JSON field the problem is about, e.g. {@code "num_attention_heads[1]"}; null for malformed JSON. */
    public String field() {
        return field;
    }
}
