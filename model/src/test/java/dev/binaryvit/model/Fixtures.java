package dev.binaryvit.model;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared reference fixtures ({@code shared/fixtures} beside the repository). */
final class Fixtures {
    private Fixtures() {}

    /**
     * The {@code binaryvit-tiny} fixture directory: from {@code -Dbinaryvit.fixtures=DIR} (the
     * {@code fixtures} folder) or found by walking up from the working directory to a
     * {@code shared/fixtures} folder. Tests that need it are skipped, loudly, when it is absent.
     */
    static Path tiny() {
        String prop = System.getProperty("binaryvit.fixtures");
        if (prop != null) return Path.of(prop).resolve("binaryvit-tiny");
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path f = d.resolve("shared/fixtures/binaryvit-tiny");
            if (Files.isDirectory(f)) return f;
        }
        System.err.println("WARNING: shared/fixtures/binaryvit-tiny not found; fixture tests skipped");
        Assumptions.abort("shared/fixtures/binaryvit-tiny not found");
        return null;
    }
}
