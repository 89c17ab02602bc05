package dev.binaryvit.model;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagesTest {

    private static Safetensors golden;
    private static final int[] GOLDEN_ROWS = {0, 1, 57, 111, 112, 200, 223};

    @BeforeAll
    static void loadGolden() throws IOException {
        try (InputStream in = ImagesTest.class.getResourceAsStream("images/golden.safetensors")) {
            golden = Safetensors.read(in.readAllBytes());
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(ImagesTest.class.getResource("images/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** The normalised value of an 8-bit sample v in channel c, in float32 as torchvision computes it. */
    static float norm(int v, int c) {
        return (v / 255f - Images.MEAN[c]) / Images.STD[c];
    }

    // ---------------------------------------------------------------- against Pillow + torchvision

    @Test
    void matchesPillowAndTorchvisionExactly() throws IOException {
        for (String name : new String[] {"rgb_97x61", "gray_13x9", "rgba_40x50", "palette_30x30", "wide_300x7"}) {
            BufferedImage image = Images.read(resource(name + ".png"));
            for (int size : new int[] {32, 33}) {
                float[] want = golden.tensor(name + "@" + size).data();
                float[] got = Images.preprocess(image, size);
                assertArrayEquals(want, got, name + "@" + size);
            }
        }
    }

    @Test
    void sampleAt224MatchesPillowAndTorchvisionExactly() throws IOException {
        checkRows(Images.preprocess(Images.sample(), 224), golden.tensor("sample@224.rows"), "sample");
        checkRows(Images.preprocess(Images.read(resource("gray_13x9.png")), 224), golden.tensor("gray_13x9@224.rows"), "gray upscaled");
    }

    private static void checkRows(float[] got, Tensor want, String what) {
        assertEquals(3 * 224 * 224, got.length);
        float[] w = want.data();
        int k = GOLDEN_ROWS.length;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < k; i++) {
                float[] wantRow = Arrays.copyOfRange(w, (c * k + i) * 224, (c * k + i + 1) * 224);
                int row = GOLDEN_ROWS[i];
                float[] gotRow = Arrays.copyOfRange(got, (c * 224 + row) * 224, (c * 224 + row + 1) * 224);
                assertArrayEquals(wantRow, gotRow, what + " channel " + c + " row " + row);
            }
        }
    }

    // ---------------------------------------------------------------- hand-checked cases

    @Test
    void aConstantColourGivesTheNormalisedConstant() {
        for (int[] size : new int[][] {{320, 240}, {224, 224}, {1, 1}, {5, 1000}, {3000, 17}}) {
            BufferedImage img = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
            int r = 10, g = 200, b = 77;
            fill(img, 0xff000000 | r << 16 | g << 8 | b);
            float[] out = Images.preprocess(img, 224);
            assertEquals(3 * 224 * 224, out.length);
            int[] v = {r, g, b};
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 224 * 224; i++) {
                    assertEquals(norm(v[c], c), out[c * 224 * 224 + i], size[0] + "x" + size[1] + " channel " + c);
                }
            }
        }
        assertEquals(-0.485f / 0.229f, norm(0, 0));
    }

    @Test
    void a256GradientIsOnlyCroppedAndNormalised() {
        // 256 x 256 at size 224: the resize is the identity, the crop starts at (16, 16)
        BufferedImage img = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) img.setRGB(x, y, x << 16 | y << 8 | (255 - x));
        }
        float[] out = Images.preprocess(img, 224);
        for (int y : new int[] {0, 100, 111, 112, 223}) {
            for (int x : new int[] {0, 111, 112, 223}) {
                assertEquals(norm(x + 16, 0), out[y * 224 + x]);
                assertEquals(norm(y + 16, 1), out[224 * 224 + y * 224 + x]);
                assertEquals(norm(255 - (x + 16), 2), out[2 * 224 * 224 + y * 224 + x]);
            }
        }
    }

    @Test
    void aDownscaledGradientStaysLinearAtTheCentre() {
        // 512 x 512, value = x / 2: halving to 256 keeps a linear ramp (within rounding), then crop 16
        BufferedImage img = new BufferedImage(512, 512, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 512; x++) {
                int v = x / 2;
                img.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        float[] out = Images.preprocess(img, 224);
        for (int x = 8; x < 216; x++) {
            // output column x is resized column x + 16, whose centre is source position 2(x + 16) + 0.5,
            // where the ramp x/2 (pairs of equal pixels) averages to x + 16
            float want = norm(x + 16, 0);
            assertEquals(want, out[112 * 224 + x], 1.01f / 255 / Images.STD[0], "column " + x);
        }
        float centre = out[112 * 224 + 112];
        assertEquals(norm(128, 0), centre, 1.01f / 255 / Images.STD[0]);
    }

    @Test
    void grayscaleIsReadAsStoredNotGammaConverted() {
        BufferedImage gray = new BufferedImage(50, 40, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = gray.getRaster();
        for (int y = 0; y < 40; y++) for (int x = 0; x < 50; x++) r.setSample(x, y, 0, 128);
        float[] out = Images.preprocess(gray, 224);
        for (int c = 0; c < 3; c++) assertEquals(norm(128, c), out[c * 224 * 224 + 5000]);

        BufferedImage gray16 = new BufferedImage(50, 40, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r16 = gray16.getRaster();
        for (int y = 0; y < 40; y++) for (int x = 0; x < 50; x++) r16.setSample(x, y, 0, 0x8080);
        float[] out16 = Images.preprocess(gray16, 224);
        for (int c = 0; c < 3; c++) assertEquals(norm(128, c), out16[c * 224 * 224 + 5000]);
    }

    @Test
    void alphaIsDroppedNotComposited() {
        BufferedImage argb = new BufferedImage(30, 30, BufferedImage.TYPE_INT_ARGB);
        fill(argb, 0x00c86432);   // fully transparent (200, 100, 50)
        BufferedImage rgb = new BufferedImage(30, 30, BufferedImage.TYPE_INT_RGB);
        fill(rgb, 0xffc86432);
        assertArrayEquals(Images.preprocess(rgb, 64), Images.preprocess(argb, 64));
        assertEquals(norm(200, 0), Images.preprocess(argb, 64)[0]);
    }

    @Test
    void theSampleImage() {
        BufferedImage s = Images.sample();
        assertEquals(320, s.getWidth());
        assertEquals(240, s.getHeight());
        float[] x = Images.preprocess(s, 224);
        assertEquals(3 * 224 * 224, x.length);
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertTrue(min < -1 && max > 1, "a picture with contrast: " + min + " .. " + max);
    }

    @Test
    void otherSizesAndBadSizes() {
        BufferedImage s = Images.sample();
        assertEquals(3 * 32 * 32, Images.preprocess(s, 32).length);
        assertEquals(3, Images.preprocess(s, 1).length);
        assertThrows(IllegalArgumentException.class, () -> Images.preprocess(s, 0));
    }

    // ---------------------------------------------------------------- reading errors

    @Test
    void readsTheFormatsImageIoKnows(@TempDir Path dir) throws IOException {
        BufferedImage img = new BufferedImage(20, 10, BufferedImage.TYPE_3BYTE_BGR);
        fill(img, 0xff336699);
        for (String fmt : new String[] {"png", "bmp", "gif", "jpg"}) {
            Path f = dir.resolve("img." + fmt);
            assertTrue(ImageIO.write(img, fmt, f.toFile()), fmt);
            BufferedImage back = Images.read(f);
            assertEquals(20, back.getWidth(), fmt);
            assertEquals(3 * 8 * 8, Images.preprocess(back, 8).length);
        }
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path f = dir.resolve("nope.png");
        ImageException e = assertThrows(ImageException.class, () -> Images.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void anUndecodableFileIsNamed(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "this is not an image");
        ImageException e = assertThrows(ImageException.class, () -> Images.read(text));
        assertTrue(e.getMessage().contains(text.toString()), e.getMessage());

        // a PNG cut in the middle of its pixel data
        byte[] png = Files.readAllBytes(resource("rgb_97x61.png"));
        Path cut = dir.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(png, png.length / 2));
        ImageException e2 = assertThrows(ImageException.class, () -> Images.read(cut));
        assertTrue(e2.getMessage().contains(cut.toString()), e2.getMessage());

        Path empty = dir.resolve("empty.jpg");
        Files.write(empty, new byte[0]);
        assertThrows(ImageException.class, () -> Images.read(empty));

        ImageException e3 = assertThrows(ImageException.class, () -> Images.read(dir));
        assertTrue(e3.getMessage().contains(dir.toString()), e3.getMessage());
    }

    /** A PNG header may claim any size: the reader checks it before the decoder allocates a raster. */
    @Test
    void aHugeImageIsRefusedBeforeDecoding(@TempDir Path dir) throws IOException {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(40000).putInt(40000)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);   // 8-bit RGB
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}).putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        Path f = Files.write(dir.resolve("huge.png"), png.array());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ImageException e = assertThrows(ImageException.class, () -> Images.read(f));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(e.getMessage().contains("40000x40000") && e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(allocated < 16 << 20, allocated + " bytes allocated for a refused header");
    }

    private static void fill(BufferedImage img, int argb) {
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, argb);
    }
}
