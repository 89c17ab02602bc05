package dev.binaryvit.model;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An image classification data set in the IDX format of MNIST and Fashion-MNIST: an images file
 * and a labels file, each plain or gzipped.
 *
 * <p>Format (big-endian): two zero bytes, an element type byte (0x08 unsigned byte, 0x09 signed
 * byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double), a dimension count byte, the dimensions as
 * 4-byte integers, then the elements. An images file has 3 dimensions (count x rows x columns) of
 * unsigned bytes and gives {@link BufferedImage#TYPE_BYTE_GRAY} images with the pixel values as
 * stored; a labels file has 1 dimension (count) of unsigned bytes, or of another integer type with
 * values 0..255. A gzipped file is recognised by its magic bytes, not its name.
 *
 * <p>Validation is strict and every problem is a {@link DataException} of one line naming the file:
 * a wrong magic, an unknown or unsupported element type, the wrong number of dimensions, a zero
 * dimension, dimensions whose data would exceed 2^31 - 9 bytes (the largest Java array),
 * truncated data (or a truncated or corrupt gzip stream), trailing data after the elements the
 * header announces, label values out of 0..255, and label and image counts that differ. Nothing is
 * allocated beyond what the header announces, and for a gzipped file, whose size says nothing
 * about its content, the buffer grows with the data actually decompressed, so a lying header
 * costs no memory.
 */
public final class IdxFile implements LabelledImages {

    /** The Fashion-MNIST classes, by label. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** The MNIST classes, by label: the digits. */
    public static final List<String> MNIST_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /** The largest byte[] a JVM reliably allocates: the cap on any file's data, whatever its header says. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private static final int GZIP_BUFFER = 1 << 16;
    /** The first buffer for gzipped data; it doubles as data arrives, up to what the header announces. */
    private static final int FIRST_CHUNK = 1 << 20;

    private final Path imagesFile;
    private final Path labelsFile;       // null: unlabelled
    private final String kind;
    private final int count;
    private final int rows;
    private final int cols;
    private final byte[] pixels;         // count x rows x cols
    private final int[] labels;          // null: unlabelled
    private final List<String> classNames;

    private IdxFile(Path imagesFile, Path labelsFile, String kind, int[] dims, byte[] pixels, int[] labels,
                    List<String> classNames) {
        this.imagesFile = imagesFile;
        this.labelsFile = labelsFile;
        this.kind = kind;
        this.count = dims[0];
        this.rows = dims[1];
        this.cols = dims[2];
        this.pixels = pixels;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
    }

    // ---------------------------------------------------------------- opening

    /**
     * Opens a data set given as a directory or an images file (see {@link #locate}), with the class
     * names guessed from the path: Fashion-MNIST's if it mentions "fashion", the digits if it
     * mentions "mnist", and none otherwise or if the labels go beyond the guessed names.
     */
    public static IdxFile open(Path data) throws IOException {
        Located files = locate(data);
        return open(files.images(), files.labels(), null);
    }

    /** Opens a data set given as a directory or an images file (see {@link #locate}), with these class names. */
    public static IdxFile open(Path data, List<String> classNames) throws IOException {
        Objects.requireNonNull(classNames, "classNames");
        Located files = locate(data);
        return open(files.images(), files.labels(), classNames);
    }

    /**
     * Reads an images file and its labels file.
     *
     * @param labels     the labels file, or null for an unlabelled data set
     * @param classNames the class names by label, or empty when unknown; when given, every label
     *                   must name one. Null guesses them from the path, as {@link #open(Path)}.
     * @throws DataException if either file is malformed or they do not match (the message names the file)
     * @throws IOException   if a file cannot be read
     */
    public static IdxFile open(Path images, Path labels, List<String> classNames) throws IOException {
        Objects.requireNonNull(images, "images");
        Array im = read(images, Role.IMAGES);
        int[] lab = null;
        if (labels != null) {
            Array la = read(labels, Role.LABELS);
            if (la.dims[0] != im.dims[0]) {
                throw new DataException(labels + ": " + la.dims[0] + " labels, but " + images + " has "
                        + im.dims[0] + " images");
            }
            lab = labelValues(la, labels);
        }
        String kind = kind(images);
        List<String> names;
        if (classNames == null) {
            names = guessClassNames(kind);
            if (lab != null && maxLabel(lab) >= names.size()) names = List.of();
        } else {
            names = classNames;
            if (lab != null && !names.isEmpty()) {
                for (int i = 0; i < lab.length; i++) {
                    if (lab[i] >= names.size()) {
                        throw new DataException(labels + ": label " + lab[i] + " of item " + i + " has no class name ("
                                + names.size() + " class names given)");
                    }
                }
            }
        }
        return new IdxFile(images, labels, kind, im.dims, im.data, lab, names);
    }

    private static String kind(Path images) {
        String path = images.toAbsolutePath().toString().toLowerCase(Locale.ROOT);
        if (path.contains("fashion")) return "Fashion-MNIST IDX";
        if (path.contains("mnist")) return "MNIST IDX";
        return "IDX";
    }

    private static List<String> guessClassNames(String kind) {
        return switch (kind) {
            case "Fashion-MNIST IDX" -> FASHION_MNIST_CLASSES;
            case "MNIST IDX" -> MNIST_CLASSES;
            default -> List.of();
        };
    }

    private static int maxLabel(int[] labels) {
        int max = -1;
        for (int l : labels) max = Math.max(max, l);
        return max;
    }

    // ---------------------------------------------------------------- finding the files

    /** An images file and its labels file. */
    public record Located(Path images, Path labels) {}

    /** {@code <prefix>-images-idx3-ubyte[.gz]}; '.' is accepted for '-', as some copies of MNIST name them. */
    private static final Pattern IMAGES_NAME = Pattern.compile("(.*)([-.])images([-.])idx3([-.])ubyte(\\.gz)?");
    private static final Pattern LABELS_NAME = Pattern.compile(".*[-.]labels[-.]idx1[-.]ubyte(\\.gz)?");

    /**
     * Finds the files of an IDX data set. {@code data} is either an images file, whose labels file
     * is the one beside it named with {@code labels-idx1} for {@code images-idx3}, plain or gzipped;
     * or a directory, in which the test set {@code t10k-images-idx3-ubyte[.gz]} is taken, else the
     * training set {@code train-...}, else the only {@code <prefix>-images-idx3-ubyte[.gz]}; where
     * both a plain and a gzipped copy exist, the plain one.
     *
     * @throws DataException if there is no images file, several candidates, or no labels file for it
     */
    public static Located locate(Path data) throws IOException {
        if (!Files.exists(data)) throw new DataException("data set not found: " + data);
        Path images;
        if (Files.isDirectory(data)) {
            images = findImages(data);
            if (images == null) {
                throw new DataException(data + ": no IDX images file (*-images-idx3-ubyte or *-images-idx3-ubyte.gz)");
            }
        } else {
            images = data;
        }
        Matcher m = IMAGES_NAME.matcher(images.getFileName().toString());
        if (!m.matches() && LABELS_NAME.matcher(images.getFileName().toString()).matches()) {
            throw new DataException(images + ": this is the labels file; give the images file"
                    + " (<prefix>-images-idx3-ubyte[.gz]) or the folder holding both");
        }
        if (!m.matches()) {
            throw new DataException(images + ": cannot tell its labels file: an IDX images file is named"
                    + " <prefix>-images-idx3-ubyte[.gz], with <prefix>-labels-idx1-ubyte[.gz] beside it");
        }
        String stem = m.group(1) + m.group(2) + "labels" + m.group(3) + "idx1" + m.group(4) + "ubyte";
        // The labels compressed as the images are first, then the other way.
        String[] names = m.group(5) == null ? new String[] {stem, stem + ".gz"} : new String[] {stem + ".gz", stem};
        Path dir = images.toAbsolutePath().getParent();
        for (String name : names) {
            Path labels = images.resolveSibling(name);
            if (Files.isRegularFile(labels)) return new Located(images, labels);
        }
        throw new DataException(images + ": no labels file " + stem + " or " + stem + ".gz beside it in " + dir);
    }

    /**
     * The images file a directory holds (see {@link #locate}), or null if it has none.
     *
     * @throws DataException if it holds several candidates and none is the test or training set
     */
    static Path findImages(Path dir) throws IOException {
        // By prefix (t10k, train, ...), each with its files in preference order: plain first, then by name.
        TreeMap<String, List<Path>> byPrefix = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = IMAGES_NAME.matcher(f.getFileName().toString());
                if (m.matches() && !f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)) {
                    byPrefix.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(f);
                }
            }
        }
        if (byPrefix.isEmpty()) return null;
        List<Path> chosen = byPrefix.get("t10k");
        if (chosen == null) chosen = byPrefix.get("train");
        if (chosen == null) {
            if (byPrefix.size() > 1) {
                List<String> all = new ArrayList<>();
                byPrefix.values().forEach(l -> l.forEach(p -> all.add(p.getFileName().toString())));
                throw new DataException(dir + ": several IDX images files (" + String.join(", ", all)
                        + "); give the one to use");
            }
            chosen = byPrefix.firstEntry().getValue();
        }
        return chosen.stream()
                .min(Comparator.comparing((Path p) -> p.getFileName().toString().endsWith(".gz"))
                        .thenComparing(p -> p.getFileName().toString()))
                .orElseThrow();
    }

    // ---------------------------------------------------------------- the data set

    @Override
    public int size() {
        return count;
    }

    /** The image height. */
    public int rows() {
        return rows;
    }

    /** The image width. */
    public int cols() {
        return cols;
    }

    @Override
    public String name(int i) {
        Objects.checkIndex(i, count);
        return imagesFile.getFileName() + "#" + i;
    }

    @Override
    public int label(int i) {
        Objects.checkIndex(i, count);
        return labels == null ? -1 : labels[i];
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    /** The stored pixels as a grey image; never fails, the file having been checked when opened. */
    @Override
    public BufferedImage image(int i) {
        Objects.checkIndex(i, count);
        int n = rows * cols;
        BufferedImage image = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        int from = i * n;   // count * rows * cols <= MAX_BYTES: no overflow
        image.getRaster().setDataElements(0, 0, cols, rows, Arrays.copyOfRange(pixels, from, from + n));
        return image;
    }

    @Override
    public String description() {
        return kind + " " + imagesFile.getFileName() + ": " + count + " images " + cols + "x" + rows
                + (labelsFile == null ? ", no labels" : ", labels " + labelsFile.getFileName());
    }

    @Override
    public String toString() {
        return description();
    }

    // ---------------------------------------------------------------- parsing

    private enum Type {
        UBYTE(0x08, 1, "unsigned byte"), BYTE(0x09, 1, "signed byte"), SHORT(0x0B, 2, "short"),
        INT(0x0C, 4, "int"), FLOAT(0x0D, 4, "float"), DOUBLE(0x0E, 8, "double");

        final int code;
        final int bytes;
        final String text;

        Type(int code, int bytes, String text) {
            this.code = code;
            this.bytes = bytes;
            this.text = text;
        }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }

        String describe() {
            return String.format("0x%02X (%s)", code, text);
        }
    }

    /** What a file must hold: its number of dimensions, their names, and the element types read. */
    private enum Role {
        IMAGES("an images file", List.of("count", "rows", "columns"), List.of(Type.UBYTE), "only 0x08, unsigned byte"),
        LABELS("a labels file", List.of("count"), List.of(Type.UBYTE, Type.BYTE, Type.SHORT, Type.INT),
                "only the integer types 0x08, 0x09, 0x0B and 0x0C");

        final String what;
        final List<String> dimNames;
        final List<Type> types;
        final String supported;

        Role(String what, List<String> dimNames, List<Type> types, String supported) {
            this.what = what;
            this.dimNames = dimNames;
            this.types = types;
            this.supported = supported;
        }
    }

    /** A file's elements as stored (big-endian) and its dimensions. */
    private record Array(Type type, int[] dims, byte[] data) {}

    private static Array read(Path file, Role role) throws IOException {
        String where = file + ": ";
        long fileSize = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), GZIP_BUFFER)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) return parse(raw, fileSize, role, where);
            // The JDK reports a cut-off gzip stream as EOFException and a damaged one as ZipException.
            try (InputStream in = new GZIPInputStream(raw, GZIP_BUFFER)) {
                return parse(in, -1, role, where);
            } catch (EOFException e) {
                throw new DataException(where + "the gzip stream is truncated (" + e.getMessage() + ")", e);
            } catch (ZipException e) {
                throw new DataException(where + "corrupt gzip data: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Parses an IDX stream.
     *
     * @param size the stream's length if known (a plain file), else -1 (gzip)
     */
    private static Array parse(InputStream in, long size, Role role, String where) throws IOException {
        String content = size < 0 ? "the decompressed data" : "the file";
        byte[] magic = new byte[4];
        int got = in.readNBytes(magic, 0, 4);
        if (got == 0) throw new DataException(where + (size < 0 ? "the decompressed data is empty" : "the file is empty"));
        if (magic[0] != 0 || (got > 1 && magic[1] != 0)) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < got; i++) hex.append(String.format(" %02X", magic[i] & 0xff));
            throw new DataException(where + "not an IDX file: " + content + " starts with" + hex
                    + " (an IDX file starts with 00 00, an element type and a dimension count)");
        }
        if (got < 4) throw new DataException(where + content + " ends inside the header (" + got + " of its first 4 bytes)");
        Type type = Type.of(magic[2] & 0xff);
        if (type == null) {
            throw new DataException(where + String.format("unknown IDX element type 0x%02X", magic[2] & 0xff)
                    + " (the format has 0x08 unsigned byte, 0x09 signed byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double)");
        }
        if (!role.types.contains(type)) {
            throw new DataException(where + "element type " + type.describe() + " is not supported for "
                    + role.what + " (" + role.supported + ")");
        }
        int ndims = magic[3] & 0xff;
        int want = role.dimNames.size();
        if (ndims != want) {
            String hint = role == Role.IMAGES && ndims == 1 ? " (is it a labels file?)"
                    : role == Role.LABELS && ndims == 3 ? " (is it an images file?)" : "";
            throw new DataException(where + "has " + ndims + " dimension" + (ndims == 1 ? "" : "s") + "; " + role.what
                    + " has " + want + " (" + String.join(" x ", role.dimNames) + ")" + hint);
        }
        byte[] dimBytes = new byte[4 * ndims];
        int dimGot = in.readNBytes(dimBytes, 0, dimBytes.length);
        if (dimGot < dimBytes.length) {
            throw new DataException(where + content + " ends inside the header (" + (4 + dimGot) + " of its "
                    + (4 + dimBytes.length) + " bytes)");
        }
        int[] dims = new int[ndims];
        long bytes = type.bytes;
        for (int d = 0; d < ndims; d++) {
            long v = Integer.toUnsignedLong(readInt(dimBytes, 4 * d));
            String name = role.dimNames.get(d);
            if (v == 0) {
                throw new DataException(where + "dimension " + d + " (" + name + ") is 0"
                        + (d == 0 ? ": an empty data set" : ""));
            }
            if (v > MAX_BYTES) throw new DataException(where + "dimension " + d + " (" + name + ") is " + v + ", absurd");
            dims[d] = (int) v;
            bytes *= v;   // both factors <= 2^31: no overflow
            if (bytes > MAX_BYTES) {
                throw new DataException(where + "dimensions " + dimsText(allDims(dimBytes, ndims)) + " of " + type.text
                        + " would be more than " + MAX_BYTES + " bytes, beyond what this reader holds");
            }
        }
        int header = 4 + 4 * ndims;
        String shape = dimsText(dims) + " " + type.text + (type.bytes == 1 ? "s" : " elements");
        byte[] data;
        if (size >= 0) {
            // A plain file: its size is known, so check it before allocating anything.
            long available = size - header;
            if (available < bytes) {
                throw new DataException(where + "truncated: " + available + " bytes of data, but " + shape
                        + " need " + bytes);
            }
            if (available > bytes) {
                long extra = available - bytes;
                throw new DataException(where + extra + " byte" + (extra == 1 ? "" : "s") + " of trailing data after the " + shape
                        + " the header announces");
            }
            data = new byte[(int) bytes];
            int n = in.readNBytes(data, 0, data.length);
            if (n < data.length) {
                throw new DataException(where + "the file ended at byte " + (header + n) + " while reading"
                        + " (was it truncated while being read?)");
            }
        } else {
            data = readBounded(in, (int) bytes, where, shape);
            if (in.read() >= 0) {
                throw new DataException(where + "trailing data after the " + shape + " the header announces");
            }
        }
        return new Array(type, dims, data);
    }

    /** Reads exactly {@code n} bytes, the buffer growing with the data that actually arrives. */
    private static byte[] readBounded(InputStream in, int n, String where, String shape) throws IOException {
        byte[] buf = new byte[Math.min(n, FIRST_CHUNK)];
        int filled = 0;
        while (filled < n) {
            if (filled == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
            int r = in.read(buf, filled, buf.length - filled);
            if (r < 0) {
                throw new DataException(where + "truncated: " + filled + " bytes of data, but " + shape + " need " + n);
            }
            filled += r;
        }
        return buf;
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static long[] allDims(byte[] dimBytes, int ndims) {
        long[] dims = new long[ndims];
        for (int d = 0; d < ndims; d++) dims[d] = Integer.toUnsignedLong(readInt(dimBytes, 4 * d));
        return dims;
    }

    private static String dimsText(int[] dims) {
        return dimsText(Arrays.stream(dims).asLongStream().toArray());
    }

    private static String dimsText(long[] dims) {
        StringBuilder s = new StringBuilder();
        for (long d : dims) s.append(s.isEmpty() ? "" : " x ").append(d);
        return s.toString();
    }

    /** The labels as class indices, each checked to be in 0..255. */
    private static int[] labelValues(Array a, Path file) throws DataException {
        int n = a.dims[0];
        int[] out = new int[n];
        byte[] d = a.data;
        for (int i = 0; i < n; i++) {
            int v = switch (a.type) {
                case UBYTE -> d[i] & 0xff;
                case BYTE -> d[i];
                case SHORT -> (short) ((d[2 * i] & 0xff) << 8 | (d[2 * i + 1] & 0xff));
                case INT -> readInt(d, 4 * i);
                default -> throw new AssertionError(a.type);   // refused by the header check
            };
            if (v < 0 || v > 255) {
                throw new DataException(file + ": label " + v + " of item " + i
                        + " is out of range (labels are class indices 0..255)");
            }
            out[i] = v;
        }
        return out;
    }
}
