package dev.binaryvit.model;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Coverage-guided fuzz targets (Jazzer) for every parser of untrusted files. Each asserts the
 * parser's contract: a well-formed result, or the parser's own exception with a message; any other
 * exception or error (an NPE, an index out of bounds, an OutOfMemoryError from a size believed
 * before it was checked) is a finding, and so is a hang.
 *
 * <p>Without {@code JAZZER_FUZZ} (as in {@code ./binaryvit test}) each target only replays its seed
 * corpus and earlier findings: {@code src/test/resources/dev/binaryvit/model/ParsersFuzzTestInputs/<target>/}.
 * {@code ./binaryvit fuzz [--minutes N] [TARGET]} fuzzes for real, and Jazzer writes new crashing
 * inputs into that directory.
 */
class ParsersFuzzTest {

    /** Scratch files for the parsers that read paths; overwritten by every input. */
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("binaryvit-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DIR.toFile().deleteOnExit();
    }

    private static Path write(String name, byte[] bytes) {
        Path f = DIR.resolve(name);
        try {
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        f.toFile().deleteOnExit();
        return f;
    }

    /** The documented failure: the parser's own exception, saying what is wrong. */
    private static void documented(Exception e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) throw new AssertionError("exception without a message", e);
    }

    private static void wellFormed(Safetensors st) {
        for (String name : st.names()) {
            Tensor t = st.tensor(name);
            long n = 1;
            for (long d : t.shape()) {
                if (d < 0) throw new AssertionError(name + ": negative dimension " + Arrays.toString(t.shape()));
                n *= d;
            }
            if (n != t.data().length) throw new AssertionError(name + ": shape " + Arrays.toString(t.shape())
                    + " but " + t.data().length + " values");
        }
    }

    // ---------------------------------------------------------------- targets

    @FuzzTest
    void safetensors(byte[] input) {
        try {
            wellFormed(Safetensors.read(input));
        } catch (SafetensorsException e) {
            documented(e);
        }
    }

    /** Through the file, so that byte-level problems (bad UTF-8) are the parser's too. */
    @FuzzTest
    void config(byte[] input) throws IOException {
        try {
            BinaryVitConfig c = BinaryVitConfig.fromJson(write("config.json", input));
            if (c == null) throw new AssertionError("null config");
        } catch (ConfigException e) {
            documented(e);
        }
    }

    /** Parsed for a grey 32 x 32 model and an RGB 224 x 224 one; a pipeline parsed is applied to small images. */
    @FuzzTest
    void preprocessor(byte[] input) throws IOException {
        Path f = write("preprocessor_config.json", input);
        for (int[] model : new int[][] {{1, 32}, {3, 224}}) {
            Preprocessor p;
            try {
                p = Preprocessor.fromJson(f, model[0], model[1]);
            } catch (PreprocessorException e) {
                documented(e);
                continue;
            }
            for (BufferedImage image : new BufferedImage[] {new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY),
                    new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB)}) {
                try {
                    float[] x = p.apply(image);
                    if (x.length != model[0] * model[1] * model[1]) throw new AssertionError(x.length + " values");
                } catch (PreprocessorException e) {
                    documented(e);   // this pipeline cannot bring this image to the model's size
                }
            }
        }
    }

    /** The whole checkpoint reader, from the zip container on. */
    @FuzzTest
    void checkpoint(byte[] input) {
        try {
            TorchCheckpoint c = TorchCheckpoint.read(input, "fuzz.pth");
            if (c.tensors().names().isEmpty()) throw new AssertionError("a checkpoint without tensors");
            wellFormed(c.tensors());
        } catch (CheckpointException e) {
            documented(e);
        }
    }

    /** The input as the {@code data.pkl} of a valid archive, so that every input reaches the unpickler. */
    @FuzzTest
    void pickle(byte[] input) {
        checkpoint(pickleArchive(input));
    }

    /** An archive "archive/" with {@code pickle} as its data.pkl and one storage "0" of six floats 0..5. */
    static byte[] pickleArchive(byte[] pickle) {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("archive/data.pkl", pickle);
        e.put("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) data.putFloat(i);
        e.put("archive/data/0", data.array());
        e.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return TorchCheckpointTest.zip(e, false);
    }

    /**
     * An images file and a labels file: the first 4 bytes (big-endian) give the images file's
     * length, the images file follows, then the labels file (none if empty). Either may be gzipped.
     */
    @FuzzTest
    void idx(byte[] input) throws IOException {
        byte[][] files = splitIdx(input);
        Path images = write("fuzz-images-idx3-ubyte", files[0]);
        Path labels = files[1].length == 0 ? null : write("fuzz-labels-idx1-ubyte", files[1]);
        try {
            IdxFile d = IdxFile.open(images, labels, null);
            for (int i = 0; i < Math.min(d.size(), 3); i++) {
                BufferedImage im = d.image(i);
                if (im.getWidth() != d.cols() || im.getHeight() != d.rows()) throw new AssertionError("image " + i);
                if (labels != null && d.label(i) < 0) throw new AssertionError("label " + i);
            }
        } catch (DataException e) {
            documented(e);
        }
    }

    /** The two files of an {@link #idx} input. */
    static byte[][] splitIdx(byte[] input) {
        if (input.length < 4) return new byte[][] {input, new byte[0]};
        long n = Integer.toUnsignedLong(ByteBuffer.wrap(input).getInt());
        int cut = (int) Math.min(n, input.length - 4);
        return new byte[][] {Arrays.copyOfRange(input, 4, 4 + cut), Arrays.copyOfRange(input, 4 + cut, input.length)};
    }

    /**
     * Decoding (PNG, JPEG, BMP, GIF, ...) and the ImageNet preprocessing, at 32 x 32 to keep executions
     * fast; decoding the same bytes from memory (as Spark does) accepts and refuses the same inputs.
     */
    @FuzzTest
    void image(byte[] input) throws IOException {
        boolean fromFile;
        try {
            float[] x = Images.load(write("image", input), 32);
            if (x.length != 3 * 32 * 32) throw new AssertionError(x.length + " values");
            for (float v : x) if (!Float.isFinite(v)) throw new AssertionError("non-finite value " + v);
            fromFile = true;
        } catch (ImageException e) {
            documented(e);
            fromFile = false;
        }
        boolean fromBytes;
        try {
            Images.decode(input, "image");
            fromBytes = true;
        } catch (ImageException e) {
            documented(e);
            fromBytes = false;
        }
        if (fromFile != fromBytes) {
            throw new AssertionError("read " + (fromFile ? "accepts" : "refuses") + " what decode "
                    + (fromBytes ? "accepts" : "refuses"));
        }
    }
}
