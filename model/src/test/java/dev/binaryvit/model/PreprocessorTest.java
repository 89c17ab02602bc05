package dev.binaryvit.model;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Preprocessor}: against Pillow, numpy and PyTorch ({@code preprocess/make_golden.py}), against
 * values worked out by hand, and every bad key of a {@code preprocessor_config.json}.
 */
class PreprocessorTest {

    private static Safetensors golden;

    @BeforeAll
    static void loadGolden() throws IOException {
        try (InputStream in = PreprocessorTest.class.getResourceAsStream("preprocess/golden.safetensors")) {
            golden = Safetensors.read(in.readAllBytes());
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(PreprocessorTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** An 8-bit grey image, {@code rows[y][x]}. */
    private static BufferedImage grey(int[][] rows) {
        BufferedImage img = new BufferedImage(rows[0].length, rows.length, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < rows.length; y++) img.getRaster().setPixels(0, y, rows[y].length, 1, rows[y]);
        return img;
    }

    private static BufferedImage grey(int width, int height, float[] u8, int offset) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) img.getRaster().setSample(x, y, 0, (int) u8[offset + y * width + x]);
        }
        return img;
    }

    private static Preprocessor json(String json, int channels, int size) {
        return Preprocessor.fromJson(json, "test.json", channels, size);
    }

    private static byte[] bytes(float[] u8) {
        byte[] b = new byte[u8.length];
        for (int i = 0; i < u8.length; i++) b[i] = (byte) u8[i];
        return b;
    }

    private static float[] floats(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) f[i] = b[i] & 0xff;
        return f;
    }

    // ---------------------------------------------------------------- the Fashion-MNIST model, against PyTorch

    @Test
    void fashionPaddingMatchesTheTrainingCodeBitForBit() throws IOException {
        // x = u8 / 255 (numpy float32); F.pad(x, (2, 2, 2, 2), value=0); (x - 0.2860) / 0.3530 (torch float32)
        Tensor u8 = golden.tensor("fashion.u8");
        float[] want = golden.tensor("fashion.out").data();
        Preprocessor p = Preprocessor.fromJson(resource("preprocess/fashion_preprocessor_config.json"), 1, 32);
        assertEquals("resize to 28x28 bilinear, pad 28x28 -> 32x32, /255, normalise mean [0.286] std [0.353]",
                p.describe());
        Preprocessor noResize = json("""
                {"do_resize": false, "do_pad": true, "pad_size": {"height": 32, "width": 32},
                 "rescale_factor": 0.00392156862745098, "image_mean": [0.286], "image_std": [0.353]}""", 1, 32);
        assertEquals("pad to 32x32, /255, normalise mean [0.286] std [0.353]", noResize.describe());
        int n = (int) u8.shape()[0];
        assertEquals(8, n);
        float[] batch = new float[n * 32 * 32 + 5];
        for (int i = 0; i < n; i++) {
            BufferedImage img = grey(28, 28, u8.data(), i * 28 * 28);
            float[] w = Arrays.copyOfRange(want, i * 32 * 32, (i + 1) * 32 * 32);
            assertArrayEquals(w, p.apply(img), "image " + i);
            assertArrayEquals(w, noResize.apply(img), "image " + i + " without the (identity) resize");
            p.apply(img, batch, 5 + i * 32 * 32);
        }
        assertArrayEquals(Arrays.copyOf(want, n * 32 * 32), Arrays.copyOfRange(batch, 5, batch.length));
        assertEquals(0f, batch[4]);
    }

    @Test
    void fashionThroughAPngFile(@TempDir Path dir) throws IOException {
        Tensor u8 = golden.tensor("fashion.u8");
        Path png = dir.resolve("item.png");
        assertTrue(ImageIO.write(grey(28, 28, u8.data(), 0), "png", png.toFile()));
        Preprocessor p = Preprocessor.fromJson(resource("preprocess/fashion_preprocessor_config.json"), 1, 32);
        assertArrayEquals(Arrays.copyOf(golden.tensor("fashion.out").data(), 32 * 32), p.apply(Images.read(png)));
    }

    // ---------------------------------------------------------------- by hand

    @Test
    void twoByTwoGreyPaddedToFourByFour() {
        Preprocessor p = json("""
                {"do_resize": false, "do_pad": true, "pad_size": {"height": 4, "width": 4},
                 "image_mean": 0.5, "image_std": 0.25}""", 1, 4);
        float[] out = p.apply(grey(new int[][] {{0, 255}, {51, 102}}));
        // padding is pixel 0: (0 - 0.5) / 0.25 = -2. 255 / 255 = 1: (1 - 0.5) / 0.25 = 2.
        // 51 / 255f = 0.2f (the float just above 0.2); 0.2f - 0.5f rounds to -0.3000000119f, times 4 = -1.2f.
        // 102 / 255f = 0.4f (just above 0.4); 0.4f - 0.5f = -0.099999994f exactly, times 4 = -0.39999998f.
        float[] want = {
                -2, -2, -2, -2,
                -2, -2, 2, -2,
                -2, -1.2f, -0.39999998f, -2,
                -2, -2, -2, -2};
        assertArrayEquals(want, out);
    }

    @Test
    void oddPaddingPutsTheExtraRowAndColumnAtTheBottomAndRight() {
        Preprocessor p = json("""
                {"do_resize": false, "do_pad": true, "pad_size": {"height": 5, "width": 5},
                 "do_rescale": false, "do_normalize": false}""", 3, 5);
        BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0x0a141e);
        rgb.setRGB(1, 0, 0x28323c);
        rgb.setRGB(0, 1, 0x46505a);
        rgb.setRGB(1, 1, 0x646e78);
        float[] out = p.apply(rgb);
        float[] red = {
                0, 0, 0, 0, 0,
                0, 10, 40, 0, 0,
                0, 70, 100, 0, 0,
                0, 0, 0, 0, 0,
                0, 0, 0, 0, 0};
        float[] blue = {
                0, 0, 0, 0, 0,
                0, 30, 60, 0, 0,
                0, 90, 120, 0, 0,
                0, 0, 0, 0, 0,
                0, 0, 0, 0, 0};
        assertArrayEquals(red, Arrays.copyOfRange(out, 0, 25));
        assertArrayEquals(blue, Arrays.copyOfRange(out, 50, 75));
        assertEquals("pad to 5x5, pixel values 0..255 unscaled", p.describe());
    }

    @Test
    void centreCropOffsetsRoundHalfToEven() {
        // 6 x 4, pixel 10 x + y. Crop 3 x 3: left = round(1.5) = 2, top = round(0.5) = 0.
        int[][] rows = new int[4][6];
        for (int y = 0; y < 4; y++) for (int x = 0; x < 6; x++) rows[y][x] = 10 * x + y;
        Preprocessor p = json("""
                {"do_resize": false, "do_center_crop": true, "crop_size": 3, "do_rescale": false, "do_normalize": false}""",
                1, 3);
        assertArrayEquals(new float[] {20, 30, 40, 21, 31, 41, 22, 32, 42}, p.apply(grey(rows)));
        // 5 x 4, crop 2 x 2: left = round(1.5) = 2, top = round(1.0) = 1.
        int[][] rows5 = new int[4][5];
        for (int y = 0; y < 4; y++) for (int x = 0; x < 5; x++) rows5[y][x] = 10 * x + y;
        Preprocessor p2 = json("""
                {"do_resize": false, "do_center_crop": true, "crop_size": {"height": 2, "width": 2},
                 "do_rescale": false, "do_normalize": false}""", 1, 2);
        assertArrayEquals(new float[] {21, 31, 22, 32}, p2.apply(grey(rows5)));
    }

    @Test
    void aCropLargerThanTheImagePadsAsTorchvision() {
        // 3 x 1 cropped to 4 x 4: width pads (4-3)//2 = 0 left, 1 right; height (4-1)//2 = 1 top, 2 bottom.
        Preprocessor p = json("""
                {"do_resize": false, "do_center_crop": true, "crop_size": 4, "do_rescale": false,
                 "image_mean": 1, "image_std": 2}""", 1, 4);
        float z = -0.5f;   // (0 - 1) / 2
        float[] want = {
                z, z, z, z,
                2, 4.5f, 9.5f, z,     // (5-1)/2, (10-1)/2, (20-1)/2
                z, z, z, z,
                z, z, z, z};
        assertArrayEquals(want, p.apply(grey(new int[][] {{5, 10, 20}})));
    }

    @Test
    void colourToGreyIsPillowsRgb2l() {
        Preprocessor p = json("{\"do_resize\": false, \"do_rescale\": false, \"do_normalize\": false}", 1, 1);
        BufferedImage rgb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0xc86432);   // (200, 100, 50)
        // (200*19595 + 100*38470 + 50*7471 + 32768) >> 16 = 8172318 >> 16 = 124
        assertArrayEquals(new float[] {124}, p.apply(rgb));
        rgb.setRGB(0, 0, 0xffffff);
        assertArrayEquals(new float[] {255}, p.apply(rgb));
    }

    @Test
    void rescaleBy255DividesAndOtherFactorsMultiply() {
        Preprocessor by255 = json("{\"do_resize\": false, \"rescale_factor\": 0.00392156862745098, \"do_normalize\": false}", 1, 1);
        Preprocessor dflt = json("{\"do_resize\": false, \"do_normalize\": false}", 1, 1);
        Preprocessor half = json("{\"do_resize\": false, \"rescale_factor\": 0.5, \"do_normalize\": false}", 1, 1);
        Preprocessor odd = json("{\"do_resize\": false, \"rescale_factor\": 0.00784313725490196, \"do_normalize\": false}", 1, 1);
        int differs = 0;
        for (int v = 0; v < 256; v++) {
            BufferedImage img = grey(new int[][] {{v}});
            assertEquals(v / 255f, by255.apply(img)[0], "pixel " + v);
            assertEquals(v / 255f, dflt.apply(img)[0], "pixel " + v);
            assertEquals(v * 0.5f, half.apply(img)[0]);
            assertEquals(v * (float) (2 / 255.0), odd.apply(img)[0]);
            if (v / 255f != v * (float) (1 / 255.0)) differs++;
        }
        assertTrue(differs > 0, "multiplying by (float) (1/255) would differ for some pixels");
        assertEquals("x0.5", half.describe());
    }

    // ---------------------------------------------------------------- against Pillow

    @Test
    void everyFilterMatchesPillowsResize() throws IOException {
        int checked = 0;
        for (String name : new String[] {"rgb_97x61", "gray_13x9", "wide_300x7"}) {
            BufferedImage img = Images.read(resource("images/" + name + ".png"));
            boolean isGrey = name.startsWith("gray");
            byte[][] planes = isGrey ? new byte[][] {Images.toL8(img)} : Images.toRgb8(img);
            int w = img.getWidth(), h = img.getHeight();
            for (Map.Entry<String, Tensor> e : entries("resize/" + name + "/")) {
                String[] parts = e.getKey().split("/");
                Resampling.Filter filter = Resampling.Filter.ofCode(Integer.parseInt(parts[2]));
                String[] wh = parts[3].split("x");
                int ow = Integer.parseInt(wh[0]), oh = Integer.parseInt(wh[1]);
                float[] want = e.getValue().data();
                for (int c = 0; c < planes.length; c++) {
                    float[] got = floats(Resampling.resize(planes[c], w, h, ow, oh, filter));
                    float[] wantPlane = new float[ow * oh];
                    for (int i = 0; i < ow * oh; i++) wantPlane[i] = want[i * planes.length + c];
                    assertArrayEquals(wantPlane, got, e.getKey() + " channel " + c);
                }
                checked++;
            }
        }
        assertEquals(6 * 14, checked);
        byte[] src = bytes(golden.tensor("random.src").data());
        int random = 0;
        for (Map.Entry<String, Tensor> e : entries("random/")) {
            String[] parts = e.getKey().split("/");
            String[] wh = parts[2].split("x");
            int ow = Integer.parseInt(wh[0]), oh = Integer.parseInt(wh[1]);
            Resampling.Filter filter = Resampling.Filter.ofCode(Integer.parseInt(parts[1]));
            assertArrayEquals(e.getValue().data(), floats(Resampling.resize(src, 23, 17, ow, oh, filter)), e.getKey());
            random++;
        }
        assertTrue(random >= 6 * 10, "random cases: " + random);
    }

    private static List<Map.Entry<String, Tensor>> entries(String prefix) {
        List<Map.Entry<String, Tensor>> list = new ArrayList<>();
        for (String name : golden.names()) {
            if (name.startsWith(prefix)) list.add(Map.entry(name, golden.tensor(name)));
        }
        return list;
    }

    @Test
    void greyConversionMatchesPillowsConvertL() throws IOException {
        Preprocessor raw = null;
        for (String name : new String[] {"rgb_97x61", "gray_13x9", "rgba_40x50", "palette_30x30", "wide_300x7"}) {
            BufferedImage img = Images.read(resource("images/" + name + ".png"));
            float[] want = golden.tensor("L/" + name).data();
            assertArrayEquals(want, floats(Images.toL8(img)), name);
            if (img.getWidth() == img.getHeight()) {
                raw = json("{\"do_resize\": false, \"do_rescale\": false, \"do_normalize\": false}", 1, img.getWidth());
                assertArrayEquals(want, raw.apply(img), name + " through the preprocessor");
            }
        }
        assertTrue(raw != null);
    }

    @Test
    void wholePipelinesMatchPillowAndNumpy() throws IOException {
        check("shortest_crop_rgb", "rgb_97x61", 3, 32, """
                {"size": {"shortest_edge": 40}, "resample": 3, "do_center_crop": true, "crop_size": 32,
                 "image_mean": [0.5, 0.4, 0.3], "image_std": [0.2, 0.25, 0.3]}""",
                "resize short side to 40 bicubic, centre-crop 32x32, /255, normalise mean [0.5, 0.4, 0.3] std [0.2, 0.25, 0.3]");
        check("exact_lanczos_grey", "rgb_97x61", 1, 32, """
                {"size": {"height": 32, "width": 32}, "resample": 1, "image_mean": 0.45, "image_std": [0.27]}""",
                "resize to 32x32 lanczos, /255, normalise mean [0.45] std [0.27]");
        check("crop_pads_palette", "palette_30x30", 3, 36, """
                {"do_resize": false, "do_center_crop": true, "crop_size": {"height": 32, "width": 34},
                 "do_pad": true, "pad_size": {"height": 36, "width": 36}, "do_rescale": false,
                 "image_mean": [100, 110, 120], "image_std": [50, 60, 70]}""",
                "centre-crop 34x32, pad 34x32 -> 36x36, normalise mean [100.0, 110.0, 120.0] std [50.0, 60.0, 70.0]");
        check("resize_crop_pad_rgba", "rgba_40x50", 3, 32, """
                {"size": {"height": 30, "width": 25}, "resample": 5, "do_center_crop": true, "crop_size": 28,
                 "do_pad": true, "pad_size": {"height": 32, "width": 32}, "rescale_factor": 0.5, "do_normalize": false}""",
                "resize to 25x30 hamming, centre-crop 28x28, pad 28x28 -> 32x32, x0.5");
        check("nearest_grey_wide", "wide_300x7", 1, 16, """
                {"size": 12, "resample": 0, "do_center_crop": true, "crop_size": {"height": 16, "width": 12},
                 "do_pad": true, "pad_size": {"height": 16, "width": 16}, "image_mean": 0.5, "image_std": 0.5}""",
                "resize short side to 12 nearest, centre-crop 12x16, pad 12x16 -> 16x16, /255, normalise mean [0.5] std [0.5]");
    }

    private static void check(String name, String image, int channels, int size, String json, String description)
            throws IOException {
        Preprocessor p = json(json, channels, size);
        assertEquals(description, p.describe(), name);
        assertEquals(channels, p.channels());
        assertEquals(size, p.size());
        assertArrayEquals(golden.tensor("pipeline/" + name).data(), p.apply(Images.read(resource("images/" + image + ".png"))), name);
    }

    // ---------------------------------------------------------------- the ImageNet pipeline

    @Test
    void imagenetIsImagesPreprocessAndMatchesItsGolden() throws IOException {
        Safetensors imagesGolden;
        try (InputStream in = PreprocessorTest.class.getResourceAsStream("images/golden.safetensors")) {
            imagesGolden = Safetensors.read(in.readAllBytes());
        }
        for (String name : new String[] {"rgb_97x61", "gray_13x9", "rgba_40x50", "palette_30x30", "wide_300x7"}) {
            BufferedImage image = Images.read(resource("images/" + name + ".png"));
            for (int size : new int[] {32, 33}) {
                Preprocessor p = Preprocessor.imagenet(size);
                assertArrayEquals(imagesGolden.tensor(name + "@" + size).data(), p.apply(image), name + "@" + size);
                assertArrayEquals(Images.preprocess(image, size), p.apply(image));
            }
        }
        Preprocessor p = Preprocessor.imagenet(224);
        assertEquals(3, p.channels());
        assertEquals(224, p.size());
        assertEquals("resize short side to 256 bicubic, centre-crop 224x224, /255, normalise mean [0.485, 0.456, 0.406]"
                + " std [0.229, 0.224, 0.225]", p.describe());
        assertArrayEquals(Images.preprocess(Images.sample(), 224), p.apply(Images.sample()));
    }

    @Test
    void theImagenetPipelineWrittenAsAConfig() throws IOException {
        Preprocessor config = json("""
                {"size": {"shortest_edge": 256}, "resample": 3, "do_center_crop": true, "crop_size": 224,
                 "image_mean": [0.485, 0.456, 0.406], "image_std": [0.229, 0.224, 0.225]}""", 3, 224);
        assertEquals(Preprocessor.imagenet(224).describe(), config.describe());
        assertArrayEquals(Preprocessor.imagenet(224).apply(Images.sample()), config.apply(Images.sample()));
        BufferedImage rgba = Images.read(resource("images/rgba_40x50.png"));
        assertArrayEquals(Preprocessor.imagenet(224).apply(rgba), config.apply(rgba));
    }

    // ---------------------------------------------------------------- defaults and leniency

    @Test
    void defaultsAreViTImageProcessorsWithoutCropOrPad() {
        Preprocessor p = json("{}", 3, 224);
        assertEquals("resize to 224x224 bilinear, /255, normalise mean [0.5, 0.5, 0.5] std [0.5, 0.5, 0.5]", p.describe());
        Preprocessor nulls = json("""
                {"do_resize": null, "size": null, "resample": null, "do_rescale": null, "rescale_factor": null,
                 "do_normalize": null, "image_mean": null, "image_std": null, "do_center_crop": null, "do_pad": null,
                 "crop_size": 7, "pad_size": {"height": 9, "width": 9},
                 "do_convert_rgb": true, "image_processor_type": "ViTImageProcessor", "something_else": [1, {}]}""", 3, 224);
        assertEquals(p.describe(), nulls.describe());
        BufferedImage img = Images.sample();
        assertArrayEquals(p.apply(img), nulls.apply(img));
        // a disabled step's values are not read
        Preprocessor off = json("""
                {"do_normalize": false, "image_mean": "junk", "image_std": 0, "do_rescale": false, "rescale_factor": -1,
                 "do_center_crop": false, "crop_size": "junk", "do_pad": false, "pad_size": 3}""", 3, 224);
        assertEquals("resize to 224x224 bilinear, pixel values 0..255 unscaled", off.describe());
    }

    // ---------------------------------------------------------------- errors

    private static PreprocessorException bad(String json, int channels, int size, String key, String... words) {
        PreprocessorException e = assertThrows(PreprocessorException.class,
                () -> Preprocessor.fromJson(json, "models/x/preprocessor_config.json", channels, size), json);
        String m = e.getMessage();
        assertEquals(key, e.key(), m);
        assertTrue(m.startsWith("bad preprocessor config models/x/preprocessor_config.json: "), m);
        if (key != null) assertTrue(m.contains(": " + key + ": "), m);
        for (String w : words) assertTrue(m.contains(w), "'" + w + "' in: " + m);
        return e;
    }

    @Test
    void malformedDocuments() {
        bad("{", 3, 224, null, "not valid JSON");
        bad("", 3, 224, null, "empty");
        bad("[1]", 3, 224, null, "expected a JSON object", "an array");
        bad("{} {}", 3, 224, null, "not valid JSON");
        bad("{\"do_resize\": true, \"do_resize\": false}", 3, 224, null, "do_resize");
    }

    @Test
    void badBooleans() {
        for (String key : new String[] {"do_resize", "do_center_crop", "do_pad", "do_rescale", "do_normalize"}) {
            bad("{\"" + key + "\": \"yes\"}", 3, 224, key, "expected true or false", "the string \"yes\"");
            bad("{\"" + key + "\": 1}", 3, 224, key, "expected true or false", "the integer 1");
        }
    }

    @Test
    void badResizes() {
        bad("{\"size\": \"224\"}", 3, 224, "size", "found the string \"224\"");
        bad("{\"size\": 0}", 3, 224, "size", "must be in [1, 16384]", "found 0");
        bad("{\"size\": -32}", 3, 224, "size", "found -32");
        bad("{\"size\": 224.5}", 3, 224, "size", "found the number 224.5");
        bad("{\"size\": [224, 224]}", 3, 224, "size", "an array");
        bad("{\"size\": {\"height\": -1, \"width\": 32}}", 3, 32, "size.height", "found -1");
        bad("{\"size\": {\"height\": 32, \"width\": \"32\"}}", 3, 32, "size.width", "expected an integer");
        bad("{\"size\": {\"height\": 32}}", 3, 32, "size", "missing \"width\"");
        bad("{\"size\": {}}", 3, 32, "size", "missing \"height\"");
        bad("{\"size\": {\"shortest_edge\": 32, \"height\": 32}}", 3, 32, "size", "not both");
        bad("{\"size\": {\"shortest_edge\": 0}}", 3, 32, "size.shortest_edge", "found 0");
        bad("{\"size\": {\"shortest_edge\": 32, \"longest_edge\": 64}}", 3, 32, "size.longest_edge", "not supported");
        bad("{\"size\": 32, \"resample\": 7}", 3, 32, "resample", "0 nearest", "5 hamming", "found 7");
        bad("{\"size\": 32, \"resample\": -1}", 3, 32, "resample", "found -1");
        bad("{\"size\": 32, \"resample\": \"bicubic\"}", 3, 32, "resample", "the string \"bicubic\"");
        bad("{\"size\": 32, \"resample\": 2.0}", 3, 32, "resample", "the number 2.0");
    }

    @Test
    void badCropsAndPads() {
        bad("{\"do_center_crop\": true}", 3, 224, "crop_size", "missing");
        bad("{\"do_center_crop\": true, \"crop_size\": \"x\"}", 3, 224, "crop_size", "the string \"x\"");
        bad("{\"do_center_crop\": true, \"crop_size\": {\"height\": 0, \"width\": 224}}", 3, 224, "crop_size.height", "found 0");
        bad("{\"do_center_crop\": true, \"crop_size\": {\"height\": 224, \"width\": -224}}", 3, 224, "crop_size.width", "found -224");
        bad("{\"do_center_crop\": true, \"crop_size\": {\"shortest_edge\": 224}}", 3, 224, "crop_size.shortest_edge", "not supported");
        bad("{\"do_pad\": true}", 3, 224, "pad_size", "missing");
        bad("{\"do_pad\": true, \"pad_size\": 224}", 3, 224, "pad_size", "expected {\"height\": H, \"width\": W}", "the integer 224");
        bad("{\"do_pad\": true, \"pad_size\": {\"height\": 224, \"width\": -2}}", 3, 224, "pad_size.width", "found -2");
        bad("{\"do_pad\": true, \"pad_size\": {\"height\": 224}}", 3, 224, "pad_size", "missing \"width\"");
        bad("{\"size\": {\"height\": 40, \"width\": 40}, \"do_pad\": true, \"pad_size\": {\"height\": 32, \"width\": 32}}",
                1, 32, "pad_size", "resizing gives 40x40 images", "larger than pad_size 32x32");
        bad("{\"size\": 40, \"do_pad\": true, \"pad_size\": {\"height\": 32, \"width\": 48}}",
                1, 32, "pad_size", "short side is 40");
        bad("{\"do_resize\": false, \"do_center_crop\": true, \"crop_size\": 30, \"do_pad\": true,"
                + " \"pad_size\": {\"height\": 28, \"width\": 32}}", 1, 32, "pad_size", "cropping gives 30x30 images");
    }

    @Test
    void badRescaleAndNormalisation() {
        bad("{\"rescale_factor\": \"1/255\"}", 3, 224, "rescale_factor", "expected a number");
        bad("{\"rescale_factor\": -0.5}", 3, 224, "rescale_factor", "positive", "found -0.5");
        bad("{\"rescale_factor\": 0}", 3, 224, "rescale_factor", "positive");
        bad("{\"rescale_factor\": 1e300}", 3, 224, "rescale_factor", "finite");
        bad("{\"image_mean\": [0.5, 0.5]}", 3, 224, "image_mean", "a list of 3 numbers", "found a list of 2");
        bad("{\"image_mean\": [0.5]}", 3, 224, "image_mean", "found a list of 1");
        bad("{\"image_mean\": [0.5, 0.5]}", 1, 224, "image_mean", "a number or a list of 1 number", "taking 1 channel,");
        bad("{\"image_mean\": [\"a\", 0.5, 0.5]}", 3, 224, "image_mean[0]", "the string \"a\"");
        bad("{\"image_mean\": [0.5, null, 0.5]}", 3, 224, "image_mean[1]", "null");
        bad("{\"image_mean\": {\"r\": 0.5}}", 3, 224, "image_mean", "an object");
        bad("{\"image_mean\": [1e39, 0, 0]}", 3, 224, "image_mean[0]", "finite");
        bad("{\"image_std\": [0.5, 0, 0.5]}", 3, 224, "image_std[1]", "must be > 0", "found 0");
        bad("{\"image_std\": -1}", 3, 224, "image_std", "found -1");
        bad("{\"image_std\": 1e-50}", 3, 224, "image_std", "must be > 0");
        bad("{\"image_std\": true}", 3, 224, "image_std", "a boolean");
    }

    @Test
    void aPipelineOfTheWrongSizeNamesTheKeyThatDecidesIt() {
        bad("{\"size\": {\"height\": 28, \"width\": 28}}", 1, 32, "size",
                "produces 28x28 images but the model takes 32x32");
        bad("{\"size\": {\"height\": 28, \"width\": 32}}", 1, 32, "size", "produces 32x28 images");
        bad("{}", 3, 32, "size", "produces 224x224 images but the model takes 32x32");
        bad("{\"size\": 40, \"do_center_crop\": true, \"crop_size\": 30}", 3, 32, "crop_size", "produces 30x30 images");
        bad("{\"do_resize\": false, \"do_pad\": true, \"pad_size\": {\"height\": 32, \"width\": 32}}", 1, 28, "pad_size",
                "produces 32x32 images but the model takes 28x28");
        bad("{\"size\": 40}", 3, 32, "size", "shortest_edge 40", "never 32x32");
    }

    @Test
    void imagesThePipelineCannotFitAreRefusedWhenApplied() {
        Preprocessor pad = json("{\"do_resize\": false, \"do_pad\": true, \"pad_size\": {\"height\": 32, \"width\": 32}}", 1, 32);
        PreprocessorException e = assertThrows(PreprocessorException.class,
                () -> pad.apply(new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY)));
        assertEquals("pad_size", e.key());
        assertTrue(e.getMessage().contains("test.json") && e.getMessage().contains("40x30")
                && e.getMessage().contains("larger than pad_size 32x32"), e.getMessage());
        assertEquals(32 * 32, pad.apply(new BufferedImage(32, 17, BufferedImage.TYPE_BYTE_GRAY)).length);

        Preprocessor none = json("{\"do_resize\": false}", 1, 32);
        PreprocessorException e2 = assertThrows(PreprocessorException.class,
                () -> none.apply(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY)));
        assertEquals("do_resize", e2.key());
        assertTrue(e2.getMessage().contains("produces a 28x28 image from this 28x28 image but the model takes 32x32"),
                e2.getMessage());

        Preprocessor shortest = json("{\"size\": 32}", 3, 32);
        assertEquals(3 * 32 * 32, shortest.apply(new BufferedImage(50, 50, BufferedImage.TYPE_INT_RGB)).length);
        PreprocessorException e3 = assertThrows(PreprocessorException.class,
                () -> shortest.apply(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB)));
        assertEquals("size", e3.key());
        assertTrue(e3.getMessage().contains("produces a 42x32 image from this 40x30 image"), e3.getMessage());
    }

    @Test
    void badModelShapesAndArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> json("{}", 2, 224));
        assertTrue(e.getMessage().contains("2 channels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> json("{}", 4, 224));
        assertThrows(IllegalArgumentException.class, () -> json("{}", 3, 0));
        assertThrows(IllegalArgumentException.class, () -> Preprocessor.imagenet(0));
        assertThrows(IllegalArgumentException.class, () -> Preprocessor.imagenet(1 << 15));
        Preprocessor p = Preprocessor.imagenet(8);
        assertThrows(IndexOutOfBoundsException.class, () -> p.apply(Images.sample(), new float[3 * 64], 1));
        assertThrows(NullPointerException.class, () -> p.apply(null));
        assertEquals(3 * 8 * 8, Preprocessor.imagenet(8).apply(Images.sample()).length);
    }

    @Test
    void filesAreNamedInErrors(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("preprocessor_config.json");
        Files.writeString(f, "{\"image_std\": [1, 2]}");
        PreprocessorException e = assertThrows(PreprocessorException.class, () -> Preprocessor.fromJson(f, 3, 224));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("image_std"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> Preprocessor.fromJson(dir.resolve("missing.json"), 3, 224));
        PreprocessorException noSource = assertThrows(PreprocessorException.class,
                () -> Preprocessor.fromJson("{\"do_pad\": 1}", null, 3, 224));
        assertEquals("bad preprocessor config: do_pad: expected true or false, found the integer 1", noSource.getMessage());
        assertNull(assertThrows(PreprocessorException.class, () -> Preprocessor.fromJson("nope", null, 3, 224)).key());
    }
}
