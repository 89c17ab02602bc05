package dev.binaryvit.kernels;

/**
 * What the GEMM does with each dot product before it leaves the registers, fixed per layer and
 * built once. For output channel m of row n, with {@code dot = K - 2 * popcount}:
 * <pre>
 *   v = fma(alpha[m], dot, beta[m])           alpha = a[m] * scale[m]: a BatchNorm after the binary linear
 *   v = v + residual[n][channel(m) % R]       if a residual is given (R = residual channels)
 *   v = RPReLU(v)                             if set: y = v - move1; y = y &gt;= 0 ? y : slope * y; y + move2
 *   v = fma(v, scaleA[m], scaleB[m])          if a layer scale is set
 *   v = v + residual2[n][m]                   if a second residual is given (the block's shortcut)
 *   out[n][m] = v                             the float output, when asked
 *   w = fma(v, normA[m], normB[m])            if a norm is set (the next BatchNorm), else w = v
 *   normOut[n][m] = w                         when asked
 *   bit = w + shift[m] &gt;= 0                  the packed-sign output, when asked (shift 0 if not set)
 * </pre>
 * {@code channel(m)} is m, unless the outputs are interleaved ({@link #withInterleavedChannels}).
 * The reference and the vector paths evaluate exactly these float operations in this order, so
 * they agree bit for bit, and a chain of separate kernels doing the same steps (Elementwise affine
 * is {@code fma(x, a, b)}, adds are adds, packing compares {@code x + move >= 0}) gives the same bits.
 */
public final class Epilogue {

    /** Channel arrays are padded to a multiple of this so vector loads never run past them. */
    static final int PAD = 64;

    private final int channels;
    final float[] alpha;
    final float[] beta;
    int residualChannels;
    /** G of {@link #withInterleavedChannels}; 1 when the outputs are the channels in order. */
    int groups = 1;
    float[] move1;
    float[] slope;
    float[] move2;
    float[] scaleA;
    float[] scaleB;
    float[] normA;
    float[] normB;
    float[] shift;
    /** {@code m % residualChannels} per channel, padded, for a vector gather; built on first need. */
    private volatile int[] tiledIndex;
    /** The plan of an interleaved epilogue's residual reads; built on first need. */
    private volatile ResidualPlan residualPlan;
    /** The integer form of the sign epilogue without residual, for the last K asked; built on first need. */
    private volatile SignThresholds thresholds;

    private Epilogue(int channels, float[] alpha, float[] beta) {
        this.channels = channels;
        this.alpha = alpha;
        this.beta = beta;
        this.residualChannels = channels;
    }

    /** A copy to change one stage of: epilogues are immutable once returned. */
    private Epilogue copy() {
        Epilogue e = new Epilogue(channels, alpha, beta);
        e.residualChannels = residualChannels;
        e.groups = groups;
        e.move1 = move1;
        e.slope = slope;
        e.move2 = move2;
        e.scaleA = scaleA;
        e.scaleB = scaleB;
        e.normA = normA;
        e.normB = normB;
        e.shift = shift;
        return e;
    }

    /** {@code a[m] * (scale[m] * dot) + b[m]}; {@code a} null means 1, {@code b} null means 0. */
    public static Epilogue affine(PackedWeights weights, float[] a, float[] b) {
        Check.notNull("weights", weights);
        int m = weights.rows();
        if (a != null) {
            Check.length("a", a, m, "one per output channel, M %d", m);
        }
        if (b != null) {
            Check.length("b", b, m, "one per output channel, M %d", m);
        }
        float[] alpha = new float[padded(m)];
        float[] beta = new float[padded(m)];
        for (int i = 0; i < m; i++) {
            alpha[i] = (a == null ? 1f : a[i]) * weights.scale(i);
            beta[i] = b == null ? 0f : b[i];
        }
        return new Epilogue(m, alpha, beta);
    }

    /** This epilogue followed by RPReLU with per-channel {@code move1}, {@code slope}, {@code move2}. */
    public Epilogue withRprelu(float[] move1, float[] slope, float[] move2) {
        Epilogue e = copy();
        e.move1 = channelArray("move1", move1);
        e.slope = channelArray("slope", slope);
        e.move2 = channelArray("move2", move2);
        return e;
    }

    /** This epilogue followed by a layer scale {@code fma(v, a, b)} (before any second residual). */
    public Epilogue withLayerScale(float[] a, float[] b) {
        Epilogue e = copy();
        e.scaleA = channelArray("layer scale a", a);
        e.scaleB = channelArray("layer scale b", b);
        return e;
    }

    /** This epilogue with a norm {@code w = fma(v, a, b)} for the norm output and the signs. */
    public Epilogue withNorm(float[] a, float[] b) {
        Epilogue e = copy();
        e.normA = channelArray("norm a", a);
        e.normB = channelArray("norm b", b);
        return e;
    }

    /** This epilogue with a per-channel shift added before the sign, for the packed-sign outputs. */
    public Epilogue withSignShift(float[] shift) {
        Epilogue e = copy();
        e.shift = channelArray("shift", shift);
        return e;
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
        Epilogue e = copy();
        e.residualChannels = r;
        return e;
    }

    /**
     * This epilogue with its M outputs in interleaved order: output {@code m = i * (M / groups) + q}
     * computes the layer's channel {@code q * groups + i}, for weights whose rows are in that order
     * ({@code weights.withRowsReordered(interleavedChannels(M, groups))}). The per-channel arrays,
     * given in channel order here and to every later {@code with...}, are kept in output order; the
     * residual is read at the output's channel, and {@link Gemm#signsAndPool} with
     * {@code pool == groups} averages the consecutive channels {@code q * groups ..} of a group, which
     * are the outputs {@code q, q + M / groups, ..}: the group then lies in one lane of
     * {@code groups} vectors, so the vector path adds whole vectors where a pool of consecutive
     * outputs adds across lanes. The signs come out in output order, for a next layer whose weight
     * bits are reordered to match ({@link PackedWeights#withInputsReordered}).
     */
    public Epilogue withInterleavedChannels(int groups) {
        checkGroups(channels, groups);
        if (this.groups != 1) {
            throw new IllegalArgumentException("this epilogue is already interleaved in " + this.groups + " groups");
        }
        int[] channelOf = interleavedChannels(channels, groups);
        Epilogue e = new Epilogue(channels, inOutputOrder(alpha, channelOf), inOutputOrder(beta, channelOf));
        e.residualChannels = residualChannels;
        e.groups = groups;
        e.move1 = inOutputOrder(move1, channelOf);
        e.slope = inOutputOrder(slope, channelOf);
        e.move2 = inOutputOrder(move2, channelOf);
        e.scaleA = inOutputOrder(scaleA, channelOf);
        e.scaleB = inOutputOrder(scaleB, channelOf);
        e.normA = inOutputOrder(normA, channelOf);
        e.normB = inOutputOrder(normB, channelOf);
        e.shift = inOutputOrder(shift, channelOf);
        return e;
    }

    /** G of {@link #withInterleavedChannels}, 1 when the outputs are in channel order. */
    public int interleavedGroups() {
        return groups;
    }

    /**
     * The layer channel of each of M outputs interleaved in G groups ({@link #withInterleavedChannels}):
     * the order to give {@link PackedWeights#withRowsReordered} and {@link PackedWeights#withInputsReordered}.
     */
    public static int[] interleavedChannels(int m, int groups) {
        Check.positive("M", m);
        checkGroups(m, groups);
        int[] channel = new int[m];
        for (int j = 0; j < m; j++) {
            channel[j] = channelOf(j, m, groups);
        }
        return channel;
    }

    private static void checkGroups(int m, int groups) {
        Check.positive("groups", groups);
        if (m % groups != 0) {
            throw new IllegalArgumentException("output channels " + m + " are not a multiple of groups " + groups);
        }
    }

    /** The layer channel of output m. */
    int channelOf(int m) {
        return channelOf(m, channels, groups);
    }

    private static int channelOf(int output, int m, int groups) {
        int c = m / groups;
        return (output % c) * groups + output / c;
    }

    /** The output of layer channel j: the inverse of {@link #channelOf}. */
    int outputOf(int j) {
        return (j % groups) * (channels / groups) + j / groups;
    }

    /** A padded per-output array in output order from one in channel order; null stays null. */
    private static float[] inOutputOrder(float[] perChannel, int[] channelOf) {
        if (perChannel == null) {
            return null;
        }
        float[] ordered = new float[perChannel.length];
        for (int j = 0; j < channelOf.length; j++) {
            ordered[j] = perChannel[channelOf[j]];
        }
        return ordered;
    }

    /** M: the output channels this epilogue was built for. */
    public int channels() {
        return channels;
    }

    /** Channels per residual row. */
    public int residualChannels() {
        return residualChannels;
    }

    /** Whether the stages after the first residual (RPReLU aside) are the identity: the sign thresholds need that. */
    boolean endsAtRprelu() {
        return scaleA == null && normA == null;
    }

    /**
     * Null when a vector of {@code lanes} outputs starting at a multiple of {@code lanes} reads a
     * contiguous slice of the residual row (outputs in channel order, and no tiling or a period
     * that is a multiple of lanes); else {@code channel(m) % R} for every output m, for a gather.
     */
    int[] tiledIndex(int lanes) {
        if (groups == 1 && (residualChannels == channels || residualChannels % lanes == 0)) {
            return null;
        }
        int[] index = tiledIndex;
        if (index == null) {
            index = new int[padded(channels)];
            for (int m = 0; m < channels; m++) {
                index[m] = channelOf(m) % residualChannels;
            }
            tiledIndex = index;
        }
        return index;
    }

    /**
     * For an interleaved epilogue, how vectors of {@code lanes} outputs read the residual
     * ({@link ResidualPlan}); null when the outputs are in channel order or cannot be planned.
     */
    ResidualPlan residualPlan(int lanes) {
        if (groups == 1) {
            return null;
        }
        ResidualPlan plan = residualPlan;
        if (plan == null) {
            plan = ResidualPlan.of(channels, groups, residualChannels, lanes);
            if (plan == null) {
                return null; // not cached: such shapes take the gather
            }
            residualPlan = plan;
        }
        return plan;
    }

    /**
     * Integer thresholds equivalent to the packed-sign epilogue without residuals at K = bits, or
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

    /** The layer scale step (identity when not set). */
    float layerScale(int m, float v) {
        return scaleA == null ? v : Math.fma(v, scaleA[m], scaleB[m]);
    }

    /** The norm step (identity when not set). */
    float norm(int m, float v) {
        return normA == null ? v : Math.fma(v, normA[m], normB[m]);
    }

    /** A copy of the sign shifts in output order, or null when none are set. */
    float[] shiftOrNull() {
        return shift == null ? null : java.util.Arrays.copyOf(shift, channels);
    }

    /** The shift before the sign (0 when not set). */
    float shift(int m) {
        return shift == null ? 0f : shift[m];
    }

    /** A padded copy of a per-channel array, in output order (given in channel order). */
    private float[] channelArray(String what, float[] values) {
        Check.length(what, values, channels, "one per output channel, M %d", channels);
        float[] copy = new float[padded(channels)];
        for (int m = 0; m < channels; m++) {
            copy[m] = values[channelOf(m)];
        }
        return copy;
    }

    /** {@code m} rounded up to whole {@link #PAD}s: the length of every per-channel array. */
    static int padded(int m) {
        return (m + PAD - 1) / PAD * PAD;
    }
}
