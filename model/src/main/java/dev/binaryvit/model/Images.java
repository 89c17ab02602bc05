package dev.binaryvit.model;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Image input: decoding with {@code javax.imageio} and the evaluation preprocessing of the official
 * BinaryViT training.
 *
 * <p>The official evaluation transform ({@code datasets.py}, {@code build_transform}, DeiT's) is
 * {@code Resize(int(256/224 * size), interpolation=3)}, {@code CenterCrop(size)}, {@code ToTensor()},
 * {@code Normalize(IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD)} on a PIL image opened with
 * {@code convert('RGB')}. Interpolation 3 is PIL's <b>bicubic</b> (not bilinear), and a PIL image
 * is always resized with antialiasing: when shrinking, the bicubic kernel (a = -0.5) is widened by
 * the scale factor. {@link #preprocess} reproduces that pipeline exactly, including Pillow's 8-bit
 * fixed-point arithmetic (22 fraction bits, horizontal pass first, rounding and clamping to 0..255
 * after each pass), torchvision's truncation of the long side and its half-to-even rounding of the
 * crop offsets, and float32 normalisation.
 */
public final class Images {

    /** ImageNet channel means (timm's {@code IMAGENET_DEFAULT_MEAN}). */
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet channel standard deviations (timm's {@code IMAGENET_DEFAULT_STD}). */
    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    private static final String SAMPLE = "sample.png";

    private Images() {}

    // ---------------------------------------------------------------- reading

    /**
     * Decodes an image file (PNG, JPEG, BMP, GIF, or any format an installed ImageIO plugin reads).
     *
     * @throws ImageException naming the file if it is missing, unreadable, not an image or corrupt
     */
    public static BufferedImage read(Path file) throws IOException {
        checkFile(file);
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            // Decoders throw IIOException for corrupt data, and some plugins runtime exceptions.
            throw new ImageException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new ImageException("not a readable image format (PNG, JPEG, BMP, GIF): " + file);
        }
        if (image.getWidth() < 1 || image.getHeight() < 1) throw new ImageException("empty image: " + file);
        return image;
    }

    /** The checks {@link #read} makes before decoding: {@code file} exists, is not a directory and is readable. */
    static void checkFile(Path file) throws ImageException {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) throw new ImageException("image file not found: " + file);
        if (Files.isDirectory(file)) throw new ImageException("not an image file but a directory: " + file);
        if (!Files.isReadable(file)) throw new ImageException("image file not readable: " + file);
    }

    /** {@link #preprocess preprocess}{@code (read(file), size)}. */
    public static float[] load(Path file, int size) throws IOException {
        return preprocess(read(file), size);
    }

    /**
     * The bundled sample image: a 320 x 240 procedural picture (a sky gradient, a sun, two hills,
     * a little house and a tree), drawn by a short script for this project, so that {@code binaryvit run} has an input without
     * any download. It depicts nothing in particular for an ImageNet classifier.
     */
    public static BufferedImage sample() {
        try (InputStream in = Images.class.getResourceAsStream(SAMPLE)) {
            if (in == null) throw new IllegalStateException("resource " + SAMPLE + " missing from the model jar");
            BufferedImage image = ImageIO.read(in);
            if (image == null) throw new IllegalStateException("resource " + SAMPLE + " is not a PNG");
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- preprocessing

    /**
     * The official evaluation preprocessing (see the class comment): resize the short side to
     * {@code floor(256/224 * size)} with antialiased bicubic, centre-crop {@code size x size},
     * scale to [0, 1] and normalise with the ImageNet mean and std.
     *
     * <p>Colour: the image is first reduced to 8-bit RGB as PIL's {@code convert('RGB')} does:
     * grey is replicated to R, G and B (taken from the raster as stored, with no gamma
     * conversion), palettes are looked up, alpha is dropped (not composited), and 16-bit samples
     * are scaled to 8 bits. Images smaller than the target are upscaled by the same filter.
     *
     * @return {@code [3][size][size]} floats, channel-major (CHW), rows top to bottom
     */
    public static float[] preprocess(BufferedImage image, int size) {
        Objects.requireNonNull(image, "image");
        if (size < 1 || size > 1 << 14) throw new IllegalArgumentException("size " + size + " out of [1, 16384]");
        int w = image.getWidth();
        int h = image.getHeight();
        byte[][] rgb = toRgb8(image);

        // torchvision Resize(int): the short side becomes `target`, the long side int(target * long / short).
        int target = (int) (256.0 / 224.0 * size);
        int outW, outH;
        if (w <= h) {
            outW = target;
            outH = (int) ((double) target * h / w);
        } else {
            outH = target;
            outW = (int) ((double) target * w / h);
        }
        // CenterCrop: offsets int(round((dim - size) / 2)), Python rounding half to even.
        int top = (int) Math.rint((outH - size) / 2.0);
        int left = (int) Math.rint((outW - size) / 2.0);

        Filter horizontal = new Filter(w, outW, left, size);
        Filter vertical = new Filter(h, outH, top, size);
        // Rows of the source the vertical pass reads: [firstRow, lastRow).
        int firstRow = vertical.min[0];
        int lastRow = 0;
        for (int i = 0; i < size; i++) lastRow = Math.max(lastRow, vertical.min[i] + vertical.len[i]);
        int rows = lastRow - firstRow;

        float[] out = new float[3 * size * size];
        byte[] tmp = new byte[rows * size];
        for (int c = 0; c < 3; c++) {
            byte[] src = rgb[c];
            // Horizontal pass over the needed rows, producing only the cropped columns.
            for (int y = 0; y < rows; y++) {
                int row = (firstRow + y) * w;
                for (int x = 0; x < size; x++) {
                    int k0 = x * horizontal.ksize;
                    int min = horizontal.min[x];
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int j = 0; j < horizontal.len[x]; j++) {
                        acc += (src[row + min + j] & 0xff) * horizontal.k[k0 + j];
                    }
                    tmp[y * size + x] = (byte) clip8(acc);
                }
            }
            // Vertical pass, producing only the cropped rows; then ToTensor and Normalize in float32.
            float mean = MEAN[c];
            float std = STD[c];
            int plane = c * size * size;
            for (int y = 0; y < size; y++) {
                int k0 = y * vertical.ksize;
                int min = vertical.min[y] - firstRow;
                for (int x = 0; x < size; x++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int j = 0; j < vertical.len[y]; j++) {
                        acc += (tmp[(min + j) * size + x] & 0xff) * vertical.k[k0 + j];
                    }
                    float v = clip8(acc) / 255f;
                    out[plane + y * size + x] = (v - mean) / std;
                }
            }
        }
        return out;
    }

    /** Pillow's fixed-point precision for 8-bit resampling: 32 bits - 8 (value) - 2 (headroom). */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private static int clip8(int acc) {
        if (acc <= 0) return 0;
        int v = acc >> PRECISION_BITS;
        return Math.min(v, 255);
    }

    /** Pillow's bicubic kernel, a = -0.5. */
    private static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0) x = -x;
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }

    /**
     * Fixed-point resampling coefficients for output positions {@code [first, first + count)} of a
     * resize from {@code in} to {@code out} samples, computed as Pillow's {@code precompute_coeffs}
     * and {@code normalize_coeffs_8bpc} do.
     */
    private static final class Filter {
        final int ksize;
        final int[] min;   // first source sample of each output
        final int[] len;   // number of source samples of each output
        final int[] k;     // [count][ksize] coefficients, scaled by 2^22

        Filter(int in, int out, int first, int count) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = 2.0 * filterScale;               // bicubic support 2, widened when shrinking
            ksize = (int) Math.ceil(support) * 2 + 1;
            min = new int[count];
            len = new int[count];
            k = new int[count * ksize];
            double[] w = new double[ksize];
            for (int i = 0; i < count; i++) {
                double center = (first + i + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = (int) (center - support + 0.5);    // C casts truncate toward zero, as Java's
                if (xmin < 0) xmin = 0;
                int xmax = (int) (center + support + 0.5);
                if (xmax > in) xmax = in;
                xmax -= xmin;
                double sum = 0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = bicubic((x + xmin - center + 0.5) * ss);
                    sum += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = sum != 0 ? w[x] / sum : w[x];
                    double scaled = v * (1 << PRECISION_BITS);
                    k[i * ksize + x] = (int) (v < 0 ? -0.5 + scaled : 0.5 + scaled);
                }
                min[i] = xmin;
                len[i] = xmax;
            }
        }
    }

    /**
     * The image as three 8-bit planes R, G, B (row-major), as PIL's {@code convert('RGB')}: grey
     * rasters are read as stored (Java's {@code getRGB} would apply a linear-to-sRGB curve to them);
     * everything else goes through the colour model to sRGB.
     */
    static byte[][] toRgb8(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] r = new byte[w * h];
        byte[] g = new byte[w * h];
        byte[] b = new byte[w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && raster.getNumBands() <= 2) {
            int bits = cm.getComponentSize(0);
            double max = (1L << bits) - 1;
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int v = bits == 8 ? row[x] : (int) Math.round(row[x] * 255.0 / max);
                    byte bv = (byte) Math.max(0, Math.min(255, v));
                    r[y * w + x] = bv;
                    g[y * w + x] = bv;
                    b[y * w + x] = bv;
                }
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = row[x];
                    r[y * w + x] = (byte) (p >>> 16);
                    g[y * w + x] = (byte) (p >>> 8);
                    b[y * w + x] = (byte) p;
                }
            }
        }
        return new byte[][] {r, g, b};
    }
}
