package dev.binaryvit.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Turns a picture into the input of a model: {@code [channels][size][size]} floats. Immutable and
 * thread-safe.
 *
 * <p>The steps, in this order, each optional: colour conversion, resize, centre crop, pad,
 * rescale, normalise. They reproduce Pillow and torchvision bit for bit:
 * <ul>
 * <li><b>Colour</b>: 3 channels as PIL's {@code convert('RGB')} (see {@link Images#preprocess});
 *     1 channel as PIL's {@code convert('L')}: grey rasters are read as stored, colour pixels
 *     become {@code (R*19595 + G*38470 + B*7471 + 0x8000) >> 16} (Pillow's {@code rgb2l}),
 *     palettes are looked up first, alpha is dropped. Other channel counts are refused.</li>
 * <li><b>Resize</b>: Pillow's 8-bit {@code Image.resize} with the given filter, antialiased when
 *     shrinking (see {@link Resampling}); the size is either exact or the short side (the long side
 *     becomes {@code int(S * long / short)}, as torchvision's and Hugging Face's resizes).</li>
 * <li><b>Centre crop</b>: torchvision's {@code CenterCrop}: offsets {@code int(round((dim - crop) / 2))}
 *     rounding half to even; along an axis where the image is smaller than the crop, it is padded
 *     with zeros, {@code (crop - dim) // 2} before and the rest after.</li>
 * <li><b>Pad</b>: zero pixels (black) around the image, <em>centred</em>: {@code (pad - dim) / 2}
 *     rows on top and the rest at the bottom, likewise left and right, before rescaling and
 *     normalising, so padded pixels normalise to {@code -mean / std}. This is how the bundled
 *     Fashion-MNIST model was trained (28 x 28 images zero-padded by 2 pixels on each side to
 *     32 x 32: {@code F.pad(x / 255, (2, 2, 2, 2), value=0.0)}, then normalised). It differs from
 *     Hugging Face image processors' {@code do_pad}, which pad at the bottom and right, after
 *     normalising. Padding an image larger than the pad size is an error.</li>
 * <li><b>Rescale</b>: in float32; a factor of 1/255 computes {@code p / 255f}, which is what numpy's
 *     {@code uint8 -> float32 / 255.0} and torchvision's {@code ToTensor} give (multiplying by the
 *     float nearest 1/255 differs in the last bit for some {@code p}); any other factor computes
 *     {@code p * (float) factor}.</li>
 * <li><b>Normalise</b>: {@code (v - (float) mean[c]) / (float) std[c]} in float32.</li>
 * </ul>
 * Sizes in messages and in {@link #describe()} are width x height.
 */
public final class Preprocessor {

    private static final int MAX_SIZE = 1 << 14;
    private static final double ONE_255 = 1.0 / 255.0;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String source;                // the config named in errors; null for imagenet()
    private final int channels;
    private final int size;
    private final Resampling.Filter filter;     // null: no resize
    private final int resizeWidth;              // exact resize, or 0
    private final int resizeHeight;
    private final int shortestEdge;             // short-side resize, or 0
    private final int cropWidth;                // 0: no crop
    private final int cropHeight;
    private final int padWidth;                 // 0: no padding
    private final int padHeight;
    private final double rescale;               // 0: no rescale
    private final float[] mean;                 // null: no normalisation
    private final float[] std;
    private final float[][] value;              // [channel][8-bit pixel] -> model input
    private final String description;

    private Preprocessor(String source, int channels, int size, Resampling.Filter filter, int resizeWidth,
                         int resizeHeight, int shortestEdge, int cropWidth, int cropHeight, int padWidth,
                         int padHeight, double rescale, float[] mean, float[] std) {
        this.source = source;
        this.channels = channels;
        this.size = size;
        this.filter = filter;
        this.resizeWidth = resizeWidth;
        this.resizeHeight = resizeHeight;
        this.shortestEdge = shortestEdge;
        this.cropWidth = cropWidth;
        this.cropHeight = cropHeight;
        this.padWidth = padWidth;
        this.padHeight = padHeight;
        this.rescale = rescale;
        this.mean = mean;
        this.std = std;
        checkFinalSize();
        boolean by255 = Math.abs(rescale - ONE_255) <= 1e-12;
        float factor = (float) rescale;
        value = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < 256; p++) {
                float v = rescale == 0 ? (float) p : by255 ? p / 255f : p * factor;
                if (mean != null) v = (v - mean[c]) / std[c];
                value[c][p] = v;
            }
        }
        description = describe(by255);
    }

    // ---------------------------------------------------------------- construction

    /**
     * The official ImageNet evaluation pipeline of {@link Images#preprocess} (3 channels): resize
     * the short side to {@code int(256/224 * size)} with antialiased bicubic, centre-crop
     * {@code size x size}, divide by 255, normalise with the ImageNet mean and std.
     */
    public static Preprocessor imagenet(int size) {
        checkModel(3, size);
        return new Preprocessor(null, 3, size, Resampling.Filter.BICUBIC, 0, 0, (int) (256.0 / 224.0 * size),
                size, size, 0, 0, ONE_255, Images.MEAN.clone(), Images.STD.clone());
    }

    /**
     * Reads a Hugging Face {@code preprocessor_config.json} for a model taking {@code channels}
     * channels of {@code size x size} pixels.
     *
     * <p>Keys read (JSON {@code null} counts as absent; unknown keys and {@code do_convert_rgb} are
     * ignored; the values of a step whose {@code do_*} is false are not read):
     * <table>
     * <caption>preprocessor_config.json keys</caption>
     * <tr><th>key</th><th>value</th><th>absent</th></tr>
     * <tr><td>{@code do_resize}</td><td>boolean</td><td>true</td></tr>
     * <tr><td>{@code size}</td><td>{@code {"height": H, "width": W}}: exactly that;
     *     {@code {"shortest_edge": S}} or an integer S: the short side to S</td><td>224 x 224</td></tr>
     * <tr><td>{@code resample}</td><td>PIL code: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming</td><td>2</td></tr>
     * <tr><td>{@code do_center_crop}</td><td>boolean</td><td>false</td></tr>
     * <tr><td>{@code crop_size}</td><td>{@code {"height": H, "width": W}} or an integer (square)</td><td>error if cropping</td></tr>
     * <tr><td>{@code do_pad}</td><td>boolean</td><td>false</td></tr>
     * <tr><td>{@code pad_size}</td><td>{@code {"height": H, "width": W}}, centred zero padding</td><td>error if padding</td></tr>
     * <tr><td>{@code do_rescale}</td><td>boolean</td><td>true</td></tr>
     * <tr><td>{@code rescale_factor}</td><td>number &gt; 0</td><td>1/255</td></tr>
     * <tr><td>{@code do_normalize}</td><td>boolean</td><td>true</td></tr>
     * <tr><td>{@code image_mean}, {@code image_std}</td><td>a list of {@code channels} numbers, or one
     *     number for all; std &gt; 0</td><td>0.5</td></tr>
     * </table>
     * The defaults are those of Hugging Face's {@code ViTImageProcessor}, except that cropping and
     * padding are off unless asked for.
     *
     * @throws IOException            if the file cannot be read
     * @throws PreprocessorException  naming the file and the key, for every problem, including a
     *                                pipeline that cannot give {@code size x size} images
     * @throws IllegalArgumentException if {@code channels} is not 1 or 3, or {@code size} not in [1, 16384]
     */
    public static Preprocessor fromJson(Path file, int channels, int size) throws IOException {
        checkModel(channels, size);
        byte[] bytes = Files.readAllBytes(file);
        return new Parser(file.toString(), channels, size).parse(bytes);
    }

    /** Parses the text of a {@code preprocessor_config.json}; {@code source} names it in errors. See {@link #fromJson(Path, int, int)}. */
    public static Preprocessor fromJson(String json, String source, int channels, int size) {
        Objects.requireNonNull(json, "json");
        checkModel(channels, size);
        return new Parser(source, channels, size).parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void checkModel(int channels, int size) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("the model takes " + channels + " channels, but images can only be"
                    + " preprocessed to 1 (grey) or 3 (RGB)");
        }
        if (size < 1 || size > MAX_SIZE) throw new IllegalArgumentException("size " + size + " out of [1, " + MAX_SIZE + "]");
    }

    /** Refuses, naming the key that decides it, a pipeline whose images cannot be {@code size x size}. */
    private void checkFinalSize() {
        int w = -1, h = -1;          // known output size, -1: depends on the image
        int shortSide = -1;          // known short side (after a shortest_edge resize)
        String key = null;
        if (filter != null) {
            key = "size";
            if (shortestEdge > 0) {
                shortSide = shortestEdge;
            } else {
                w = resizeWidth;
                h = resizeHeight;
            }
        }
        if (cropWidth > 0) {
            w = cropWidth;
            h = cropHeight;
            shortSide = -1;
            key = "crop_size";
        }
        if (padWidth > 0) {
            if (w > padWidth || h > padHeight || shortSide > Math.min(padWidth, padHeight)) {
                String what = w > 0 ? w + "x" + h + " images" : "images whose short side is " + shortSide;
                throw error("pad_size", (key.equals("size") ? "resizing gives " : "cropping gives ") + what
                        + ", larger than pad_size " + padWidth + "x" + padHeight + " (padding cannot shrink them)");
            }
            w = padWidth;
            h = padHeight;
            shortSide = -1;
            key = "pad_size";
        }
        if (w > 0 && (w != size || h != size)) {
            throw error(key, "produces " + w + "x" + h + " images but the model takes " + size + "x" + size);
        }
        if (shortSide > 0 && shortSide != size) {
            throw error(key, "shortest_edge " + shortSide + " resizes the short side to " + shortSide
                    + " and keeps the aspect ratio, so the images are never " + size + "x" + size
                    + ", the size the model takes (add do_center_crop and crop_size " + size + ")");
        }
    }

    private PreprocessorException error(String key, String problem) {
        return new PreprocessorException(source, key, problem, null);
    }

    // ---------------------------------------------------------------- use

    /** Channels of the output: 1 (grey) or 3 (RGB). */
    public int channels() {
        return channels;
    }

    /** Side of the square output in pixels. */
    public int size() {
        return size;
    }

    /**
     * The model input for {@code image}.
     *
     * @return {@code [channels][size][size]} floats, channel-major, rows top to bottom
     * @throws PreprocessorException if this pipeline cannot bring this image to {@code size x size}
     *         (a short-side resize of a non-square image without a crop, no resize and no crop of
     *         an image of another size, or an image larger than the pad size)
     */
    public float[] apply(BufferedImage image) {
        float[] out = new float[channels * size * size];
        apply(image, out, 0);
        return out;
    }

    /** Writes {@link #apply(BufferedImage) apply(image)} to {@code out[offset ..]}. */
    public void apply(BufferedImage image, float[] out, int offset) {
        Objects.requireNonNull(image, "image");
        Objects.checkFromIndexSize(offset, channels * size * size, out.length);
        int w = image.getWidth();
        int h = image.getHeight();
        if (w < 1 || h < 1) throw new IllegalArgumentException("empty image " + w + "x" + h);

        // The resized size (torchvision / Hugging Face truncate the long side of a short-side resize).
        int rw = w, rh = h;
        if (filter != null) {
            if (shortestEdge > 0) {
                if (w <= h) {
                    rw = shortestEdge;
                    rh = (int) ((double) shortestEdge * h / w);
                } else {
                    rh = shortestEdge;
                    rw = (int) ((double) shortestEdge * w / h);
                }
                if (rw < 1 || rh < 1 || rw > 1 << 30 || rh > 1 << 30) {
                    throw error("size", "a " + w + "x" + h + " image would be resized to " + rw + "x" + rh);
                }
            } else {
                rw = resizeWidth;
                rh = resizeHeight;
            }
        }
        // Where the part of the resized image that survives cropping lands in the output.
        int[] x = window(rw, cropWidth, padWidth);
        int[] y = window(rh, cropHeight, padHeight);
        if (x == null || y == null) {
            throw error("pad_size", "the " + w + "x" + h + " image is " + cropped(rw, cropWidth) + "x" + cropped(rh, cropHeight)
                    + " before padding, larger than pad_size " + padWidth + "x" + padHeight);
        }
        if (x[3] != size || y[3] != size) {
            String key = padWidth > 0 ? "pad_size" : cropWidth > 0 ? "crop_size" : filter != null ? "size" : "do_resize";
            throw error(key, "produces a " + x[3] + "x" + y[3] + " image from this " + w + "x" + h
                    + " image but the model takes " + size + "x" + size
                    + (filter == null && cropWidth == 0 && padWidth == 0 ? " (no resize, crop or pad is enabled)" : ""));
        }
        Resampling.Axis horizontal = filter == null ? Resampling.Axis.copy(x[0], x[1])
                : Resampling.Axis.of(filter, w, rw, x[0], x[1]);
        Resampling.Axis vertical = filter == null ? Resampling.Axis.copy(y[0], y[1])
                : Resampling.Axis.of(filter, h, rh, y[0], y[1]);

        byte[][] planes = channels == 3 ? Images.toRgb8(image) : new byte[][] {Images.toL8(image)};
        int cols = x[1], rows = y[1], left = x[2], top = y[2];
        byte[] px = new byte[cols * rows];
        for (int c = 0; c < channels; c++) {
            if (c == 0 || planes[c] != planes[c - 1]) {   // a grey image's RGB planes are one array
                Resampling.resample(planes[c], w, horizontal, vertical, px, 0, cols);
            }
            float[] v = value[c];
            float zero = v[0];
            int plane = offset + c * size * size;
            for (int r = 0; r < size; r++) {
                int o = plane + r * size;
                int iy = r - top;
                if (iy < 0 || iy >= rows) {
                    Arrays.fill(out, o, o + size, zero);
                    continue;
                }
                Arrays.fill(out, o, o + left, zero);
                int p = iy * cols;
                for (int i = 0; i < cols; i++) out[o + left + i] = v[px[p + i] & 0xff];
                Arrays.fill(out, o + left + cols, o + size, zero);
            }
        }
    }

    private static int cropped(int dim, int crop) {
        return crop > 0 ? crop : dim;
    }

    /**
     * One axis of the resized image through crop and pad: {@code {first, count, at, total}}: samples
     * {@code [first, first + count)} of the resized axis land at {@code [at, at + count)} of an output
     * of {@code total} samples, the rest being zeros. Null if the padding is smaller than the image.
     */
    private static int[] window(int dim, int crop, int pad) {
        int first = 0, count = dim, at = 0;
        if (crop > 0) {
            if (crop > dim) {
                at = (crop - dim) / 2;                                   // torchvision pads, then crops at 0
            } else {
                first = (int) Math.rint((dim - crop) / 2.0);             // round half to even, as Python
                count = crop;
            }
            dim = crop;
        }
        if (pad > 0) {
            if (dim > pad) return null;
            at += (pad - dim) / 2;
            dim = pad;
        }
        return new int[] {first, count, at, dim};
    }

    /**
     * One line describing the pipeline, e.g. {@code "pad to 32x32, /255, normalise mean [0.286] std [0.353]"}
     * or {@code "resize short side to 256 bicubic, centre-crop 224x224, /255, normalise mean [...] std [...]"}.
     */
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "Preprocessor[" + channels + "x" + size + "x" + size + ": " + description + "]";
    }

    private String describe(boolean by255) {
        List<String> steps = new ArrayList<>();
        int w = -1, h = -1;
        if (filter != null) {
            if (shortestEdge > 0) {
                steps.add("resize short side to " + shortestEdge + " " + filter.label);
            } else {
                steps.add("resize to " + resizeWidth + "x" + resizeHeight + " " + filter.label);
                w = resizeWidth;
                h = resizeHeight;
            }
        }
        if (cropWidth > 0) {
            steps.add("centre-crop " + cropWidth + "x" + cropHeight);
            w = cropWidth;
            h = cropHeight;
        }
        if (padWidth > 0) {
            steps.add(w > 0 ? "pad " + w + "x" + h + " -> " + padWidth + "x" + padHeight : "pad to " + padWidth + "x" + padHeight);
        }
        if (rescale != 0) steps.add(by255 ? "/255" : "x" + rescale);
        if (mean != null) steps.add("normalise mean " + list(mean) + " std " + list(std));
        if (rescale == 0 && mean == null) steps.add("pixel values 0..255 unscaled");
        return String.join(", ", steps);
    }

    private static String list(float[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(v[i]);
        return b.append(']').toString();
    }

    // ---------------------------------------------------------------- JSON

    /** Reads one config; every error names {@link #source} and the key. */
    private record Parser(String source, int channels, int size) {

        private static final Set<String> HEIGHT_WIDTH = Set.of("height", "width");

        Preprocessor parse(byte[] bytes) {
            JsonNode root;
            try {
                root = JSON.readTree(bytes);
            } catch (JacksonException e) {
                throw new PreprocessorException(source, null, "not valid JSON: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new PreprocessorException(source, null, "not valid JSON: " + e.getMessage(), e);
            }
            if (root == null || root.isMissingNode()) throw error(null, "empty document (expected a JSON object)");
            if (!root.isObject()) throw error(null, "expected a JSON object, found " + kind(root));
            ObjectNode o = (ObjectNode) root;

            Resampling.Filter filter = null;
            int resizeWidth = 0, resizeHeight = 0, shortest = 0;
            if (bool(o, "do_resize", true)) {
                JsonNode n = present(o, "size");
                if (n == null) {
                    resizeWidth = resizeHeight = 224;
                } else if (n.isIntegralNumber()) {
                    shortest = toInt(n, "size", 1, MAX_SIZE);
                } else if (n.isObject()) {
                    Map<String, JsonNode> fields = fields(n, "size", Set.of("height", "width", "shortest_edge"));
                    if (fields.containsKey("shortest_edge")) {
                        if (fields.size() > 1) {
                            throw error("size", "give either \"height\" and \"width\" or \"shortest_edge\", not both");
                        }
                        shortest = toInt(fields.get("shortest_edge"), "size.shortest_edge", 1, MAX_SIZE);
                    } else {
                        int[] hw = heightWidth(fields, "size");
                        resizeHeight = hw[0];
                        resizeWidth = hw[1];
                    }
                } else {
                    throw error("size", "expected {\"height\": H, \"width\": W}, {\"shortest_edge\": S} or an integer,"
                            + " found " + kind(n));
                }
                JsonNode r = present(o, "resample");
                if (r == null) {
                    filter = Resampling.Filter.BILINEAR;
                } else {
                    String codes = "a PIL resampling code (0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)";
                    if (!r.isIntegralNumber()) throw error("resample", "expected " + codes + ", found " + kind(r));
                    filter = r.canConvertToLong() ? Resampling.Filter.ofCode(r.longValue()) : null;
                    if (filter == null) throw error("resample", "expected " + codes + ", found " + r.asText());
                }
            }

            int cropWidth = 0, cropHeight = 0;
            if (bool(o, "do_center_crop", false)) {
                JsonNode n = present(o, "crop_size");
                if (n == null) throw error("crop_size", "missing (do_center_crop is true)");
                if (n.isIntegralNumber()) {
                    cropWidth = cropHeight = toInt(n, "crop_size", 1, MAX_SIZE);
                } else if (n.isObject()) {
                    int[] hw = heightWidth(fields(n, "crop_size", HEIGHT_WIDTH), "crop_size");
                    cropHeight = hw[0];
                    cropWidth = hw[1];
                } else {
                    throw error("crop_size", "expected {\"height\": H, \"width\": W} or an integer, found " + kind(n));
                }
            }

            int padWidth = 0, padHeight = 0;
            if (bool(o, "do_pad", false)) {
                JsonNode n = present(o, "pad_size");
                if (n == null) throw error("pad_size", "missing (do_pad is true)");
                if (!n.isObject()) throw error("pad_size", "expected {\"height\": H, \"width\": W}, found " + kind(n));
                int[] hw = heightWidth(fields(n, "pad_size", HEIGHT_WIDTH), "pad_size");
                padHeight = hw[0];
                padWidth = hw[1];
            }

            double rescale = 0;
            if (bool(o, "do_rescale", true)) {
                JsonNode n = present(o, "rescale_factor");
                if (n == null) {
                    rescale = ONE_255;
                } else {
                    if (!n.isNumber()) throw error("rescale_factor", "expected a number, found " + kind(n));
                    rescale = n.doubleValue();
                    float f = (float) rescale;
                    if (!(f > 0f) || !Float.isFinite(f)) {
                        throw error("rescale_factor", "must be a positive finite number, found " + n.asText());
                    }
                }
            }

            float[] mean = null, std = null;
            if (bool(o, "do_normalize", true)) {
                mean = perChannel(o, "image_mean", false);
                std = perChannel(o, "image_std", true);
            }
            return new Preprocessor(source, channels, size, filter, resizeWidth, resizeHeight, shortest,
                    cropWidth, cropHeight, padWidth, padHeight, rescale, mean, std);
        }

        /** {@code channels} floats from a list of that many numbers or from one number; 0.5 each if absent. */
        private float[] perChannel(ObjectNode o, String key, boolean positive) {
            JsonNode n = present(o, key);
            float[] v = new float[channels];
            if (n == null) {
                Arrays.fill(v, 0.5f);
                return v;
            }
            String expected = channels == 1 ? "a number or a list of 1 number"
                    : "a list of " + channels + " numbers (one per channel) or one number";
            if (n.isNumber()) {
                Arrays.fill(v, toFloat(n, key, positive));
            } else if (n.isArray()) {
                if (n.size() != channels) {
                    throw error(key, "expected " + expected + " for a model taking " + channels
                            + (channels == 1 ? " channel" : " channels") + ", found a list of " + n.size());
                }
                for (int c = 0; c < channels; c++) v[c] = toFloat(n.get(c), key + "[" + c + "]", positive);
            } else {
                throw error(key, "expected " + expected + ", found " + kind(n));
            }
            return v;
        }

        private float toFloat(JsonNode n, String key, boolean positive) {
            if (!n.isNumber()) throw error(key, "expected a number, found " + kind(n));
            float f = (float) n.doubleValue();
            if (!Float.isFinite(f)) throw error(key, "must be a finite number, found " + n.asText());
            if (positive && !(f > 0f)) throw error(key, "must be > 0 (it divides), found " + n.asText());
            return f;
        }

        /** The non-null fields of object {@code n}, refusing names outside {@code allowed}. */
        private Map<String, JsonNode> fields(JsonNode n, String key, Set<String> allowed) {
            Map<String, JsonNode> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (e.getValue().isNull()) continue;
                if (!allowed.contains(e.getKey())) {
                    throw error(key + "." + e.getKey(), "not supported (" + key + " takes "
                            + (allowed.size() == 2 ? "\"height\" and \"width\"" : "\"height\" and \"width\", or \"shortest_edge\"") + ")");
                }
                m.put(e.getKey(), e.getValue());
            }
            return m;
        }

        /** {@code {height, width}} of a size object. */
        private int[] heightWidth(Map<String, JsonNode> fields, String key) {
            for (String name : new String[] {"height", "width"}) {
                if (!fields.containsKey(name)) {
                    throw error(key, "missing \"" + name + "\" (expected {\"height\": H, \"width\": W})");
                }
            }
            return new int[] {toInt(fields.get("height"), key + ".height", 1, MAX_SIZE),
                    toInt(fields.get("width"), key + ".width", 1, MAX_SIZE)};
        }

        private boolean bool(ObjectNode o, String key, boolean dflt) {
            JsonNode n = present(o, key);
            if (n == null) return dflt;
            if (!n.isBoolean()) throw error(key, "expected true or false, found " + kind(n));
            return n.booleanValue();
        }

        private int toInt(JsonNode n, String key, int min, int max) {
            if (!n.isIntegralNumber()) throw error(key, "expected an integer, found " + kind(n));
            if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
                throw error(key, "must be in [" + min + ", " + max + "], found " + n.asText());
            }
            return (int) n.longValue();
        }

        private PreprocessorException error(String key, String problem) {
            return new PreprocessorException(source, key, problem, null);
        }

        private static JsonNode present(ObjectNode o, String key) {
            JsonNode n = o.get(key);
            return n == null || n.isNull() ? null : n;
        }

        private static String kind(JsonNode n) {
            return switch (n.getNodeType()) {
                case ARRAY -> "an array";
                case OBJECT, POJO -> "an object";
                case STRING -> "the string \"" + n.textValue() + "\"";
                case BOOLEAN -> "a boolean";
                case NULL -> "null";
                case NUMBER -> n.isIntegralNumber() ? "the integer " + n.asText() : "the number " + n.asText();
                default -> n.getNodeType().toString().toLowerCase(Locale.ROOT);
            };
        }
    }
}
