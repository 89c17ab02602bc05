package dev.binaryvit.model;

/**
 * Pillow's 8-bit image resizing ({@code Image.resize}, Pillow 9.4), reproduced exactly: the
 * antialiased convolution filters of {@code Resample.c} and the {@code NEAREST} mode of
 * {@code Geometry.c}.
 *
 * <p>Convolution filters: per axis, {@code precompute_coeffs} widens the kernel's support by the
 * scale factor when shrinking (antialiasing), normalises each output's weights to sum 1 and
 * converts them to fixed point with 22 fraction bits ({@code normalize_coeffs_8bpc}); the
 * horizontal pass runs first over the source rows the vertical pass needs, each pass rounds
 * (adds 2^21) and clamps to 0..255. An axis whose size does not change is copied, as Pillow
 * skips that pass (every filter's fixed-point weights for an unchanged size are the identity
 * anyway, so this only saves work).
 *
 * <p>{@code NEAREST}: Pillow resizes with an affine scaling ({@code ImagingScaleAffine}) that
 * <em>accumulates</em> the source position: {@code xo = scale / 2}, then {@code xo += scale} per
 * output, source index {@code (int) xo}. That differs in the last bit from
 * {@code (int) ((x + 0.5) * scale)} for some sizes (checked against Pillow 9.4 on 300 random
 * shapes), so the accumulation is kept.
 *
 * <p>Only a window of the resized image is computed: output samples do not depend on each
 * other, so the window is exactly that part of the full resize.
 */
final class Resampling {

    /** Pillow's fixed-point precision for 8-bit resampling: 32 bits - 8 (value) - 2 (headroom). */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampling() {}

    /** Pillow's resampling filters, by their PIL codes ({@code Image.Resampling}). */
    enum Filter {
        NEAREST(0, 0.0, "nearest"),
        LANCZOS(1, 3.0, "lanczos"),
        BILINEAR(2, 1.0, "bilinear"),
        BICUBIC(3, 2.0, "bicubic"),
        BOX(4, 0.5, "box"),
        HAMMING(5, 1.0, "hamming");

        final int code;
        final double support;
        final String label;

        Filter(int code, double support, String label) {
            this.code = code;
            this.support = support;
            this.label = label;
        }

        /** The filter of PIL code {@code code} (0 to 5), or null. */
        static Filter ofCode(long code) {
            for (Filter f : values()) if (f.code == code) return f;
            return null;
        }

        /** The kernel, exactly as {@code Resample.c} computes it in double precision. */
        double kernel(double x) {
            return switch (this) {
                case BOX -> x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
                case BILINEAR -> {
                    if (x < 0) x = -x;
                    yield x < 1.0 ? 1.0 - x : 0.0;
                }
                case HAMMING -> {
                    if (x < 0) x = -x;
                    if (x == 0.0) yield 1.0;
                    if (x >= 1.0) yield 0.0;
                    x = x * Math.PI;
                    yield StrictMath.sin(x) / x * (0.54 + 0.46 * StrictMath.cos(x));
                }
                case BICUBIC -> {
                    final double a = -0.5;
                    if (x < 0) x = -x;
                    if (x < 1.0) yield ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                    if (x < 2.0) yield (((x - 5) * x + 8) * x - 4) * a;
                    yield 0.0;
                }
                case LANCZOS -> -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
                case NEAREST -> throw new IllegalStateException("NEAREST is not a convolution");
            };
        }

        private static double sinc(double x) {
            if (x == 0.0) return 1.0;
            x = x * Math.PI;
            return StrictMath.sin(x) / x;
        }
    }

    /**
     * The fixed-point weights of output samples {@code [first, first + count)} along one axis of a
     * resize from {@code in} to {@code out} samples: output {@code i} is
     * {@code clip8(2^21 + sum_j src[min[i] + j] * k[i * ksize + j])}, {@code j < len[i]}.
     */
    static final class Axis {
        final int ksize;
        final int[] min;
        final int[] len;
        final int[] k;

        private Axis(int ksize, int count) {
            this.ksize = ksize;
            this.min = new int[count];
            this.len = new int[count];
            this.k = new int[count * ksize];
        }

        /** One tap of weight 1 at source sample {@code index[i]} for each output. */
        private static Axis taps(int[] index) {
            Axis a = new Axis(1, index.length);
            for (int i = 0; i < index.length; i++) {
                a.min[i] = index[i];
                a.len[i] = 1;
                a.k[i] = 1 << PRECISION_BITS;
            }
            return a;
        }

        /** Samples {@code [first, first + count)} unchanged. */
        static Axis copy(int first, int count) {
            int[] index = new int[count];
            for (int i = 0; i < count; i++) index[i] = first + i;
            return taps(index);
        }

        /** Outputs {@code [first, first + count)} of a resize from {@code in} to {@code out} samples by {@code filter}. */
        static Axis of(Filter filter, int in, int out, int first, int count) {
            if (first < 0 || count < 0 || first + count > out) {
                throw new IllegalArgumentException("window [" + first + ", " + (first + count) + ") outside 0.." + out);
            }
            if (in == out) return copy(first, count);   // Pillow skips the pass (or copies the image)
            return filter == Filter.NEAREST ? nearest(in, out, first, count) : convolution(filter, in, out, first, count);
        }

        private static Axis nearest(int in, int out, int first, int count) {
            double scale = (double) in / out;
            double xo = scale * 0.5;                            // ImagingScaleAffine: a[2] + a[0] * 0.5
            int[] index = new int[count];
            for (int x = 0; x < first + count; x++) {
                if (x >= first) index[x - first] = Math.min((int) xo, in - 1);   // never clamps in practice
                xo += scale;
            }
            return taps(index);
        }

        private static Axis convolution(Filter filter, int in, int out, int first, int count) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            Axis a = new Axis((int) Math.ceil(support) * 2 + 1, count);
            double[] w = new double[a.ksize];
            double ss = 1.0 / filterScale;
            for (int i = 0; i < count; i++) {
                double center = (first + i + 0.5) * scale;
                int xmin = (int) (center - support + 0.5);      // C casts truncate toward zero, as Java's
                if (xmin < 0) xmin = 0;
                int xmax = (int) (center + support + 0.5);
                if (xmax > in) xmax = in;
                xmax -= xmin;
                double sum = 0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = filter.kernel((x + xmin - center + 0.5) * ss);
                    sum += w[x];
                }
                for (int x = 0; x < xmax; x++) {
                    double v = sum != 0.0 ? w[x] / sum : w[x];
                    double scaled = v * (1 << PRECISION_BITS);
                    a.k[i * a.ksize + x] = (int) (v < 0 ? -0.5 + scaled : 0.5 + scaled);
                }
                a.min[i] = xmin;
                a.len[i] = xmax;
            }
            return a;
        }

        int count() {
            return min.length;
        }
    }

    static int clip8(int acc) {
        if (acc <= 0) return 0;
        return Math.min(acc >> PRECISION_BITS, 255);
    }

    /**
     * Resamples the 8-bit plane {@code src} ({@code width} samples a row, row-major): output
     * {@code (x, y)}, {@code x < horizontal.count()}, {@code y < vertical.count()}, goes to
     * {@code dst[offset + y * stride + x]}. Horizontal pass first, as Pillow.
     */
    static void resample(byte[] src, int width, Axis horizontal, Axis vertical, byte[] dst, int offset, int stride) {
        int cols = horizontal.count();
        int outRows = vertical.count();
        if (cols == 0 || outRows == 0) return;
        // Rows of the source the vertical pass reads: [firstRow, lastRow).
        int firstRow = Integer.MAX_VALUE;
        int lastRow = 0;
        for (int i = 0; i < outRows; i++) {
            firstRow = Math.min(firstRow, vertical.min[i]);
            lastRow = Math.max(lastRow, vertical.min[i] + vertical.len[i]);
        }
        int rows = lastRow - firstRow;
        byte[] tmp = new byte[rows * cols];
        for (int y = 0; y < rows; y++) {
            int row = (firstRow + y) * width;
            for (int x = 0; x < cols; x++) {
                int k0 = x * horizontal.ksize;
                int min = horizontal.min[x];
                int acc = 1 << (PRECISION_BITS - 1);
                for (int j = 0; j < horizontal.len[x]; j++) {
                    acc += (src[row + min + j] & 0xff) * horizontal.k[k0 + j];
                }
                tmp[y * cols + x] = (byte) clip8(acc);
            }
        }
        for (int y = 0; y < outRows; y++) {
            int k0 = y * vertical.ksize;
            int min = vertical.min[y] - firstRow;
            int o = offset + y * stride;
            for (int x = 0; x < cols; x++) {
                int acc = 1 << (PRECISION_BITS - 1);
                for (int j = 0; j < vertical.len[y]; j++) {
                    acc += (tmp[(min + j) * cols + x] & 0xff) * vertical.k[k0 + j];
                }
                dst[o + x] = (byte) clip8(acc);
            }
        }
    }

    /** The whole resize of a {@code width x height} plane to {@code outWidth x outHeight}, as Pillow's {@code Image.resize}. */
    static byte[] resize(byte[] src, int width, int height, int outWidth, int outHeight, Filter filter) {
        if (src.length != width * height) throw new IllegalArgumentException("plane is not " + width + "x" + height);
        byte[] dst = new byte[outWidth * outHeight];
        resample(src, width, Axis.of(filter, width, outWidth, 0, outWidth),
                Axis.of(filter, height, outHeight, 0, outHeight), dst, 0, outWidth);
        return dst;
    }
}
