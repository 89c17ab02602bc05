package dev.binaryvit.model;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * The reference fixtures: a copy of {@code shared/fixtures} (the official PyTorch code's run of a
 * small BinaryViT) kept in the test resources, so that every checkout, CI's included, tests
 * against them and no fixture test can be skipped.
 */
final class Fixtures {

    private Fixtures() {}

    /** The {@code binaryvit-tiny} directory: config.json, weights.safetensors, case.safetensors. */
    static Path tiny() {
        URL config = Fixtures.class.getResource("/fixtures/binaryvit-tiny/config.json");
        if (config == null) {
            throw new IllegalStateException("test resource fixtures/binaryvit-tiny/config.json is missing");
        }
        try {
            return Path.of(config.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
