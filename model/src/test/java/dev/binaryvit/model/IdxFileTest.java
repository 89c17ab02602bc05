package dev.binaryvit.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class IdxFileTest {

    // ---------------------------------------------------------------- hand-made files

    /** An IDX file: 00 00, the type, the dimension count, the dimensions big-endian, the data. */
    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        return b.put(data).array();
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The test pixel of image i at (row y, column x): every value 0..255 occurs. */
    static int pixel(int i, int y, int x) {
        return (i * 97 + y * 13 + x * 29) & 0xff;
    }

    static byte[] imagesFile(int n, int rows, int cols) {
        byte[] data = new byte[n * rows * cols];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < rows; y++) for (int x = 0; x < cols; x++) data[(i * rows + y) * cols + x] = (byte) pixel(i, y, x);
        }
        return idx(0x08, new int[] {n, rows, cols}, data);
    }

    static byte[] labelsFile(int... labels) {
        byte[] data = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) data[i] = (byte) labels[i];
        return idx(0x08, new int[] {labels.length}, data);
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), bytes);
    }

    // ---------------------------------------------------------------- reading

    @ParameterizedTest(name = "gzip images {0}, gzip labels {1}")
    @MethodSource("compressions")
    void readsPlainAndGzippedFiles(boolean gzImages, boolean gzLabels, @TempDir Path dir) throws IOException {
        byte[] im = imagesFile(3, 4, 5);
        byte[] la = labelsFile(2, 0, 1);
        Path images = write(dir, "x-images-idx3-ubyte" + (gzImages ? ".gz" : ""), gzImages ? gzip(im) : im);
        Path labels = write(dir, "x-labels-idx1-ubyte" + (gzLabels ? ".gz" : ""), gzLabels ? gzip(la) : la);
        IdxFile data = IdxFile.open(images, labels, List.of("a", "b", "c"));
        assertEquals(3, data.size());
        assertEquals(4, data.rows());
        assertEquals(5, data.cols());
        assertEquals(List.of("a", "b", "c"), data.classNames());
        assertEquals(List.of(2, 0, 1), List.of(data.label(0), data.label(1), data.label(2)));
        assertEquals(images.getFileName() + "#1", data.name(1));
        for (int i = 0; i < 3; i++) {
            BufferedImage image = data.image(i);
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, image.getType());
            assertEquals(5, image.getWidth());
            assertEquals(4, image.getHeight());
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 5; x++) assertEquals(pixel(i, y, x), image.getRaster().getSample(x, y, 0), i + " " + y + " " + x);
            }
        }
        assertEquals("IDX " + images.getFileName() + ": 3 images 5x4, labels " + labels.getFileName(), data.description());
        assertThrows(IndexOutOfBoundsException.class, () -> data.image(3));
    }

    static Stream<Arguments> compressions() {
        return Stream.of(Arguments.of(false, false), Arguments.of(true, true), Arguments.of(true, false), Arguments.of(false, true));
    }

    @Test
    void gzipIsRecognisedByItsMagicNotItsName(@TempDir Path dir) throws IOException {
        Path images = write(dir, "plain-but-named.gz", imagesFile(2, 3, 3));
        Path labels = write(dir, "gzipped-but-not-named", gzip(labelsFile(7, 8)));
        IdxFile data = IdxFile.open(images, labels, List.of());
        assertEquals(2, data.size());
        assertEquals(8, data.label(1));
        assertEquals(List.of(), data.classNames());
    }

    @Test
    void withoutLabelsEveryLabelIsUnknown(@TempDir Path dir) throws IOException {
        IdxFile data = IdxFile.open(write(dir, "i", imagesFile(2, 2, 2)), null, List.of());
        assertEquals(-1, data.label(0));
        assertTrue(data.description().endsWith(", no labels"), data.description());
    }

    @Test
    void labelsOfTheWiderIntegerTypesAreRead(@TempDir Path dir) throws IOException {
        Path images = write(dir, "i", imagesFile(3, 2, 2));
        byte[] shorts = ByteBuffer.allocate(6).putShort((short) 0).putShort((short) 255).putShort((short) 17).array();
        byte[] ints = ByteBuffer.allocate(12).putInt(255).putInt(3).putInt(0).array();
        byte[] signed = {5, 127, 0};
        assertEquals(255, IdxFile.open(images, write(dir, "s", idx(0x0B, new int[] {3}, shorts)), List.of()).label(1));
        assertEquals(255, IdxFile.open(images, write(dir, "n", idx(0x0C, new int[] {3}, ints)), List.of()).label(0));
        assertEquals(127, IdxFile.open(images, write(dir, "b", idx(0x09, new int[] {3}, signed)), List.of()).label(1));
    }

    // ---------------------------------------------------------------- malformed files

    /** A malformed file: what it shows, whether it is the images or the labels file, its bytes, the message expected. */
    static Stream<Arguments> malformed() {
        byte[] threeImages = Arrays.copyOfRange(imagesFile(3, 2, 2), 16, 28);
        return Stream.of(
                Arguments.of("empty file", true, new byte[0], "is empty"),
                Arguments.of("short magic", true, new byte[] {0, 0}, "ends inside the header (2 of its first 4 bytes)"),
                Arguments.of("wrong magic", true, new byte[] {1, 2, 8, 3, 0, 0, 0, 1}, "not an IDX file: the"),
                Arguments.of("a PNG", true, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, "starts with 89 50 4E 47"),
                Arguments.of("unknown type", true, idx(0x0A, new int[] {1, 1, 1}, new byte[1]), "unknown IDX element type 0x0A"),
                Arguments.of("float images", true, idx(0x0D, new int[] {1, 1, 1}, new byte[4]),
                        "element type 0x0D (float) is not supported for an images file"),
                Arguments.of("signed byte images", true, idx(0x09, new int[] {1, 1, 1}, new byte[1]),
                        "element type 0x09 (signed byte) is not supported"),
                Arguments.of("double labels", false, idx(0x0E, new int[] {3}, new byte[24]),
                        "element type 0x0E (double) is not supported for a labels file"),
                Arguments.of("float labels", false, idx(0x0D, new int[] {3}, new byte[12]), "0x0D (float) is not supported"),
                Arguments.of("images of 1 dimension", true, labelsFile(1, 2, 3),
                        "has 1 dimension; an images file has 3 (count x rows x columns) (is it a labels file?)"),
                Arguments.of("images of 4 dimensions", true, idx(0x08, new int[] {1, 1, 1, 1}, new byte[1]), "has 4 dimensions"),
                Arguments.of("no dimensions", true, idx(0x08, new int[] {}, new byte[1]), "has 0 dimensions"),
                Arguments.of("labels of 3 dimensions", false, imagesFile(3, 1, 1), "a labels file has 1 (count) (is it an images file?)"),
                Arguments.of("header cut", true, Arrays.copyOf(imagesFile(3, 2, 2), 11), "ends inside the header (11 of its 16 bytes)"),
                Arguments.of("zero images", true, idx(0x08, new int[] {0, 2, 2}, new byte[0]),
                        "dimension 0 (count) is 0: an empty data set"),
                Arguments.of("zero rows", true, idx(0x08, new int[] {3, 0, 2}, new byte[0]), "dimension 1 (rows) is 0"),
                Arguments.of("zero labels", false, idx(0x08, new int[] {0}, new byte[0]), "dimension 0 (count) is 0"),
                Arguments.of("absurd columns", true, idx(0x08, new int[] {3, 2, -1}, new byte[12]),
                        "dimension 2 (columns) is 4294967295, absurd"),
                Arguments.of("absurd product", true, idx(0x08, new int[] {60000, 60000, 60000}, new byte[12]),
                        "dimensions 60000 x 60000 x 60000 of unsigned byte would be more than 2147483639 bytes"),
                Arguments.of("absurd labels", false, idx(0x0C, new int[] {1 << 30}, new byte[12]), "would be more than 2147483639 bytes"),
                Arguments.of("truncated data", true, idx(0x08, new int[] {3, 2, 2}, Arrays.copyOf(threeImages, 11)),
                        "truncated: 11 bytes of data, but 3 x 2 x 2 unsigned bytes need 12"),
                Arguments.of("trailing data", true, idx(0x08, new int[] {3, 2, 2}, Arrays.copyOf(threeImages, 13)),
                        "trailing data after the 3 x 2 x 2 unsigned bytes the header announces"),
                Arguments.of("label beyond 255", false, idx(0x0B, new int[] {3}, new byte[] {0, 1, 1, 44, 0, 2}),
                        "label 300 of item 1 is out of range (labels are class indices 0..255)"),
                Arguments.of("negative label", false, idx(0x0C, new int[] {3}, new byte[] {0, 0, 0, 1, 0, 0, 0, 2, -1, -1, -1, -5}),
                        "label -5 of item 2 is out of range"),
                Arguments.of("negative signed byte label", false, idx(0x09, new int[] {3}, new byte[] {-1, 0, 0}), "label -1 of item 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void everyMalformedFileIsNamedWithItsProblem(String what, boolean isImages, byte[] bytes, String message,
                                                  @TempDir Path dir) throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path bad = write(dir, (gz ? "gz-" : "") + what, gz ? gzip(bytes) : bytes);
            Path images = isImages ? bad : write(dir, "good-images", imagesFile(3, 2, 2));
            Path labels = isImages ? write(dir, "good-labels", labelsFile(0, 1, 2)) : bad;
            DataException e = assertThrows(DataException.class, () -> IdxFile.open(images, labels, List.of()));
            assertTrue(e.getMessage().startsWith(bad + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void labelAndImageCountsMustAgree(@TempDir Path dir) throws IOException {
        Path images = write(dir, "i", imagesFile(4, 2, 2));
        Path labels = write(dir, "l", gzip(labelsFile(1, 2, 3)));
        DataException e = assertThrows(DataException.class, () -> IdxFile.open(images, labels, List.of()));
        assertEquals(labels + ": 3 labels, but " + images + " has 4 images", e.getMessage());
    }

    @Test
    void givenClassNamesMustCoverTheLabels(@TempDir Path dir) throws IOException {
        Path images = write(dir, "i", imagesFile(3, 2, 2));
        Path labels = write(dir, "l", labelsFile(0, 5, 1));
        DataException e = assertThrows(DataException.class, () -> IdxFile.open(images, labels, List.of("a", "b", "c")));
        assertEquals(labels + ": label 5 of item 1 has no class name (3 class names given)", e.getMessage());
    }

    @ParameterizedTest(name = "gzip {0}")
    @ValueSource(booleans = {false, true})
    void everyTruncationIsADataExceptionNamingTheFile(boolean gz, @TempDir Path dir) throws IOException {
        byte[] im = imagesFile(3, 4, 5);
        byte[] la = labelsFile(2, 0, 1);
        if (gz) {
            im = gzip(im);
            la = gzip(la);
        }
        Path goodImages = write(dir, "good-images", im);
        Path goodLabels = write(dir, "good-labels", la);
        for (boolean cutImages : new boolean[] {true, false}) {
            byte[] whole = cutImages ? im : la;
            for (int n = 0; n < whole.length; n++) {
                Path cut = write(dir, "cut-" + n, Arrays.copyOf(whole, n));
                Path images = cutImages ? cut : goodImages;
                Path labels = cutImages ? goodLabels : cut;
                String where = (cutImages ? "images" : "labels") + " cut to " + n + " bytes";
                // assertThrows fails on any other exception type: only DataException is documented.
                DataException e = assertThrows(DataException.class, () -> IdxFile.open(images, labels, List.of()), where);
                assertTrue(e.getMessage().startsWith(cut + ": "), where + ": " + e.getMessage());
                Files.delete(cut);
            }
        }
    }

    @ParameterizedTest(name = "gzip {0}")
    @ValueSource(booleans = {false, true})
    void damagedFilesOpenOrGiveADataException(boolean gz, @TempDir Path dir) throws IOException {
        byte[] im = imagesFile(3, 4, 5);
        byte[] la = labelsFile(2, 0, 1);
        if (gz) {
            im = gzip(im);
            la = gzip(la);
        }
        Path goodLabels = write(dir, "good-labels", la);
        Random random = new Random(42);
        Path damaged = dir.resolve("damaged");
        int opened = 0, refused = 0;
        for (int trial = 0; trial < 200; trial++) {
            byte[] b = im.clone();
            int flips = 1 + random.nextInt(3);
            // Mostly the header (and for gzip its own header and the deflate stream), sometimes anywhere.
            for (int f = 0; f < flips; f++) {
                int at = random.nextBoolean() ? random.nextInt(Math.min(20, b.length)) : random.nextInt(b.length);
                b[at] ^= (byte) (1 << random.nextInt(8));
            }
            Files.write(damaged, b);
            try {
                IdxFile.open(damaged, goodLabels, List.of());
                opened++;
            } catch (DataException expected) {
                refused++;
                // Named first, or second after the labels when the image count no longer matches theirs.
                assertTrue(expected.getMessage().contains(damaged + ": ") || expected.getMessage().contains(damaged + " has "),
                        expected.getMessage());
            }
        }
        // Both outcomes occur (a flipped pixel, a flipped gzip time stamp; a flipped header or deflate stream).
        assertTrue(opened > 0 && refused > 0, opened + " opened, " + refused + " refused");
    }

    /** Bytes allocated by this thread so far (HotSpot's count). */
    static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest(name = "gzip {0}")
    @ValueSource(booleans = {false, true})
    void aHeaderPromisingTwoGigabytesCostsNoMemory(boolean gz, @TempDir Path dir) throws IOException {
        byte[] lying = idx(0x08, new int[] {1, 46000, 46000}, new byte[100]);   // 2.1e9 bytes, just under the cap
        Path images = write(dir, "lying", gz ? gzip(lying) : lying);
        Path labels = write(dir, "labels", labelsFile(0));
        long before = allocated();
        DataException e = assertThrows(DataException.class, () -> IdxFile.open(images, labels, List.of()));
        long used = allocated() - before;
        assertTrue(e.getMessage().contains("truncated: 100 bytes of data, but 1 x 46000 x 46000 unsigned bytes need 2116000000"),
                e.getMessage());
        assertTrue(used < 16 << 20, used + " bytes allocated");
    }

    // ---------------------------------------------------------------- finding the files

    @Test
    void aDirectoryGivesTheTestSetBeforeTheTrainingSet(@TempDir Path dir) throws IOException {
        write(dir, "train-images-idx3-ubyte.gz", gzip(imagesFile(4, 2, 2)));
        write(dir, "train-labels-idx1-ubyte.gz", gzip(labelsFile(0, 1, 2, 3)));
        assertEquals(dir.resolve("train-images-idx3-ubyte.gz"), IdxFile.locate(dir).images());
        write(dir, "t10k-images-idx3-ubyte.gz", gzip(imagesFile(2, 2, 2)));
        write(dir, "t10k-labels-idx1-ubyte.gz", gzip(labelsFile(0, 1)));
        IdxFile.Located found = IdxFile.locate(dir);
        assertEquals(dir.resolve("t10k-images-idx3-ubyte.gz"), found.images());
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte.gz"), found.labels());
        assertEquals(2, IdxFile.open(dir).size());
        // the training images named directly: their labels beside them
        assertEquals(dir.resolve("train-labels-idx1-ubyte.gz"), IdxFile.locate(dir.resolve("train-images-idx3-ubyte.gz")).labels());
        assertEquals(4, IdxFile.open(dir.resolve("train-images-idx3-ubyte.gz")).size());
    }

    @Test
    void anyOtherSinglePrefixIsFoundWithItsLabelsPlainOrGzipped(@TempDir Path dir) throws IOException {
        write(dir, "emnist-digits-test-images-idx3-ubyte", imagesFile(2, 2, 2));
        write(dir, "emnist-digits-test-labels-idx1-ubyte.gz", gzip(labelsFile(0, 1)));
        write(dir, "README", new byte[] {'h', 'i'});
        IdxFile.Located found = IdxFile.locate(dir);
        assertEquals(dir.resolve("emnist-digits-test-images-idx3-ubyte"), found.images());
        assertEquals(dir.resolve("emnist-digits-test-labels-idx1-ubyte.gz"), found.labels());
    }

    @Test
    void thePlainCopyIsPreferredAndDottedNamesAreAccepted(@TempDir Path dir) throws IOException {
        write(dir, "t10k-images.idx3-ubyte.gz", gzip(imagesFile(2, 2, 2)));
        write(dir, "t10k-images.idx3-ubyte", imagesFile(2, 2, 2));
        write(dir, "t10k-labels.idx1-ubyte", labelsFile(0, 1));
        IdxFile.Located found = IdxFile.locate(dir);
        assertEquals(dir.resolve("t10k-images.idx3-ubyte"), found.images());
        assertEquals(dir.resolve("t10k-labels.idx1-ubyte"), found.labels());
    }

    @Test
    void missingOrAmbiguousFilesAreNamed(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        DataException none = assertThrows(DataException.class, () -> IdxFile.locate(empty));
        assertEquals(empty + ": no IDX images file (*-images-idx3-ubyte or *-images-idx3-ubyte.gz)", none.getMessage());

        Path two = dir.resolve("two");
        write(two, "a-images-idx3-ubyte", imagesFile(1, 1, 1));
        write(two, "b-images-idx3-ubyte.gz", gzip(imagesFile(1, 1, 1)));
        DataException several = assertThrows(DataException.class, () -> IdxFile.locate(two));
        assertEquals(two + ": several IDX images files (a-images-idx3-ubyte, b-images-idx3-ubyte.gz); give the one to use",
                several.getMessage());

        DataException noLabels = assertThrows(DataException.class, () -> IdxFile.locate(two.resolve("a-images-idx3-ubyte")));
        assertTrue(noLabels.getMessage().startsWith(two.resolve("a-images-idx3-ubyte")
                + ": no labels file a-labels-idx1-ubyte or a-labels-idx1-ubyte.gz beside it"), noLabels.getMessage());

        Path labelsGiven = write(two, "a-labels-idx1-ubyte.gz", gzip(labelsFile(0)));
        DataException wrongFile = assertThrows(DataException.class, () -> IdxFile.locate(labelsGiven));
        assertEquals(labelsGiven + ": this is the labels file; give the images file (<prefix>-images-idx3-ubyte[.gz])"
                + " or the folder holding both", wrongFile.getMessage());

        Path odd = write(dir, "pictures.idx", imagesFile(1, 1, 1));
        DataException unnamed = assertThrows(DataException.class, () -> IdxFile.locate(odd));
        assertTrue(unnamed.getMessage().startsWith(odd + ": cannot tell its labels file"), unnamed.getMessage());

        DataException missing = assertThrows(DataException.class, () -> IdxFile.locate(dir.resolve("nope")));
        assertEquals("data set not found: " + dir.resolve("nope"), missing.getMessage());
    }

    @Test
    void classNamesAreGuessedFromThePath(@TempDir Path dir) throws IOException {
        Path fashion = dir.resolve("Fashion-MNIST");
        write(fashion, "t10k-images-idx3-ubyte", imagesFile(2, 2, 2));
        write(fashion, "t10k-labels-idx1-ubyte", labelsFile(9, 0));
        IdxFile f = IdxFile.open(fashion);
        assertEquals(IdxFile.FASHION_MNIST_CLASSES, f.classNames());
        assertTrue(f.description().startsWith("Fashion-MNIST IDX t10k-images-idx3-ubyte: 2 images"), f.description());

        Path mnist = dir.resolve("mnist");
        write(mnist, "t10k-images-idx3-ubyte", imagesFile(2, 2, 2));
        write(mnist, "t10k-labels-idx1-ubyte", labelsFile(9, 0));
        assertEquals(IdxFile.MNIST_CLASSES, IdxFile.open(mnist).classNames());
        assertEquals(List.of(), IdxFile.open(mnist, List.of()).classNames());   // given (as none) rather than guessed

        Path emnist = dir.resolve("emnist");   // "mnist" in the name, but 47 classes: no guess
        write(emnist, "t10k-images-idx3-ubyte", imagesFile(2, 2, 2));
        write(emnist, "t10k-labels-idx1-ubyte", labelsFile(46, 0));
        assertEquals(List.of(), IdxFile.open(emnist).classNames());

        Path other = dir.resolve("digits");
        write(other, "t10k-images-idx3-ubyte", imagesFile(2, 2, 2));
        write(other, "t10k-labels-idx1-ubyte", labelsFile(1, 0));
        IdxFile o = IdxFile.open(other);
        assertEquals(List.of(), o.classNames());
        assertTrue(o.description().startsWith("IDX t10k-images-idx3-ubyte: "), o.description());
        assertInstanceOf(IdxFile.class, LabelledImages.open(other, List.of()));
        assertEquals(List.of("x", "y"), LabelledImages.open(other, List.of("x", "y")).classNames());
    }

    // ---------------------------------------------------------------- Debian's Fashion-MNIST

    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void readsDebiansFashionMnistTestSet() throws IOException {
        assumeTrue(Files.isRegularFile(FASHION.resolve("t10k-images-idx3-ubyte.gz")), "dataset-fashion-mnist is not installed");
        LabelledImages data = LabelledImages.open(FASHION, List.of());
        IdxFile idx = assertInstanceOf(IdxFile.class, data);
        assertEquals(10000, data.size());
        assertEquals(28, idx.rows());
        assertEquals(28, idx.cols());
        assertEquals(9, data.label(0));
        assertEquals("Ankle boot", data.classNames().get(data.label(0)));
        assertEquals("Fashion-MNIST IDX t10k-images-idx3-ubyte.gz: 10000 images 28x28, labels t10k-labels-idx1-ubyte.gz",
                data.description());
        assertEquals("t10k-images-idx3-ubyte.gz#0", data.name(0));
        // The test set has 1000 images of each class.
        int[] perClass = new int[10];
        for (int i = 0; i < data.size(); i++) perClass[data.label(i)]++;
        int[] thousand = new int[10];
        Arrays.fill(thousand, 1000);
        assertEquals(Arrays.toString(thousand), Arrays.toString(perClass));
        // A boot on a black background: dark corners, something bright in the middle.
        BufferedImage first = data.image(0);
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, first.getType());
        assertEquals(0, first.getRaster().getSample(0, 0, 0));
        int max = 0;
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) max = Math.max(max, first.getRaster().getSample(x, y, 0));
        assertTrue(max > 200, "brightest pixel " + max);
    }
}
