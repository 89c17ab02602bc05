package dev.binaryvit.model;

import java.io.IOException;
import java.io.Serial;
import java.util.List;

/**
 * Weights that do not fit a config: one exception for all problems, listing every missing tensor
 * and every tensor of the wrong shape or dtype by name (expected vs found).
 */
public final class WeightsException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final List<String> missing;
    private final List<String> mismatched;

    WeightsException(String message, List<String> missing, List<String> mismatched) {
        super(message);
        this.missing = List.copyOf(missing);
        this.mismatched = List.copyOf(mismatched);
    }

    /** Names of the required tensors that the file lacks. */
    public List<String> missing() {
        return missing;
    }

    /** Names of the tensors present with the wrong shape or dtype, or with a non-finite value or a negative variance. */
    public List<String> mismatched() {
        return mismatched;
    }
}
