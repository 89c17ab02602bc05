package dev.binaryvit.model;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
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
 * crop offsets, and float32 normalisation. It is {@link Preprocessor#imagenet}; models with another
 * preprocessing (a {@code preprocessor_config.json}) use {@link Preprocessor#fromJson}.
 */
public final class Images {

    /** ImageNet channel means (timm's {@code IMAGENET_DEFAULT_MEAN}). */
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet channel standard deviations (timm's {@code IMAGENET_DEFAULT_STD}). */
    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    /**
     * The most pixels {@link #read} decodes (8192 x 4096): the size is read from the header first, so
     * a small forged file cannot make the decoder allocate gigabytes for its raster.
     */
    public static final long MAX_PIXELS = 1L << 25;

    private static final String SAMPLE = "sample.png";

    private Images() {}

    // ---------------------------------------------------------------- reading

    /**
     * Decodes an image file (PNG, JPEG, BMP, GIF, or any format an installed ImageIO plugin reads).
     *
     * @throws ImageException naming the file if it is missing, unreadable, not an image, corrupt, or
     *                        larger than {@link #MAX_PIXELS}
     */
    public static BufferedImage read(Path file) throws IOException {
        checkFile(file);
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(BMP_HEAD);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new ImageException("cannot open image " + file);
            return decode(in, head, Files.size(file), file.toString());
        }
    }

    /**
     * Decodes an image held in memory (a file's bytes read elsewhere, e.g. by Spark's
     * {@code binaryFile} source), with the checks of {@link #read}; {@code name} says which image
     * in messages.
     *
     * @throws ImageException naming the image if the bytes are empty, not an image, corrupt, or
     *                        larger than {@link #MAX_PIXELS}
     */
    public static BufferedImage decode(byte[] bytes, String name) throws ImageException {
        Objects.requireNonNull(name, "name");
        if (bytes == null || bytes.length == 0) throw new ImageException("empty file: " + name);
        try (ImageInputStream in = new BytesImageInputStream(bytes)) {
            return decode(in, bytes, bytes.length, name);
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageException("cannot decode image " + name + ": " + e.getMessage(), e);
        }
    }

    /** Decodes the first image of {@code in}, whose first bytes are {@code head} and whose size is {@code size}. */
    private static BufferedImage decode(ImageInputStream in, byte[] head, long size, String name)
            throws ImageException {
        BufferedImage image;
        try {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new ImageException("not a readable image format (PNG, JPEG, BMP, GIF): " + name);
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                // The header's size, checked before the decoder allocates a raster of that size.
                int w = reader.getWidth(0), h = reader.getHeight(0);
                if (w < 1 || h < 1) throw new ImageException("empty image (" + w + "x" + h + "): " + name);
                if ((long) w * h > MAX_PIXELS) {
                    throw new ImageException("image of " + w + "x" + h + " pixels, more than the " + MAX_PIXELS
                            + " this reader decodes: " + name);
                }
                if ("bmp".equalsIgnoreCase(reader.getFormatName())) checkBmp(head, size, name);
                image = reader.read(0, reader.getDefaultReadParam());
            } finally {
                reader.dispose();
            }
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Decoders throw IIOException for corrupt data, and some plugins runtime exceptions.
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            throw new ImageException("cannot decode image " + name + ": " + why, e);
        }
        if (image == null) throw new ImageException("not a readable image: " + name);
        if (image.getWidth() < 1 || image.getHeight() < 1) throw new ImageException("empty image: " + name);
        return image;
    }

    /** Bytes of a BMP's file and info headers up to its image-size field. */
    private static final int BMP_HEAD = 38;

    /**
     * A BMP may embed a JPEG or PNG (compression 4 or 5), and the JDK's reader allocates the size
     * field of the header for it before reading anything: that field may not exceed the file.
     */
    private static void checkBmp(byte[] head, long fileSize, String name) throws ImageException {
        if (head.length < BMP_HEAD) return;   // too short for the fields; the decoder reports the truncation
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        long headerSize = Integer.toUnsignedLong(b.getInt(14));
        long compression = Integer.toUnsignedLong(b.getInt(30));
        long imageSize = Integer.toUnsignedLong(b.getInt(34));
        if (headerSize >= 40 && (compression == 4 || compression == 5) && imageSize > fileSize) {
            throw new ImageException("corrupt BMP: its header announces an embedded " + (compression == 4 ? "JPEG" : "PNG")
                    + " of " + imageSize + " bytes in a file of " + fileSize + ": " + name);
        }
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
     * The official evaluation preprocessing (see the class comment), {@link Preprocessor#imagenet
     * Preprocessor.imagenet}{@code (size).apply(image)}: resize the short side to
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
        return Preprocessor.imagenet(size).apply(image);
    }

    /**
     * The image as three 8-bit planes R, G, B (row-major), as PIL's {@code convert('RGB')}: grey
     * rasters are read as stored (Java's {@code getRGB} would apply a linear-to-sRGB curve to them)
     * and the three planes are then one shared array; everything else goes through the colour
     * model to sRGB.
     */
    static byte[][] toRgb8(BufferedImage image) {
        byte[] grey = greyAsStored(image);
        if (grey != null) return new byte[][] {grey, grey, grey};
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] r = new byte[w * h];
        byte[] g = new byte[w * h];
        byte[] b = new byte[w * h];
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
        return new byte[][] {r, g, b};
    }

    /**
     * The image as one 8-bit grey plane (row-major), as PIL's {@code convert('L')}: grey rasters
     * are read as stored (as {@link #toRgb8}); other pixels are first reduced to 8-bit RGB as
     * {@link #toRgb8} does, then {@code L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16} (Pillow's
     * {@code rgb2l}, ITU-R 601-2 luma in 16-bit fixed point).
     */
    static byte[] toL8(BufferedImage image) {
        byte[] grey = greyAsStored(image);
        if (grey != null) return grey;
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] l = new byte[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int v = ((p >>> 16) & 0xff) * 19595 + ((p >>> 8) & 0xff) * 38470 + (p & 0xff) * 7471 + 0x8000;
                l[y * w + x] = (byte) (v >>> 16);
            }
        }
        return l;
    }

    /** A grey raster (with or without alpha) as its stored samples scaled to 8 bits; null for other images. */
    private static byte[] greyAsStored(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (!(cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && raster.getNumBands() <= 2)) {
            return null;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] grey = new byte[w * h];
        int bits = cm.getComponentSize(0);
        double max = (1L << bits) - 1;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int v = bits == 8 ? row[x] : (int) Math.round(row[x] * 255.0 / max);
                grey[y * w + x] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return grey;
    }
}
