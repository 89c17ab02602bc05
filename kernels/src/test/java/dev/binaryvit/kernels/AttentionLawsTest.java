package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Laws of binarized attention, checked on the vector path and on the reference. */
@Tag("vector-width")
class AttentionLawsTest {

    private static final Attention VECTOR = Attention.active();
    private static final Attention REFERENCE = Attention.reference();

    @Test
    void aTinyClipKeepsEveryKey() {
        // Every p is at least exp(-2 sqrt(d)) / nkv > 1e-13 here, so p / 1e-30 > 0.5 for every key
        // and the context is clip times the column sums of the value signs.
        qt().withExamples(80).forAll(AttentionCase.dims(3, 6, 130, 50, 300), longs().all())
                .checkAssert((s, seed) -> {
                    int batch = s.batch();
                    int heads = s.heads();
                    int d = s.d();
                    int n = s.n();
                    int nkv = s.nkv();
                    AttentionCase c = AttentionCase.random(new Random(seed), batch, n, nkv, heads, d).withClip(1e-30f);
                    float[] expected = c.allKept();
                    assertArrayEquals(expected, c.run(VECTOR), 0f, "vector " + c);
                    assertArrayEquals(expected, c.run(REFERENCE), 0f, "reference " + c);
                });
    }

    @Test
    void aClipAboveTwoKeepsNothing() {
        // p <= 1, so p / clip < 0.5 for clip > 2.
        qt().withExamples(60).forAll(AttentionCase.dims(3, 6, 130, 50, 300), longs().all())
                .checkAssert((s, seed) -> {
                    int batch = s.batch();
                    int heads = s.heads();
                    int d = s.d();
                    int n = s.n();
                    int nkv = s.nkv();
                    Random random = new Random(seed);
                    float clip = 2.0001f + 10f * random.nextFloat();
                    AttentionCase c = AttentionCase.random(random, batch, n, nkv, heads, d).withClip(clip);
                    float[] zeros = new float[batch * n * heads * d];
                    assertArrayEquals(zeros, c.run(VECTOR), 0f, "vector " + c);
                    assertArrayEquals(zeros, c.run(REFERENCE), 0f, "reference " + c);
                });
    }

    @Test
    void permutingTheKeysLeavesTheContextUnchanged() {
        qt().withExamples(80).forAll(AttentionCase.dims(2, 6, 130, 40, 300), longs().all())
                .checkAssert((s, seed) -> {
                    int batch = s.batch();
                    int heads = s.heads();
                    int d = s.d();
                    int n = s.n();
                    int nkv = s.nkv();
                    Random random = new Random(seed);
                    AttentionCase c = AttentionCase.random(random, batch, n, nkv, heads, d);
                    AttentionCase permuted = permuteKeys(c, random);
                    // The vector path sums the softmax denominator by popcount: order-free, to the bit.
                    assertArrayEquals(c.run(VECTOR), permuted.run(VECTOR), 0f, "vector " + c);
                    // The reference adds it in key order (in double): equal except at borderline keys.
                    c.assertEqualExceptBorderline(c.run(REFERENCE), permuted.run(REFERENCE), "reference permuted");
                });
    }

    @Test
    void paddingBitsAreIgnored() {
        qt().withExamples(60).forAll(AttentionCase.dims(2, 4, 130, 30, 200), longs().all())
                .checkAssert((s, seed) -> {
                    AttentionCase c = AttentionCase.random(new Random(seed), s);
                    AttentionCase dirty = new AttentionCase(c.batch, c.n, c.nkv, c.heads, c.d, c.clip,
                            setPadding(c.q, c.d), setPadding(c.k, c.d), setPadding(c.vT, c.nkv));
                    assertArrayEquals(c.run(VECTOR), dirty.run(VECTOR), 0f, "vector " + c);
                    assertArrayEquals(c.run(REFERENCE), dirty.run(REFERENCE), 0f, "reference " + c);
                });
    }

    /** A copy of packed rows of {@code bits} bits with every padding bit set. */
    private static long[] setPadding(long[] rows, int bits) {
        int words = BitPacking.words(bits);
        long[] dirty = rows.clone();
        for (int i = 0; i < dirty.length; i++) {
            dirty[i] |= ~TestData.validBits(bits, i % words);
        }
        return dirty;
    }

    @Test
    void twoThreadsGiveTheSameBitsAsOne() {
        try (Parallel two = Parallel.of(2)) {
            qt().withExamples(40).forAll(AttentionCase.dims(3, 8, 130, 100, 200), longs().all())
                .checkAssert((s, seed) -> {
                    int batch = s.batch();
                    int heads = s.heads();
                    int d = s.d();
                    int n = s.n();
                    int nkv = s.nkv();
                        AttentionCase c = AttentionCase.random(new Random(seed), batch, n, nkv, heads, d);
                        assertArrayEquals(c.run(VECTOR), c.run(VECTOR, two), 0f, "vector " + c);
                        assertArrayEquals(c.run(REFERENCE), c.run(REFERENCE, two), 0f, "reference " + c);
                    });
        }
    }

    @Test
    void packedFromFloatsItComputesTheFormulaOfBinaryVit() {
        // The layouts end to end: q and k packed per head with pack(..., groups = heads, ...), the
        // values with packColumns, against the formula on the unpacked +-1 values.
        qt().withExamples(60).forAll(AttentionCase.dims(2, 4, 80, 30, 130), longs().all())
                .checkAssert((s, seed) -> {
                    int batch = s.batch();
                    int heads = s.heads();
                    int d = s.d();
                    int n = s.n();
                    int nkv = s.nkv();
                    Random random = new Random(seed);
                    int channels = heads * d;
                    float[] qf = TestData.floats(random, batch * n * channels);
                    float[] kf = TestData.floats(random, batch * nkv * channels);
                    float[] vf = TestData.floats(random, batch * nkv * channels);
                    float[] moveV = TestData.floats(random, channels);
                    int words = BitPacking.words(d);
                    long[] q = new long[batch * n * heads * words];
                    long[] k = new long[batch * nkv * heads * words];
                    long[] vT = new long[batch * channels * BitPacking.words(nkv)];
                    BitPacking.active().pack(qf, batch * n, channels, heads, null, q, Parallel.SERIAL);
                    BitPacking.active().pack(kf, batch * nkv, channels, heads, null, k, Parallel.SERIAL);
                    BitPacking.active().packColumns(vf, batch, nkv, channels, moveV, vT, Parallel.SERIAL);
                    float clip = (0.3f + 3.7f * random.nextFloat()) / nkv;
                    AttentionCase c = new AttentionCase(batch, n, nkv, heads, d, clip, q, k, vT);
                    float[] expected = formula(qf, kf, vf, moveV, batch, n, nkv, heads, d, clip);
                    c.assertEqualExceptBorderline(expected, c.run(VECTOR), "vector vs formula");
                    c.assertEqualExceptBorderline(expected, c.run(REFERENCE), "reference vs formula");
                });
    }

    /** BINARYVIT.md's binarized attention on float tensors, sign(0) = +1, softmax sum in double. */
    private static float[] formula(float[] qf, float[] kf, float[] vf, float[] moveV, int batch, int n, int nkv,
                                   int heads, int d, float clip) {
        int channels = heads * d;
        float[] out = new float[batch * n * channels];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                for (int h = 0; h < heads; h++) {
                    float[] s = new float[nkv];
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < nkv; j++) {
                        int dot = 0;
                        for (int c = h * d; c < h * d + d; c++) {
                            dot += sign(qf[(b * n + i) * channels + c]) * sign(kf[(b * nkv + j) * channels + c]);
                        }
                        s[j] = dot / (float) Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    float[] e = new float[nkv];
                    double sum = 0;
                    for (int j = 0; j < nkv; j++) {
                        e[j] = (float) Math.exp(s[j] - max);
                        sum += e[j];
                    }
                    for (int c = h * d; c < h * d + d; c++) {
                        int count = 0; // sum_j pb_j * vb_j = clip * (sum over kept j of vb_j)
                        for (int j = 0; j < nkv; j++) {
                            boolean kept = (e[j] / (float) sum) / clip > 0.5f;
                            count += kept ? sign(vf[(b * nkv + j) * channels + c] + moveV[c]) : 0;
                        }
                        out[(b * n + i) * channels + c] = clip * (float) count;
                    }
                }
            }
        }
        return out;
    }

    private static int sign(float x) {
        return x >= 0f ? 1 : -1;
    }

    /** The same call with the keys of every image in a random order: k rows and vT bits moved together. */
    private static AttentionCase permuteKeys(AttentionCase c, Random random) {
        int words = BitPacking.words(c.d);
        int keyWords = BitPacking.words(c.nkv);
        long[] k = new long[c.k.length];
        long[] vT = new long[c.vT.length];
        for (int b = 0; b < c.batch; b++) {
            int[] to = new int[c.nkv];
            for (int j = 0; j < c.nkv; j++) {
                to[j] = j;
            }
            for (int j = c.nkv - 1; j > 0; j--) {
                int r = random.nextInt(j + 1);
                int t = to[j];
                to[j] = to[r];
                to[r] = t;
            }
            for (int j = 0; j < c.nkv; j++) {
                System.arraycopy(c.k, (b * c.nkv + j) * c.heads * words, k, (b * c.nkv + to[j]) * c.heads * words,
                        c.heads * words);
                for (int ch = 0; ch < c.channels; ch++) {
                    int row = (b * c.channels + ch) * keyWords;
                    if (((c.vT[row + j / 64] >>> (j % 64)) & 1L) != 0) {
                        vT[row + to[j] / 64] |= 1L << (to[j] % 64);
                    }
                }
            }
        }
        return new AttentionCase(c.batch, c.n, c.nkv, c.heads, c.d, c.clip, c.q, k, vT);
    }
}
