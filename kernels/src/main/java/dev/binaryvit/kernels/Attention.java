package dev.binaryvit.kernels;

/**
 * Binarized multi-head attention (BiT / BinaryViT): XNOR-popcount scores, softmax, the
 * probability binarized by the learned {@code clip} (a key is kept iff {@code p / clip > 0.5}),
 * and the AND-popcount product of the kept keys with the value signs. Head {@code h} owns the
 * channels {@code [h*d, (h+1)*d)}, {@code d = channels / heads}, any {@code d >= 1}.
 *
 * <p>Layouts (bit convention of {@link BitPacking}: bit 1 means +1):
 * <ul>
 *   <li>{@code q}: query signs {@code [batch][n][heads][words(d)]}, as
 *       {@code BitPacking.pack(x, rows, channels, heads, move, out, parallel)} writes them;
 *   <li>{@code k}: key signs {@code [batch][nkv][heads][words(d)]}, the same way;
 *   <li>{@code vT}: value signs per channel along the keys {@code [batch][channels][words(nkv)]}:
 *       bit j of row c is the sign of key j's value at channel c, as
 *       {@link BitPacking#packColumns} writes them;
 *   <li>{@code out}: the context {@code [batch][n][channels]}.
 * </ul>
 * Padding bits of the inputs are ignored.
 *
 * <p>The reference, per image, query i and head: {@code pop_j = popcount(q_i XOR k_j)} over the
 * head's d bits; {@code s_j = (d - 2 * pop_j) / (float) Math.sqrt(d)}; {@code max} the largest
 * {@code s_j}; {@code e_j = (float) Math.exp(s_j - max)}; {@code total} the {@code e_j} added in
 * double and rounded to float once; {@code p_j = e_j / total}; key j kept iff
 * {@code p_j / clip > 0.5f}; {@code ctx[i][h*d + c] = clip * (float) (sum over kept j of +-1)},
 * the value sign of key j at channel {@code h*d + c}. The vector implementation computes the same
 * {@code e_j} and adds the denominator exactly in fixed point, so it keeps the same keys except
 * where {@code p / clip} lies within a few float ulps (under 1e-6 relative) of 0.5; every output
 * is {@code clip} times an integer, equal to the bit elsewhere. Neither depends on the key order
 * beyond that, on the vector width or on the threads: with a {@link Parallel} pool the queries are
 * split over its threads and the results do not change.
 */
public final class Attention {

    private static final Attention REFERENCE = new Attention(new ReferenceAttention());
    private static final Attention ACTIVE = new Attention(
            Vectorization.select("dev.binaryvit.kernels.VectorAttention", AttentionSupport.class, REFERENCE.impl));
    /** Query rows per parallel grain. */
    private static final int GRAIN = 8;

    private final AttentionSupport impl;

    private Attention(AttentionSupport impl) {
        this.impl = impl;
    }

    /** The vector implementation when the Vector API is usable, else the reference. */
    public static Attention active() {
        return ACTIVE;
    }

    /** The plain scalar implementation: the oracle. */
    public static Attention reference() {
        return REFERENCE;
    }

    /**
     * Binarized attention for {@code batch} images, {@code heads} heads owning consecutive channel
     * slices of {@code d = channels / heads}; layouts in the class comment.
     */
    public void context(long[] q, long[] k, long[] vT, int batch, int n, int nkv, int channels, int heads,
                        float clip, float[] out) {
        context(q, k, vT, batch, n, nkv, channels, heads, clip, out, Parallel.SERIAL);
    }

    /** As {@link #context(long[], long[], long[], int, int, int, int, int, float, float[])}, queries split over {@code parallel}. */
    public void context(long[] q, long[] k, long[] vT, int batch, int n, int nkv, int channels, int heads,
                        float clip, float[] out, Parallel parallel) {
        Check.positive("batch", batch);
        Check.positive("n", n);
        Check.positive("nkv", nkv);
        Check.positive("channels", channels);
        Check.positive("heads", heads);
        if (channels % heads != 0) {
            throw new IllegalArgumentException("channels " + channels + " is not divisible by heads " + heads);
        }
        // Training can drive the learned clip to zero or below; BiT's round(p / clip).clamp(0, 1) * clip
        // then keeps no key (p / clip <= 0), or gives every kept key the value 0: the context is 0.
        // Both paths follow the keep test as written, so they need no special case.
        if (!Float.isFinite(clip)) {
            throw new IllegalArgumentException("clip must be a finite number, got " + clip);
        }
        Check.size("out", (long) batch * n * channels);
        AttentionSupport.Shape s = shape(batch, n, nkv, channels, heads);
        Check.length("q", q, (long) batch * n * heads * s.headWords(), "batch %d x n %d x heads %d x words(d %d)", batch, n, heads, s.d());
        Check.length("k", k, (long) batch * nkv * heads * s.headWords(), "batch %d x nkv %d x heads %d x words(d %d)", batch, nkv, heads, s.d());
        Check.length("vT", vT, (long) batch * channels * s.keyWords(),
                "batch %d x channels %d x words(nkv %d)", batch, channels, nkv);
        Check.length("out", out, (long) batch * n * channels,
                "batch %d x n %d x channels %d", batch, n, channels);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.context(s, q, k, vT, clip, out);
        } else {
            parallel.run(batch * n, GRAIN, impl.prepare(s, q, k, vT, clip, out));
        }
    }

    /** The last shapes this thread asked for: a model cycles through a few, so a call makes none. */
    private static final ThreadLocal<AttentionSupport.Shape[]> SHAPES =
            ThreadLocal.withInitial(() -> new AttentionSupport.Shape[8]);

    private static AttentionSupport.Shape shape(int batch, int n, int nkv, int channels, int heads) {
        AttentionSupport.Shape[] cache = SHAPES.get();
        for (AttentionSupport.Shape s : cache) {
            if (s != null && s.batch() == batch && s.n() == n && s.nkv() == nkv && s.channels() == channels
                    && s.heads() == heads) {
                return s;
            }
        }
        System.arraycopy(cache, 0, cache, 1, cache.length - 1);
        cache[0] = new AttentionSupport.Shape(batch, n, nkv, channels, heads);
        return cache[0];
    }
}
