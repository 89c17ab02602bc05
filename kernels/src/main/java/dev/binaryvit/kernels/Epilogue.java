package dev.binaryvit.kernels;

/**
 * What the GEMM does with each dot product before it leaves the registers, fixed per layer and
 * built once. For output channel m of row n, with {@code dot = K - 2 * popcount}:
 * <pre>
 *   v = alpha[m] * dot + beta[m]              one fused multiply-add; alpha = a[m] * scale[m]
 *   v = v + residual[n][m % R]                if a residual is given (R = residual channels)
 *   v = RPReLU(v)                             if set: y = v - move1; y = y &gt;= 0 ? y : slope * y; y + move2
 *   bit = v + shift[m] &gt;= 0                  the packed-sign form only
 * </pre>
 * {@code a} and {@code b} are typically a folded BatchNorm, so {@code a[m] * (scale[m] * dot) + b[m]}
 * is computed with one rounding less. The reference and the vector paths evaluate exactly these
 * float operations in this order, so they agree bit for bit.
 */
public final class Epilogue {

    /** Channel arrays are padded to a multiple of this so vector loads never run past them. */
    static final int PAD = 64;

    private final int channels;
    final float[] alpha;
    final float[] beta;
    final float[] move1;
    final float[] slope;
    final float[] move2;
    final float[] shift;
    final int residualChannels;
    /** {@code m % residualChannels} per channel, padded, for a vector gather; built on first need. */
    private volatile int[] tiledIndex;
    /** The integer form of the sign epilogue without residual, for the last K asked; built on first need. */
    private volatile SignThresholds thresholds;

    private Epilogue(int channels, float[] alpha, float[] beta, float[] move1, float[] slope, float[] move2,
                     float[] shift, int residualChannels) {
        this.channels = channels;
        this.alpha = alpha;
        this.beta = beta;
        this.move1 = move1;
        this.slope = slope;
        this.move2 = move2;
        this.shift = shift;
        this.residualChannels = residualChannels;
    }

    /** {@code a[m] * (scale[m] * dot) + b[m]}; {@code a} null means 1, {@code b} null means 0. */
    public static Epilogue affine(PackedWeights weights, float[] a, float[] b) {
        Check.notNull("weights", weights);
        int m = weights.rows();
        if (a != null) {
            Check.length("a", a, m, "one per output channel, M " + m);
        }
        if (b != null) {
            Check.length("b", b, m, "one per output channel, M " + m);
        }
        float[] alpha = new float[padded(m)];
        float[] beta = new float[padded(m)];
        for (int i = 0; i < m; i++) {
            alpha[i] = (a == null ? 1f : a[i]) * weights.scale(i);
            beta[i] = b == null ? 0f : b[i];
        }
        return new Epilogue(m, alpha, beta, null, null, null, null, m);
    }

    /** This epilogue followed by RPReLU with per-channel {@code move1}, {@code slope}, {@code move2}. */
    public Epilogue withRprelu(float[] move1, float[] slope, float[] move2) {
        return new Epilogue(channels, alpha, beta, channelArray("move1", move1), channelArray("slope", slope),
                channelArray("move2", move2), shift, residualChannels);
    }

    /** This epilogue with a per-channel shift added before the sign, for the packed-sign form. */
    public Epilogue withSignShift(float[] shift) {
        return new Epilogue(channels, alpha, beta, move1, slope, move2, channelArray("shift", shift),
                residualChannels);
    }

    /**
     * This epilogue reading a residual of {@code r} channels per row, tiled across the M outputs:
     * {@code residual[n][m % r]} (BinaryViT's {@code tile} shortcut). M must be a multiple of r.
     */
    public Epilogue withTiledResidual(int r) {
        Check.positive("residual channels", r);
        if (channels % r != 0) {
            throw new IllegalArgumentException("output channels " + channels + " are not a multiple of residual channels " + r);
        }
        return new Epilogue(channels, alpha, beta, move1, slope, move2, shift, r);
    }

    /** M: the output channels this epilogue was built for. */
    public int channels() {
        return channels;
    }

    /** Channels per residual row. */
    public int residualChannels() {
        return residualChannels;
    }

    boolean hasRprelu() {
        return move1 != null;
    }

    /**
     * Null when a vector of {@code lanes} channels starting at a multiple of {@code lanes} reads a
     * contiguous slice of the residual row (no tiling, or a period that is a multiple of lanes);
     * else {@code m % R} for every channel, for a gather.
     */
    int[] tiledIndex(int lanes) {
        if (residualChannels == channels || residualChannels % lanes == 0) {
            return null;
        }
        int[] index = tiledIndex;
        if (index == null) {
            index = new int[padded(channels)];
            for (int m = 0; m < channels; m++) {
                index[m] = m % residualChannels;
            }
            tiledIndex = index;
        }
        return index;
    }

    /**
     * Integer thresholds equivalent to the packed-sign epilogue without a residual at K = bits, or
     * null when it cannot be written so.
     */
    SignThresholds signThresholds(int bits) {
        SignThresholds t = thresholds;
        if (t == null || t.bits != bits) {
            t = SignThresholds.of(this, bits, padded(channels));
            if (t == null) {
                return null; // not cached: rare, and the float path handles it
            }
            thresholds = t;
        }
        return t;
    }

    /** The affine step, as the reference evaluates it. */
    float affine(int m, int dot) {
        return Math.fma(alpha[m], (float) dot, beta[m]);
    }

    /** The RPReLU step (identity when not set), as the reference evaluates it. */
    float rprelu(int m, float v) {
        if (move1 == null) {
            return v;
        }
        float y = v - move1[m];
        y = y >= 0f ? y : slope[m] * y;
        return y + move2[m];
    }

    /** A copy of the sign shifts, or null when none are set. */
    float[] shiftOrNull() {
        return shift == null ? null : java.util.Arrays.copyOf(shift, channels);
    }

    /** The shift before the sign (0 when not set). */
    float shift(int m) {
        return shift == null ? 0f : shift[m];
    }

    private float[] channelArray(String what, float[] values) {
        Check.length(what, values, channels, "one per output channel, M " + channels);
        float[] copy = new float[padded(channels)];
        System.arraycopy(values, 0, copy, 0, channels);
        return copy;
    }

    private static int padded(int m) {
        return (m + PAD - 1) / PAD * PAD;
    }
}
