package dev.binaryvit.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What an INPUT argument names: a glob, an IDX images file, a directory of IDX files, or image files. */
final class InputPaths {

    /** An IDX images file, {@code <prefix>-images-idx3-ubyte[.gz]} ('.' accepted for '-', as IdxFile does). */
    private static final Pattern IDX_IMAGES = Pattern.compile(".*[-.]images[-.]idx3[-.]ubyte(\\.gz)?");

    private InputPaths() {}

    /** Whether Hadoop would read {@code input} as a glob pattern. */
    static boolean isGlob(String input) {
        return input.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    static boolean isIdxImagesFile(Path p) {
        return IDX_IMAGES.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p);
    }

    /** The IDX images files of a directory, sorted by name: IDX input when it holds them. */
    static java.util.List<Path> idxImagesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(InputPaths::isIdxImagesFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
    }

    /** A local path for {@code input} (a {@code file:} URI or a plain path), or null for another file system. */
    static Path local(String input) {
        if (input.startsWith("file:")) return Path.of(java.net.URI.create(input));
        if (input.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) return null;
        return Path.of(input);
    }
}
