package dev.binaryvit.bench;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The recorded sample run in {@code src/test/resources/sample-run} (see its README). */
final class Samples {

    private Samples() {}

    static Path raw() {
        try {
            return Path.of(Samples.class.getResource("/sample-run/raw").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path file(String name) {
        return raw().resolve(name);
    }
}
