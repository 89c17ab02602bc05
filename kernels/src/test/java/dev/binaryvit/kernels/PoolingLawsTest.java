package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Laws of the pooling kernels, checked on the active (vector) implementation. Constants and data
 * here are small dyadic numbers ({@code n / 64}, |n| &lt;= 1024): sums of up to a few thousand of
 * them are exact in float, so a mean of copies of v is exactly v and the laws hold with equality.
 */
@Tag("vector-width")
class PoolingLawsTest {

    private static final Pooling POOLING = Pooling.active();

    /** A small dyadic number: its sums of up to 2^14 terms are exact. */
    private static float dyadic(Random random) {
        return (random.nextInt(2049) - 1024) / 64f;
    }

    private static float[] dyadics(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = dyadic(random);
        }
        return x;
    }

    private static float[] constant(int n, float v) {
        float[] x = new float[n];
        Arrays.fill(x, v);
        return x;
    }

    @Test
    void avgPoolOfAConstantIsTheConstant() {
        Gen<int[]> shapes = integers().between(1, 3).zip(integers().between(1, 5), integers().between(1, 5),
                integers().between(1, 70), (b, ho, wo, c) -> new int[] {b, ho, wo, c});
        qt().withExamples(80).forAll(shapes, integers().between(1, 8), longs().all()).checkAssert((s, k, seed) -> {
            float v = dyadic(new Random(seed));
            int h = s[1] * k;
            int w = s[2] * k;
            float[] out = new float[s[0] * s[1] * s[2] * s[3]];
            POOLING.avgPool(constant(s[0] * h * w * s[3], v), s[0], h, w, s[3], k, out);
            assertArrayEquals(constant(out.length, v), out, "v=" + v + " k=" + k);
        });
    }

    @Test
    void aStripPoolOfAConstantIsTheConstantInsideAndCountOverKTimesItAtTheBorder() {
        qt().withExamples(120).forAll(PoolingPropertiesTest.grids(), integers().between(0, 4),
                integers().between(0, 1), longs().all()).checkAssert((s, half, axis, seed) -> {
                    int batch = s[0];
                    int h = s[1];
                    int w = s[2];
                    int c = s[3];
                    int k = 2 * half + 1;
                    boolean alongY = axis == 1;
                    float v = dyadic(new Random(seed));
                    float[] acc = new float[batch * h * w * c];
                    POOLING.stripPoolAccumulate(constant(acc.length, v), batch, h, w, c, k, alongY, null, null, acc);
                    int extent = alongY ? h : w;
                    for (int b = 0; b < batch; b++) {
                        for (int y = 0; y < h; y++) {
                            for (int x = 0; x < w; x++) {
                                int pos = alongY ? y : x;
                                int inGrid = Math.min(half, pos) + 1 + Math.min(half, extent - 1 - pos);
                                // count * v is exact, so the kernel's sum is; fma(1, mean, 0) is the mean
                                // (v is never -0 here: dyadic(...) gives +0 for 0).
                                float expected = inGrid == k ? v : (inGrid * v) / k;
                                for (int ch = 0; ch < c; ch++) {
                                    int i = (((b * h + y) * w) + x) * c + ch;
                                    assertEquals(expected, acc[i], 0f,
                                            "y=" + y + " x=" + x + " in-grid taps " + inGrid + " of k=" + k);
                                }
                            }
                        }
                    }
                });
    }

    @Test
    void stripPoolWithKernelOneIsTheLayerScale() {
        qt().withExamples(60).forAll(PoolingPropertiesTest.grids(), longs().all()).checkAssert((s, seed) -> {
            Random random = new Random(seed);
            int n = s[0] * s[1] * s[2] * s[3];
            float[] x = PoolingPropertiesTest.wide(random, n);
            float[] alpha = TestData.floats(random, s[3], -2f, 2f);
            float[] move = TestData.floats(random, s[3]);
            float[] acc = PoolingPropertiesTest.wide(random, n);
            float[] expected = acc.clone();
            for (int i = 0; i < n; i++) {
                int ch = i % s[3];
                expected[i] = expected[i] + Math.fma(alpha[ch], x[i] / 1, move[ch]);
            }
            POOLING.stripPoolAccumulate(x, s[0], s[1], s[2], s[3], 1, true, alpha, move, acc);
            assertArrayEquals(expected, acc);
        });
    }

    @Test
    void upsamplingThenAvgPoolingByTheSameFactorIsTheIdentity() {
        Gen<int[]> shapes = integers().between(1, 3).zip(integers().between(1, 8), integers().between(1, 8),
                integers().between(1, 70), (b, hs, ws, c) -> new int[] {b, hs, ws, c});
        qt().withExamples(80).forAll(shapes, integers().between(1, 6), longs().all()).checkAssert((s, r, seed) -> {
            int batch = s[0];
            int hs = s[1];
            int ws = s[2];
            int c = s[3];
            float[] src = dyadics(new Random(seed), batch * hs * ws * c);
            float[] up = new float[batch * hs * r * ws * r * c];
            POOLING.upsampleNearest(src, batch, hs, ws, c, r, up);
            float[] back = new float[src.length];
            POOLING.avgPool(up, batch, hs * r, ws * r, c, r, back);
            assertArrayEquals(src, back, "r=" + r);

            float[] acc = new float[up.length];
            POOLING.upsampleNearestAdd(src, batch, hs, ws, c, r, acc); // 0 + v = v: the same as upsampling
            assertArrayEquals(up, acc, "upsample-add into zeros, r=" + r);
        });
    }

    @Test
    void channelPoolingARepeatedChannelIsTheIdentityAndOfATilingIsTheRowMean() {
        qt().withExamples(100).forAll(integers().between(1, 30), integers().between(1, 70), integers().between(1, 9),
                longs().all()).checkAssert((rows, c, r, seed) -> {
                    float[] x = dyadics(new Random(seed), rows * c);
                    // Each channel repeated r times in place: pooling by r gives x back.
                    float[] repeated = new float[rows * c * r];
                    for (int i = 0; i < repeated.length; i++) {
                        repeated[i] = x[i / r];
                    }
                    float[] back = new float[rows * c];
                    POOLING.channelPool(repeated, rows, c * r, r, back);
                    assertArrayEquals(x, back, "repeat-interleave, r=" + r);
                    // Tiling puts whole copies of a row side by side, so pooling by c gives its mean
                    // in every group: channelPool_c(tile(x, r)) = tile(channelPool_c(x), r).
                    float[] tiled = new float[rows * c * r];
                    Elementwise.active().tile(x, rows, c, r, tiled);
                    float[] pooled = new float[rows * r];
                    POOLING.channelPool(tiled, rows, c * r, c, pooled);
                    float[] means = new float[rows];
                    POOLING.channelPool(x, rows, c, c, means);
                    float[] expected = new float[rows * r];
                    Elementwise.active().tile(means, rows, 1, r, expected);
                    assertArrayEquals(expected, pooled, "tile then pool by c, times=" + r);
                });
    }

    @Test
    void poolingOneChannelOrOneTokenOrOneCellChangesNothing() {
        qt().withExamples(60).forAll(PoolingPropertiesTest.grids(), longs().all()).checkAssert((s, seed) -> {
            int n = s[0] * s[1] * s[2] * s[3];
            float[] x = PoolingPropertiesTest.wide(new Random(seed), n);
            float[] out = new float[n];
            POOLING.channelPool(x, s[0] * s[1] * s[2], s[3], 1, out);
            assertArrayEquals(x, out, "channelPool r=1");
            POOLING.avgPool(x, s[0], s[1], s[2], s[3], 1, out);
            assertArrayEquals(x, out, "avgPool k=1");
            POOLING.upsampleNearest(x, s[0], s[1], s[2], s[3], 1, out);
            assertArrayEquals(x, out, "upsample r=1");
            POOLING.globalAvgPool(x, s[0] * s[1] * s[2], 1, s[3], out);
            assertArrayEquals(x, out, "globalAvgPool n=1");
        });
    }

    @Test
    void globalAvgPoolOfAConstantIsTheConstant() {
        qt().withExamples(80).forAll(integers().between(1, 3), integers().between(1, 300), integers().between(1, 130),
                longs().all()).checkAssert((batch, n, c, seed) -> {
                    float v = dyadic(new Random(seed));
                    float[] out = new float[batch * c];
                    POOLING.globalAvgPool(constant(batch * n * c, v), batch, n, c, out);
                    assertArrayEquals(constant(batch * c, v), out, "v=" + v + " n=" + n);
                });
    }

    @Test
    void steppedCoarseTokensAreTheDividedOnesAndTheUpsamplingsSource() {
        qt().withExamples(200).forAll(integers().between(1, 6), integers().between(1, 5), longs().all())
                .checkAssert((coarse, r, seed) -> {
                    Random random = new Random(seed);
                    int batch = 1 + random.nextInt(3);
                    int fine = coarse * r;
                    int rows = batch * fine * fine;
                    int from = random.nextInt(rows);
                    int count = 1 + random.nextInt(rows - from);
                    int[] stepped = new int[count];
                    Pooling.coarseTokens(from, count, coarse, r, 3, stepped);
                    for (int i = 0; i < count; i++) {
                        int row = from + i;
                        assertEquals(3 * Pooling.coarseToken(row, coarse, r), stepped[i], "row " + row);
                        // the token that upsampling reads: image b, fine (y, x) -> coarse (y / r, x / r)
                        int b = row / (fine * fine);
                        int y = row % (fine * fine) / fine;
                        int x = row % fine;
                        assertEquals((b * coarse + y / r) * coarse + x / r, Pooling.coarseToken(row, coarse, r));
                    }
                });
    }
}
