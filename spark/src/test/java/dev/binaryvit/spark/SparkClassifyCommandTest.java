package dev.binaryvit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spark-classify} end to end (embedded Spark) and its one-line usage errors. */
class SparkClassifyCommandTest {

    static final Path BUNDLED_IMAGES = SparkClassifyTest.MODEL_DIR.resolve("images");

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkClassifyCommand.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    static void assertUserError(Result r, String expected) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void badInputGetsOneLine() throws IOException {
        Path out = tmp.resolve("out");
        assertUserError(cli(tmp.resolve("missing").toString(), out.toString()), "INPUT not found");
        assertUserError(cli(tmp.resolve("missing/*.png").toString(), out.toString()), "INPUT not found");
        Files.createDirectories(out);
        assertUserError(cli(BUNDLED_IMAGES.toString(), out.toString()), "OUTPUT already exists");
        assertUserError(cli(BUNDLED_IMAGES.toString(), tmp.resolve("o2").toString(), "--format", "xml"),
                "--format must be one of parquet, csv, json");
        assertUserError(cli(BUNDLED_IMAGES.toString(), tmp.resolve("o3").toString(), "--partitions", "-1"), "--partitions");
        assertUserError(cli(BUNDLED_IMAGES.toString(), tmp.resolve("o4").toString(), "--model", tmp.resolve("nomodel").toString()),
                "--model");
    }

    @Test
    void classifiesAFolderEndToEndAndFailFastNamesTheBadFile() throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        try (Stream<Path> s = Files.list(BUNDLED_IMAGES)) {
            for (Path p : s.toList()) Files.copy(p, in.resolve(p.getFileName()));
        }
        Files.write(in.resolve("zz-corrupt.png"), new byte[] {1, 2, 3});
        Path out = tmp.resolve("out.json");
        Result r = cli(in.toString(), out.toString(), "--format", "json", "--master", "local[2]", "--partitions", "3");
        assertEquals(0, r.code(), r.out() + r.err());
        String last = r.out().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.matches("spark-classify: images=11 errors=1 output=\\S+ format=json seconds=\\d+\\.\\d"), last);
        List<String> lines;
        try (Stream<Path> parts = Files.list(out)) {
            lines = parts.filter(p -> p.getFileName().toString().startsWith("part-")).flatMap(p -> {
                try {
                    return Files.readAllLines(p).stream();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertEquals(11, lines.size());
        assertTrue(lines.stream().anyMatch(l -> l.contains("zz-corrupt.png") && l.contains("\"error\"")), lines.toString());

        // One partition: no second task still writing into the temporary directory when the job fails.
        Result failed = cli(in.toString(), tmp.resolve("out2").toString(), "--fail-fast", "--master", "local[2]",
                "--partitions", "1");
        assertEquals(1, failed.code(), failed.out() + failed.err());
        assertTrue(failed.err().contains("zz-corrupt.png"), failed.err());
    }
}
