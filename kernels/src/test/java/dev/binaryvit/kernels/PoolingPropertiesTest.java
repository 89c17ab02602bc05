package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The vector pooling kernels against their reference over generated shapes (channel counts with
 * every tail, grids down to 1 x 1, every k and r that fits) and data with signed zeros and spread
 * exponents (see {@link #wide}). The vector
 * path adds in the reference's order and divides by the same count, so every comparison is exact:
 * {@code assertArrayEquals(float[], float[])} compares the bits (it tells -0 from +0). Tagged so the
 * 256- and 128-bit surefire executions run it again on those paths.
 */
@Tag("vector-width")
class PoolingPropertiesTest {

    private static final Pooling VECTOR = Pooling.active();
    private static final Pooling REFERENCE = Pooling.reference();

    /** batch 1..3, an h x w grid of 1..30 each, c 1..130. */
    static Gen<int[]> grids() {
        return integers().between(1, 3).zip(integers().between(1, 30), integers().between(1, 30),
                integers().between(1, 130), (b, h, w, c) -> new int[] {b, h, w, c});
    }

    @Test
    void avgPoolEqualsTheReference() {
        Gen<int[]> shapes = integers().between(1, 3).zip(integers().between(1, 6), integers().between(1, 6),
                integers().between(1, 130), (b, ho, wo, c) -> new int[] {b, ho, wo, c});
        qt().withExamples(120).forAll(shapes, integers().between(1, 8), longs().all()).checkAssert((s, k, seed) -> {
            int batch = s[0];
            int h = s[1] * k;
            int w = s[2] * k;
            int c = s[3];
            float[] x = wide(new Random(seed), batch * h * w * c);
            float[] expected = new float[batch * s[1] * s[2] * c];
            float[] actual = new float[expected.length];
            REFERENCE.avgPool(x, batch, h, w, c, k, expected);
            VECTOR.avgPool(x, batch, h, w, c, k, actual);
            assertArrayEquals(expected, actual, () -> shape(batch, h, w, c) + " k=" + k);
        });
    }

    @Test
    void stripPoolEqualsTheReference() {
        qt().withExamples(150).forAll(grids(), integers().between(0, 4), integers().between(0, 1), longs().all())
                .checkAssert((s, half, axis, seed) -> {
                    int k = 2 * half + 1;
                    boolean alongY = axis == 1;
                    Random random = new Random(seed);
                    StripCase sc = StripCase.random(random, s);
                    float[] expected = sc.acc.clone();
                    float[] actual = sc.acc.clone();
                    REFERENCE.stripPoolAccumulate(sc.x, s[0], s[1], s[2], s[3], k, alongY, sc.alpha[0], sc.move[0],
                            expected);
                    VECTOR.stripPoolAccumulate(sc.x, s[0], s[1], s[2], s[3], k, alongY, sc.alpha[0], sc.move[0],
                            actual);
                    assertArrayEquals(expected, actual,
                            () -> shape(s) + " k=" + k + " alongY=" + alongY + " " + sc);
                });
    }

    @Test
    void fourStripBranchesInOnePassEqualFourReferenceBranches() {
        qt().withExamples(150).forAll(grids(), longs().all()).checkAssert((s, seed) -> {
            StripCase sc = StripCase.random(new Random(seed), s);
            float[] expected = sc.acc.clone();
            sc.fourReferenceBranches(expected);
            float[] actual = sc.acc.clone();
            sc.branches(VECTOR, actual, Parallel.SERIAL);
            assertArrayEquals(expected, actual, () -> shape(s) + " " + sc);
            float[] reference = sc.acc.clone();
            sc.branches(REFERENCE, reference, Parallel.SERIAL);
            assertArrayEquals(expected, reference, () -> "reference one-pass form, " + shape(s) + " " + sc);
        });
    }

    @Test
    void channelPoolEqualsTheReference() {
        qt().withExamples(150).forAll(integers().between(1, 40), integers().between(1, 70), integers().between(1, 10),
                longs().all()).checkAssert((rows, groups, r, seed) -> {
                    int c = groups * r;
                    float[] x = wide(new Random(seed), rows * c);
                    float[] expected = new float[rows * groups];
                    float[] actual = new float[rows * groups];
                    REFERENCE.channelPool(x, rows, c, r, expected);
                    VECTOR.channelPool(x, rows, c, r, actual);
                    assertArrayEquals(expected, actual, () -> "rows=" + rows + " c=" + c + " r=" + r);
                });
    }

    @Test
    void channelPoolOfTheModelsRatiosEqualsTheReference() {
        // AvgPool1d(I / C) of BinaryViT: r = 8 and 4 on the model's widths, plus r = 2.
        qt().withExamples(40).forAll(integers().between(1, 50), integers().between(0, 2), integers().between(0, 3),
                longs().all()).checkAssert((rows, rPick, widthPick, seed) -> {
                    int r = new int[] {8, 4, 2}[rPick];
                    int c = new int[] {512, 1024, 1024, 2048}[widthPick];
                    float[] x = wide(new Random(seed), rows * c);
                    float[] expected = new float[rows * (c / r)];
                    float[] actual = new float[expected.length];
                    REFERENCE.channelPool(x, rows, c, r, expected);
                    VECTOR.channelPool(x, rows, c, r, actual);
                    assertArrayEquals(expected, actual, () -> "rows=" + rows + " c=" + c + " r=" + r);
                });
    }

    @Test
    void upsamplingEqualsTheReference() {
        Gen<int[]> shapes = integers().between(1, 3).zip(integers().between(1, 10), integers().between(1, 10),
                integers().between(1, 130), (b, hs, ws, c) -> new int[] {b, hs, ws, c});
        qt().withExamples(120).forAll(shapes, integers().between(1, 5), longs().all()).checkAssert((s, r, seed) -> {
            int batch = s[0];
            int hs = s[1];
            int ws = s[2];
            int c = s[3];
            Random random = new Random(seed);
            float[] src = wide(random, batch * hs * ws * c);
            int outSize = batch * hs * r * ws * r * c;
            float[] expected = new float[outSize];
            float[] actual = new float[outSize];
            java.util.Arrays.fill(actual, Float.NaN); // every element must be written
            REFERENCE.upsampleNearest(src, batch, hs, ws, c, r, expected);
            VECTOR.upsampleNearest(src, batch, hs, ws, c, r, actual);
            assertArrayEquals(expected, actual, () -> "upsample " + shape(batch, hs, ws, c) + " r=" + r);

            float[] acc = wide(random, outSize);
            float[] expectedAcc = acc.clone();
            REFERENCE.upsampleNearestAdd(src, batch, hs, ws, c, r, expectedAcc);
            VECTOR.upsampleNearestAdd(src, batch, hs, ws, c, r, acc);
            assertArrayEquals(expectedAcc, acc, () -> "upsample-add " + shape(batch, hs, ws, c) + " r=" + r);
        });
    }

    @Test
    void globalAvgPoolEqualsTheReference() {
        qt().withExamples(120).forAll(integers().between(1, 3), integers().between(1, 200), integers().between(1, 130),
                longs().all()).checkAssert((batch, n, c, seed) -> {
                    float[] x = wide(new Random(seed), batch * n * c);
                    float[] expected = new float[batch * c];
                    float[] actual = new float[batch * c];
                    REFERENCE.globalAvgPool(x, batch, n, c, expected);
                    VECTOR.globalAvgPool(x, batch, n, c, actual);
                    assertArrayEquals(expected, actual, () -> "batch=" + batch + " n=" + n + " c=" + c);
                });
    }

    @Test
    void negativeZerosStayNegativeLikeInTheReference() {
        // The vector strip pass adds -0.0 for taps outside the grid where the reference skips them;
        // the two agree only because -0.0 is the exact additive identity. Random data almost never
        // shows a sign of zero in the output (the window, move and acc must all be -0), so this
        // feeds exactly that: all -0 data, -0 moves, a -0 accumulator.
        qt().withExamples(30).forAll(grids(), longs().all()).checkAssert((s, seed) -> {
            int n = s[0] * s[1] * s[2] * s[3];
            float[] x = new float[n];
            java.util.Arrays.fill(x, -0f);
            float[] minusZeroMove = new float[s[3]];
            java.util.Arrays.fill(minusZeroMove, -0f);
            float[][] alpha = new float[4][];
            float[][] move = {minusZeroMove, minusZeroMove, minusZeroMove, minusZeroMove};
            StripCase sc = new StripCase(x, x.clone(), alpha, move, s);
            float[] expected = sc.acc.clone();
            sc.fourReferenceBranches(expected);
            float[] actual = sc.acc.clone();
            sc.branches(VECTOR, actual, Parallel.SERIAL);
            assertArrayEquals(expected, actual, () -> "strip branches " + shape(s));
            for (int k = 1; k <= 7; k += 2) {
                for (boolean alongY : new boolean[] {true, false}) {
                    float[] e = sc.acc.clone();
                    float[] a = sc.acc.clone();
                    REFERENCE.stripPoolAccumulate(x, s[0], s[1], s[2], s[3], k, alongY, null, minusZeroMove, e);
                    VECTOR.stripPoolAccumulate(x, s[0], s[1], s[2], s[3], k, alongY, null, minusZeroMove, a);
                    int kk = k;
                    assertArrayEquals(e, a, () -> "strip k=" + kk + " alongY=" + alongY + " " + shape(s));
                }
            }
        });
    }

    @Test
    void twoThreadsGiveTheSameBitsAsOne() {
        try (Parallel two = Parallel.of(2)) {
            qt().withExamples(60).forAll(grids(), integers().between(1, 4), longs().all()).checkAssert((s, r, seed) -> {
                int batch = s[0];
                int h = s[1];
                int w = s[2];
                int c = s[3];
                Random random = new Random(seed);
                StripCase sc = StripCase.random(random, s);
                float[] one = sc.acc.clone();
                float[] both = sc.acc.clone();
                sc.branches(VECTOR, one, Parallel.SERIAL);
                sc.branches(VECTOR, both, two);
                assertArrayEquals(one, both, "strip branches");
                one = sc.acc.clone();
                both = sc.acc.clone();
                VECTOR.stripPoolAccumulate(sc.x, batch, h, w, c, 5, false, sc.alpha[1], sc.move[1], one);
                VECTOR.stripPoolAccumulate(sc.x, batch, h, w, c, 5, false, sc.alpha[1], sc.move[1], both, two);
                assertArrayEquals(one, both, "strip pool");

                int k = largestDivisorUpTo(Math.min(h, w), r, h, w);
                float[] p1 = new float[batch * (h / k) * (w / k) * c];
                float[] p2 = new float[p1.length];
                VECTOR.avgPool(sc.x, batch, h, w, c, k, p1);
                VECTOR.avgPool(sc.x, batch, h, w, c, k, p2, two);
                assertArrayEquals(p1, p2, "avgPool k=" + k);

                int rows = batch * h * w;
                float[] c1 = new float[rows];
                float[] c2 = new float[rows];
                VECTOR.channelPool(sc.x, rows, c, c, c1); // r = c: one mean per token
                VECTOR.channelPool(sc.x, rows, c, c, c2, two);
                assertArrayEquals(c1, c2, "channelPool");
                if (c % r == 0) {
                    float[] d1 = new float[rows * c / r];
                    float[] d2 = new float[d1.length];
                    VECTOR.channelPool(sc.x, rows, c, r, d1);
                    VECTOR.channelPool(sc.x, rows, c, r, d2, two);
                    assertArrayEquals(d1, d2, "channelPool r=" + r);
                }

                float[] u1 = new float[batch * h * r * w * r * c];
                float[] u2 = new float[u1.length];
                VECTOR.upsampleNearest(sc.x, batch, h, w, c, r, u1);
                VECTOR.upsampleNearest(sc.x, batch, h, w, c, r, u2, two);
                assertArrayEquals(u1, u2, "upsample");
                VECTOR.upsampleNearestAdd(sc.x, batch, h, w, c, r, u1);
                VECTOR.upsampleNearestAdd(sc.x, batch, h, w, c, r, u2, two);
                assertArrayEquals(u1, u2, "upsample-add");

                float[] g1 = new float[batch * c];
                float[] g2 = new float[batch * c];
                VECTOR.globalAvgPool(sc.x, batch, h * w, c, g1);
                VECTOR.globalAvgPool(sc.x, batch, h * w, c, g2, two);
                assertArrayEquals(g1, g2, "globalAvgPool");
            });
        }
    }

    /**
     * Values {@code ±m * 2^e} with a full 24-bit mantissa m in [1, 2) and e in [-8, 8], one in ten
     * an exact 0 or -0. Values on one fixed grid (such as {@link TestData#floats}, multiples of
     * 2^-23 in [-1, 1)) add up exactly most of the time and would hide a change of summation order.
     */
    static float[] wide(Random random, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(20);
            if (pick < 2) {
                x[i] = pick == 0 ? 0f : -0f;
            } else {
                float m = 1f + random.nextInt(1 << 23) / (float) (1 << 23);
                x[i] = Math.scalb(random.nextBoolean() ? m : -m, random.nextInt(17) - 8);
            }
        }
        return x;
    }

    /** The largest k <= limit dividing both h and w, starting the search at {@code from}. */
    private static int largestDivisorUpTo(int limit, int from, int h, int w) {
        for (int k = Math.min(limit, from); k > 1; k--) {
            if (h % k == 0 && w % k == 0) {
                return k;
            }
        }
        return 1;
    }

    static String shape(int[] s) {
        return shape(s[0], s[1], s[2], s[3]);
    }

    static String shape(int batch, int h, int w, int c) {
        return "batch=" + batch + " h=" + h + " w=" + w + " c=" + c;
    }

    /** Activations, an accumulator and the four branches' LayerScale parameters, some of them null. */
    record StripCase(float[] x, float[] acc, float[][] alpha, float[][] move, int[] shape) {

        static StripCase random(Random random, int[] s) {
            int size = s[0] * s[1] * s[2] * s[3];
            float[][] alpha = new float[4][];
            float[][] move = new float[4][];
            for (int i = 0; i < 4; i++) {
                alpha[i] = random.nextInt(5) == 0 ? null : TestData.floats(random, s[3], -2f, 2f);
                move[i] = random.nextInt(5) == 0 ? null : wide(random, s[3]);
            }
            return new StripCase(wide(random, size), wide(random, size), alpha, move, s);
        }

        /** The four branches as the model writes them: four reference calls in the order h3, w3, h5, w5. */
        void fourReferenceBranches(float[] into) {
            Pooling ref = Pooling.reference();
            int[] s = shape;
            ref.stripPoolAccumulate(x, s[0], s[1], s[2], s[3], 3, true, alpha[0], move[0], into);
            ref.stripPoolAccumulate(x, s[0], s[1], s[2], s[3], 3, false, alpha[1], move[1], into);
            ref.stripPoolAccumulate(x, s[0], s[1], s[2], s[3], 5, true, alpha[2], move[2], into);
            ref.stripPoolAccumulate(x, s[0], s[1], s[2], s[3], 5, false, alpha[3], move[3], into);
        }

        void branches(Pooling pooling, float[] into, Parallel parallel) {
            int[] s = shape;
            pooling.stripBranchesAccumulate(x, s[0], s[1], s[2], s[3], alpha[0], move[0], alpha[1], move[1],
                    alpha[2], move[2], alpha[3], move[3], into, parallel);
        }

        @Override
        public String toString() {
            StringBuilder nulls = new StringBuilder("null params:");
            for (int i = 0; i < 4; i++) {
                nulls.append(alpha[i] == null ? " alpha" + i : "").append(move[i] == null ? " move" + i : "");
            }
            return nulls.toString();
        }
    }
}
