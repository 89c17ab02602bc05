package dev.binaryvit.kernels;

import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Random;
import org.quicktheories.core.Gen;

/**
 * One random attention call: shapes, packed signs and a clip, plus the checking aids the
 * properties share: which (image, query, head) are borderline, and a comparison that allows a
 * difference only there.
 */
final class AttentionCase {

    /** Relative distance of {@code p / clip} from 0.5 under which the two paths may disagree. */
    static final double BORDERLINE = 1e-6;

    /** The sizes of one generated call. */
    record Dims(int batch, int heads, int d, int n, int nkv) {
        @Override
        public String toString() {
            return "batch=" + batch + " heads=" + heads + " d=" + d + " n=" + n + " nkv=" + nkv;
        }
    }

    /** Sizes from 1 up to the given maxima. */
    static Gen<Dims> dims(int batch, int heads, int d, int n, int nkv) {
        return integers().between(1, batch).zip(integers().between(1, heads), integers().between(1, d),
                integers().between(1, n), integers().between(1, nkv), Dims::new);
    }

    static AttentionCase random(Random random, Dims s) {
        return random(random, s.batch(), s.n(), s.nkv(), s.heads(), s.d());
    }

    final int batch;
    final int n;
    final int nkv;
    final int heads;
    final int d;
    final int channels;
    final float clip;
    final long[] q;
    final long[] k;
    final long[] vT;

    AttentionCase(int batch, int n, int nkv, int heads, int d, float clip, long[] q, long[] k, long[] vT) {
        this.batch = batch;
        this.n = n;
        this.nkv = nkv;
        this.heads = heads;
        this.d = d;
        this.channels = heads * d;
        this.clip = clip;
        this.q = q;
        this.k = k;
        this.vT = vT;
    }

    /**
     * Random signs; in half the cases each key is a query with a few bits flipped, so that some
     * scores stand out as in a trained model. The clip is about {@code factor / nkv} with factor
     * in [0.3, 4): usually some keys kept, not all.
     */
    static AttentionCase random(Random random, int batch, int n, int nkv, int heads, int d) {
        long[] q = TestData.packedRows(random, batch * n * heads, d);
        long[] k = TestData.packedRows(random, batch * nkv * heads, d);
        if (random.nextBoolean()) {
            int words = BitPacking.words(d);
            double flip = 0.05 + 0.4 * random.nextDouble();
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < nkv; j++) {
                    int i = random.nextInt(n);
                    for (int h = 0; h < heads; h++) {
                        for (int w = 0; w < words; w++) {
                            long bits = q[((b * n + i) * heads + h) * words + w];
                            for (int bit = 0; bit < 64; bit++) {
                                if (random.nextDouble() < flip) {
                                    bits ^= 1L << bit;
                                }
                            }
                            k[((b * nkv + j) * heads + h) * words + w] = bits & TestData.validBits(d, w);
                        }
                    }
                }
            }
        }
        long[] vT = TestData.packedRows(random, batch * heads * d, nkv);
        float clip = (0.3f + 3.7f * random.nextFloat()) / nkv;
        return new AttentionCase(batch, n, nkv, heads, d, clip, q, k, vT);
    }

    AttentionCase withClip(float newClip) {
        return new AttentionCase(batch, n, nkv, heads, d, newClip, q, k, vT);
    }

    float[] run(Attention attention) {
        return run(attention, Parallel.SERIAL);
    }

    float[] run(Attention attention, Parallel parallel) {
        float[] out = new float[batch * n * channels];
        java.util.Arrays.fill(out, Float.NaN); // every output must be written
        attention.context(q, k, vT, batch, n, nkv, channels, heads, clip, out, parallel);
        return out;
    }

    /** {@code popcount(q_i XOR k_j)} over head h's d bits. */
    int pop(int b, int i, int j, int h) {
        int words = BitPacking.words(d);
        int pop = 0;
        for (int w = 0; w < words; w++) {
            pop += Long.bitCount(q[((b * n + i) * heads + h) * words + w] ^ k[((b * nkv + j) * heads + h) * words + w]);
        }
        return pop;
    }

    /**
     * Whether some key's {@code p / clip}, computed in double from the reference's float
     * {@code e_j}, lies within {@link #BORDERLINE} relative of 0.5.
     */
    boolean borderline(int b, int i, int h) {
        float sqrtD = (float) Math.sqrt(d);
        float max = Float.NEGATIVE_INFINITY;
        float[] s = new float[nkv];
        for (int j = 0; j < nkv; j++) {
            s[j] = (d - 2 * pop(b, i, j, h)) / sqrtD;
            max = Math.max(max, s[j]);
        }
        double sum = 0;
        float[] e = new float[nkv];
        for (int j = 0; j < nkv; j++) {
            e[j] = (float) Math.exp(s[j] - max);
            sum += e[j];
        }
        for (int j = 0; j < nkv; j++) {
            double pc = e[j] / sum / clip;
            if (Math.abs(pc - 0.5) <= 0.5 * BORDERLINE) {
                return true;
            }
        }
        return false;
    }

    /** How many (image, query, head) of this call are {@link #borderline}. */
    int borderlineHeads() {
        int count = 0;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int h = 0; h < heads; h++) {
                    count += borderline(b, i, h) ? 1 : 0;
                }
            }
        }
        return count;
    }

    /**
     * Asserts that the two contexts are equal to the bit for every (image, query, head) that is not
     * borderline, and returns how many borderline ones differ.
     */
    int assertEqualExceptBorderline(float[] expected, float[] actual, String what) {
        int differing = 0;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int h = 0; h < heads; h++) {
                    int base = (b * n + i) * channels + h * d;
                    boolean equal = true;
                    for (int c = 0; c < d; c++) {
                        equal &= Float.floatToIntBits(expected[base + c]) == Float.floatToIntBits(actual[base + c]);
                    }
                    if (!equal) {
                        if (!borderline(b, i, h)) {
                            throw new AssertionError(what + ": image " + b + " query " + i + " head " + h
                                    + " differs and is not borderline; " + this + "\n expected "
                                    + java.util.Arrays.toString(java.util.Arrays.copyOfRange(expected, base, base + d))
                                    + "\n actual   "
                                    + java.util.Arrays.toString(java.util.Arrays.copyOfRange(actual, base, base + d)));
                        }
                        differing++;
                    }
                }
            }
        }
        return differing;
    }

    /** Every key kept: {@code clip * (2 * popcount(vpos_c) - nkv)}. */
    float[] allKept() {
        int words = BitPacking.words(nkv);
        float[] out = new float[batch * n * channels];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                int positive = 0;
                for (int w = 0; w < words; w++) {
                    positive += Long.bitCount(vT[(b * channels + c) * words + w] & TestData.validBits(nkv, w));
                }
                for (int i = 0; i < n; i++) {
                    out[(b * n + i) * channels + c] = clip * (float) (2 * positive - nkv);
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "batch=" + batch + " n=" + n + " nkv=" + nkv + " heads=" + heads + " d=" + d + " clip=" + clip;
    }
}
