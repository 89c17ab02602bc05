package dev.binaryvit.kernels;

/**
 * Binary weights {@code [M rows x K bits]} with one float scale per row, packed once into the
 * panel layout the GEMM micro-kernel reads: rows are grouped in panels of {@link #panelWidth()}
 * rows, and a panel stores, for each 32-bit half-word h of the rows (bits 32h .. 32h+31, low half of
 * 64-bit word h/2 first), the half-words of its rows side by side: {@code panels[panel][h][row in
 * panel]}. 32-bit lanes let the epilogue turn a vector of dot products into a full-width float
 * vector. Rows past M in the last panel are zero; bits past K are zero. The float weights are not
 * kept.
 */
public final class PackedWeights {

    private final int rows;
    private final int bits;
    private final int words;
    private final int panelWidth;
    private final int[] panels;
    private final float[] scales;

    private PackedWeights(int rows, int bits, int panelWidth, long[] rowMajorWords, float[] scales) {
        this.rows = rows;
        this.bits = bits;
        this.words = BitPacking.words(bits);
        this.panelWidth = panelWidth;
        this.scales = scales;
        int panelCount = (rows + panelWidth - 1) / panelWidth;
        this.panels = new int[Check.size("packed weights", 2L * panelCount * words * panelWidth)];
        for (int m = 0; m < rows; m++) {
            for (int k = 0; k < words; k++) {
                long word = rowMajorWords[m * words + k];
                panels[index(m, 2 * k)] = (int) word;
                panels[index(m, 2 * k + 1)] = (int) (word >>> 32);
            }
        }
    }

    /**
     * A BinaryLinear weight {@code w[out][in]} (row-major), by the BinaryViT rule: the sign of each
     * weight minus its row mean (0 maps to +1), and {@code scale[o] = mean |w[o][i]|} of the weights
     * as stored. Packed for the active GEMM.
     */
    public static PackedWeights linear(float[] w, int out, int in) {
        return linear(w, out, in, Gemm.active().panelWidth());
    }

    static PackedWeights linear(float[] w, int out, int in, int panelWidth) {
        Check.positive("out", out);
        Check.positive("in", in);
        Check.length("w", w, (long) out * in, "out %d x in %d", out, in);
        float[] centred = new float[Check.size("out x in", (long) out * in)];
        float[] scales = new float[out];
        for (int o = 0; o < out; o++) {
            double sum = 0;
            double sumAbs = 0;
            for (int i = 0; i < in; i++) {
                sum += w[o * in + i];
                sumAbs += Math.abs(w[o * in + i]);
            }
            float mean = (float) (sum / in);
            for (int i = 0; i < in; i++) {
                centred[o * in + i] = w[o * in + i] - mean;
            }
            scales[o] = (float) (sumAbs / in);
        }
        return fromSigns(centred, out, in, scales, panelWidth);
    }

    /**
     * The patch-merging BinaryConv2d weight {@code w[out][c][2][2]} (PyTorch layout, kernel 2,
     * stride 2), by the BinaryViT rule: uncentred signs and {@code scale[o] = mean |w[o]|}. The K =
     * 4c bits are reordered to {@code (ky, kx, c)}, the order in which {@link Patches} gathers a
     * 2x2 patch of {@code [tokens][c]} activations.
     */
    public static PackedWeights conv2x2(float[] w, int out, int channels) {
        return conv2x2(w, out, channels, Gemm.active().panelWidth());
    }

    static PackedWeights conv2x2(float[] w, int out, int channels, int panelWidth) {
        Check.positive("out", out);
        Check.positive("channels", channels);
        Check.length("w", w, (long) out * channels * 4, "out %d x channels %d x 2 x 2", out, channels);
        int k = 4 * channels;
        float[] reordered = new float[Check.size("out x 4 x channels", (long) out * k)];
        float[] scales = new float[out];
        for (int o = 0; o < out; o++) {
            double sumAbs = 0;
            for (int c = 0; c < channels; c++) {
                for (int ky = 0; ky < 2; ky++) {
                    for (int kx = 0; kx < 2; kx++) {
                        float v = w[((o * channels + c) * 2 + ky) * 2 + kx];
                        reordered[o * k + (ky * 2 + kx) * channels + c] = v;
                        sumAbs += Math.abs(v);
                    }
                }
            }
            scales[o] = (float) (sumAbs / k);
        }
        return fromSigns(reordered, out, k, scales, panelWidth);
    }

    /** Weights whose signs are those of {@code values[rows][bits]} (0 maps to +1), with the given scales. */
    static PackedWeights fromSigns(float[] values, int rows, int bits, float[] scales, int panelWidth) {
        if (panelWidth < 1 || 64 % panelWidth != 0) {
            throw new IllegalArgumentException("panel width must divide 64, got " + panelWidth);
        }
        long[] words = new long[Check.size("rows x words", (long) rows * BitPacking.words(bits))];
        BitPacking.reference().pack(values, rows, bits, words);
        return new PackedWeights(rows, bits, panelWidth, words, scales.clone());
    }

    /**
     * These weights with their K input bits reordered: bit k of every row is this row's bit
     * {@code from[k]}, the scales unchanged. For a layer whose input signs come in another order
     * (the MLP's second layer after an {@link Epilogue#withInterleavedChannels interleaved} first
     * one): a popcount does not depend on the order of the bits, only on both operands sharing it.
     */
    public PackedWeights withInputsReordered(int[] from) {
        checkPermutation(from, bits, "input bit, K");
        long[] reordered = new long[Check.size("rows x words", (long) rows * words)];
        for (int m = 0; m < rows; m++) {
            for (int k = 0; k < bits; k++) {
                long bit = word(m, from[k] >>> 6) >>> (from[k] & 63) & 1L;
                reordered[m * words + (k >>> 6)] |= bit << (k & 63);
            }
        }
        return new PackedWeights(rows, bits, panelWidth, reordered, scales.clone());
    }

    /**
     * These weights with their M rows reordered: row m is this one's row {@code from[m]}, with its
     * scale. For an {@link Epilogue#withInterleavedChannels interleaved} layer, whose outputs compute
     * the channels {@link Epilogue#interleavedChannels} in that order.
     */
    public PackedWeights withRowsReordered(int[] from) {
        checkPermutation(from, rows, "row, M");
        long[] reordered = new long[Check.size("rows x words", (long) rows * words)];
        float[] reorderedScales = new float[rows];
        for (int m = 0; m < rows; m++) {
            for (int k = 0; k < words; k++) {
                reordered[m * words + k] = word(from[m], k);
            }
            reorderedScales[m] = scales[from[m]];
        }
        return new PackedWeights(rows, bits, panelWidth, reordered, reorderedScales);
    }

    private static void checkPermutation(int[] from, int n, String what) {
        Check.length("from", from, n, "one per " + what + " %d", n);
        boolean[] seen = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (from[i] < 0 || from[i] >= n || seen[from[i]]) {
                throw new IllegalArgumentException("from is not a permutation of 0 .. " + (n - 1) + ": from[" + i
                        + "] = " + from[i] + (from[i] >= 0 && from[i] < n ? " appears twice" : " is out of range"));
            }
            seen[from[i]] = true;
        }
    }

    /** M: the number of output channels. */
    public int rows() {
        return rows;
    }

    /** K: the number of input bits per row. */
    public int bits() {
        return bits;
    }

    /** Words per row: {@code ceil(K / 64)}. */
    public int words() {
        return words;
    }

    /** Rows per panel. */
    public int panelWidth() {
        return panelWidth;
    }

    /** {@code mean |W|} of row m. */
    public float scale(int m) {
        return scales[m];
    }

    /** 64-bit word k of row m. */
    public long word(int m, int k) {
        return (long) panels[index(m, 2 * k + 1)] << 32 | (panels[index(m, 2 * k)] & 0xFFFF_FFFFL);
    }

    /** Bytes held: the packed bits and the scales. */
    public long bytes() {
        return 4L * panels.length + 4L * scales.length;
    }

    /** The panel array itself, for the micro-kernel. */
    int[] panels() {
        return panels;
    }

    /** Where half-word h of row m lives in {@link #panels()}. */
    int index(int m, int h) {
        return ((m / panelWidth) * 2 * words + h) * panelWidth + m % panelWidth;
    }
}
