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

/**
 * The vector elementwise kernels against their reference over generated shapes (rows 1..60,
 * channels 1..130: every tail) and data with signed zeros and spread exponents, plus their laws.
 * The vector path performs the reference's float operations in its order, so the comparisons are
 * exact, bit for bit. Tagged so the 256- and 128-bit surefire executions run it again.
 */
@Tag("vector-width")
class ElementwisePropertiesTest {

    private static final Elementwise VECTOR = Elementwise.active();
    private static final Elementwise REFERENCE = Elementwise.reference();

    @Test
    void affineEqualsTheReferenceInPlaceOrNot() {
        qt().withExamples(150).forAll(integers().between(1, 60), integers().between(1, 130), longs().all())
                .checkAssert((rows, c, seed) -> {
                    Params p = Params.random(new Random(seed), rows, c);
                    float[] expected = new float[rows * c];
                    REFERENCE.affine(p.x, rows, c, p.a, p.b, expected);
                    float[] actual = new float[rows * c];
                    VECTOR.affine(p.x, rows, c, p.a, p.b, actual);
                    assertArrayEquals(expected, actual, () -> p + " rows=" + rows + " c=" + c);
                    float[] inPlace = p.x.clone();
                    VECTOR.affine(inPlace, rows, c, p.a, p.b, inPlace);
                    assertArrayEquals(expected, inPlace, "in place");
                });
    }

    @Test
    void rpreluEqualsTheReferenceInPlaceOrNot() {
        qt().withExamples(150).forAll(integers().between(1, 60), integers().between(1, 130), longs().all())
                .checkAssert((rows, c, seed) -> {
                    Params p = Params.random(new Random(seed), rows, c);
                    float[] expected = new float[rows * c];
                    REFERENCE.rprelu(p.x, rows, c, p.move1, p.slope, p.move2, expected);
                    float[] actual = new float[rows * c];
                    VECTOR.rprelu(p.x, rows, c, p.move1, p.slope, p.move2, actual);
                    assertArrayEquals(expected, actual, () -> "rows=" + rows + " c=" + c);
                    float[] inPlace = p.x.clone();
                    VECTOR.rprelu(inPlace, rows, c, p.move1, p.slope, p.move2, inPlace);
                    assertArrayEquals(expected, inPlace, "in place");
                });
    }

    @Test
    void theFusedPassPacksTheSignsOfItsOutput() {
        qt().withExamples(150).forAll(integers().between(1, 60), integers().between(1, 200), longs().all())
                .checkAssert((rows, c, seed) -> {
                    Random random = new Random(seed);
                    Params p = Params.random(random, rows, c);
                    float[] residual = random.nextBoolean() ? TestData.floats(random, rows * c) : null;
                    float[] shift = random.nextBoolean() ? TestData.floats(random, c) : null;
                    int words = BitPacking.words(c);
                    float[] expected = new float[rows * c];
                    long[] expectedSigns = new long[rows * words];
                    REFERENCE.affineResidualRprelu(p.x, rows, c, p.a, p.b, residual, p.move1, p.slope, p.move2, expected,
                            shift, expectedSigns, Parallel.SERIAL);
                    float[] actual = new float[rows * c];
                    long[] signs = new long[rows * words];
                    java.util.Arrays.fill(signs, -1L);
                    VECTOR.affineResidualRprelu(p.x, rows, c, p.a, p.b, residual, p.move1, p.slope, p.move2, actual,
                            shift, signs, Parallel.SERIAL);
                    assertArrayEquals(expected, actual, () -> "rows=" + rows + " c=" + c);
                    assertArrayEquals(expectedSigns, signs, () -> "rows=" + rows + " c=" + c);
                    long[] packed = new long[rows * words];
                    BitPacking.active().pack(actual, rows, c, shift, packed);
                    assertArrayEquals(packed, signs, "signs == pack(out + shift)");
                    float[] inPlace = p.x.clone(); // the model's context epilogue runs in place
                    long[] inPlaceSigns = new long[rows * words];
                    VECTOR.affineResidualRprelu(inPlace, rows, c, p.a, p.b, residual, p.move1, p.slope, p.move2,
                            inPlace, shift, inPlaceSigns, Parallel.SERIAL);
                    assertArrayEquals(expected, inPlace, () -> "in place, rows=" + rows + " c=" + c);
                    assertArrayEquals(expectedSigns, inPlaceSigns, () -> "in place signs, rows=" + rows + " c=" + c);
                });
    }

    @Test
    void theUpsampledFusedPassIsAddThenUpsampleThenTheFusedPass() {
        qt().withExamples(150).forAll(integers().between(1, 3), integers().between(1, 4), integers().between(1, 90), longs().all())
                .checkAssert((batch, r, c, seed) -> {
                    Random random = new Random(seed);
                    int kvGrid = 1 + random.nextInt(5);
                    int grid = kvGrid * r;
                    int rows = batch * grid * grid;
                    int coarseRows = batch * kvGrid * kvGrid;
                    Params p = Params.random(random, rows, c);
                    float[] q = TestData.floats(random, rows * c);
                    float[] k = TestData.floats(random, coarseRows * c);
                    float[] v = TestData.floats(random, coarseRows * c);
                    float[] shift = random.nextBoolean() ? TestData.floats(random, c) : null;
                    boolean rprelu = random.nextBoolean();
                    float[] m1 = rprelu ? p.move1 : null;
                    float[] sl = rprelu ? p.slope : null;
                    float[] m2 = rprelu ? p.move2 : null;
                    int words = BitPacking.words(c);
                    // The chain the model ran before: k + v, upsampled into a copy of q, then the fused pass.
                    float[] sum = new float[coarseRows * c];
                    REFERENCE.add(k, v, coarseRows * c, sum);
                    float[] shortcut = q.clone();
                    Pooling.reference().upsampleNearestAdd(sum, batch, kvGrid, kvGrid, c, r, shortcut);
                    float[] expected = new float[rows * c];
                    long[] expectedSigns = new long[rows * words];
                    REFERENCE.affineResidualRprelu(p.x, rows, c, p.a, p.b, shortcut, m1, sl, m2, expected, shift,
                            expectedSigns, Parallel.SERIAL);
                    String shape = "batch=" + batch + " kvGrid=" + kvGrid + " r=" + r + " c=" + c;
                    try (Parallel two = Parallel.of(2)) {
                        for (Elementwise e : new Elementwise[] {REFERENCE, VECTOR}) {
                            for (Parallel parallel : new Parallel[] {Parallel.SERIAL, two}) {
                                float[] out = p.x.clone(); // in place, as the model runs it
                                long[] signs = new long[rows * words];
                                Arrays.fill(signs, -1L);
                                e.affineResidualRprelu(out, batch, kvGrid, r, c, p.a, p.b, q, k, v, m1, sl, m2, out,
                                        shift, signs, parallel);
                                assertArrayEquals(expected, out, () -> shape);
                                assertArrayEquals(expectedSigns, signs, () -> shape);
                            }
                        }
                    }
                });
    }

    @Test
    void addRepeatedEqualsTheReferenceAndAddingEachBlock() {
        qt().withExamples(150).forAll(integers().between(1, 4), integers().between(1, 700), longs().all())
                .checkAssert((blocks, period, seed) -> {
                    Random random = new Random(seed);
                    int length = blocks * period;
                    float[] x = TestData.floats(random, length);
                    float[] y = TestData.floats(random, period);
                    float[] expected = new float[length];
                    REFERENCE.addRepeated(x, length, y, period, expected);
                    float[] actual = x.clone();
                    try (Parallel two = Parallel.of(2)) {
                        VECTOR.addRepeated(actual, length, y, period, actual, two); // in place, split anywhere
                    }
                    assertArrayEquals(expected, actual, () -> "blocks=" + blocks + " period=" + period);
                    for (int b = 0; b < blocks; b++) {
                        for (int i = 0; i < period; i++) {
                            assertEquals(x[b * period + i] + y[i], expected[b * period + i]);
                        }
                    }
                });
    }

    @Test
    void addEqualsTheReference() {
        qt().withExamples(100).forAll(integers().between(0, 3000), longs().all()).checkAssert((length, seed) -> {
            Random random = new Random(seed);
            float[] x = PoolingPropertiesTest.wide(random, length + random.nextInt(3));
            float[] y = PoolingPropertiesTest.wide(random, length + random.nextInt(3));
            float[] expected = new float[length + 2];
            float[] actual = new float[length + 2];
            Arrays.fill(expected, 7f);
            Arrays.fill(actual, 7f); // past length: untouched
            REFERENCE.add(x, y, length, expected);
            VECTOR.add(x, y, length, actual);
            assertArrayEquals(expected, actual, "length=" + length);
            float[] inPlace = Arrays.copyOf(x, length);
            VECTOR.add(inPlace, y, length, inPlace);
            assertArrayEquals(Arrays.copyOf(expected, length), inPlace, "in place");
        });
    }

    @Test
    void tileEqualsTheReferenceAndRepeatsEachRow() {
        qt().withExamples(100).forAll(integers().between(1, 40), integers().between(1, 130), integers().between(1, 9),
                longs().all()).checkAssert((rows, c, times, seed) -> {
                    float[] x = PoolingPropertiesTest.wide(new Random(seed), rows * c);
                    float[] expected = new float[rows * c * times];
                    float[] actual = new float[rows * c * times];
                    Arrays.fill(actual, Float.NaN);
                    REFERENCE.tile(x, rows, c, times, expected);
                    VECTOR.tile(x, rows, c, times, actual);
                    assertArrayEquals(expected, actual, () -> "rows=" + rows + " c=" + c + " times=" + times);
                    for (int row = 0; row < rows; row++) {
                        for (int t = 0; t < times; t++) {
                            assertArrayEquals(Arrays.copyOfRange(x, row * c, row * c + c),
                                    Arrays.copyOfRange(actual, (row * times + t) * c, (row * times + t + 1) * c),
                                    "row " + row + " copy " + t);
                        }
                    }
                });
    }

    @Test
    void theFusedPassEqualsTheReferenceAndTheSeparateKernels() {
        qt().withExamples(150).forAll(integers().between(1, 60), integers().between(1, 130), longs().all())
                .checkAssert((rows, c, seed) -> {
                    Random random = new Random(seed);
                    Params p = Params.random(random, rows, c);
                    boolean withResidual = random.nextBoolean();
                    boolean withRprelu = random.nextBoolean();
                    float[] residual = withResidual ? PoolingPropertiesTest.wide(random, rows * c) : null;
                    float[] m1 = withRprelu ? p.move1 : null;
                    float[] sl = withRprelu ? p.slope : null;
                    float[] m2 = withRprelu ? p.move2 : null;
                    String what = p + " residual=" + withResidual + " rprelu=" + withRprelu + " rows=" + rows + " c=" + c;

                    float[] expected = new float[rows * c];
                    REFERENCE.affineResidualRprelu(p.x, rows, c, p.a, p.b, residual, m1, sl, m2, expected);
                    float[] actual = new float[rows * c];
                    VECTOR.affineResidualRprelu(p.x, rows, c, p.a, p.b, residual, m1, sl, m2, actual);
                    assertArrayEquals(expected, actual, what);

                    // The same float operations as the separate kernels one after the other.
                    float[] steps = new float[rows * c];
                    VECTOR.affine(p.x, rows, c, p.a, p.b, steps);
                    if (withResidual) {
                        VECTOR.add(steps, residual, rows * c, steps);
                    }
                    if (withRprelu) {
                        VECTOR.rprelu(steps, rows, c, m1, sl, m2, steps);
                    }
                    assertArrayEquals(expected, steps, "separate kernels, " + what);

                    // In place, the residual being the output as well.
                    if (withResidual) {
                        float[] acc = residual.clone();
                        VECTOR.affineResidualRprelu(p.x, rows, c, p.a, p.b, acc, m1, sl, m2, acc);
                        assertArrayEquals(expected, acc, "residual is out, " + what);
                    }
                    float[] x = p.x.clone();
                    VECTOR.affineResidualRprelu(x, rows, c, p.a, p.b, residual, m1, sl, m2, x);
                    assertArrayEquals(expected, x, "x is out, " + what);
                });
    }

    @Test
    void theIdentityAffineKeepsEveryValue() {
        qt().withExamples(60).forAll(integers().between(1, 60), integers().between(1, 130), longs().all())
                .checkAssert((rows, c, seed) -> {
                    float[] x = PoolingPropertiesTest.wide(new Random(seed), rows * c);
                    float[] ones = new float[c];
                    Arrays.fill(ones, 1f);
                    float[] out = new float[rows * c];
                    VECTOR.affine(x, rows, c, ones, new float[c], out);
                    float[] outNull = new float[rows * c];
                    VECTOR.affine(x, rows, c, null, null, outNull);
                    assertArrayEquals(out, outNull, "null a, b mean 1, 0");
                    for (int i = 0; i < x.length; i++) {
                        // fma(x, 1, 0) == x, except that -0 becomes +0 (-0 + 0 = +0), which == counts equal.
                        assertEquals(true, out[i] == x[i], "x=" + x[i] + " out=" + out[i]);
                        if (x[i] != 0f) {
                            assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(out[i]));
                        }
                    }
                    // RPReLU with slope 1 and no moves is the identity too (up to the sign of zero).
                    float[] zeros = new float[c];
                    float[] rp = new float[rows * c];
                    VECTOR.rprelu(x, rows, c, zeros, ones, zeros, rp);
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(true, rp[i] == x[i], "rprelu x=" + x[i] + " out=" + rp[i]);
                    }
                });
    }

    @Test
    void rpreluIsTheShiftedPreluItClaims() {
        // y = x - move1 >= 0 passes through, else it is scaled by the slope; then move2 is added.
        qt().withExamples(60).forAll(integers().between(1, 20), integers().between(1, 70), longs().all())
                .checkAssert((rows, c, seed) -> {
                    Params p = Params.random(new Random(seed), rows, c);
                    float[] out = new float[rows * c];
                    VECTOR.rprelu(p.x, rows, c, p.move1, p.slope, p.move2, out);
                    for (int i = 0; i < out.length; i++) {
                        int ch = i % c;
                        float y = p.x[i] - p.move1[ch];
                        float expected = (y >= 0f ? y : p.slope[ch] * y) + p.move2[ch];
                        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(out[i]), "i=" + i);
                    }
                });
    }

    @Test
    void twoThreadsGiveTheSameBitsAsOne() {
        try (Parallel two = Parallel.of(2)) {
            qt().withExamples(60).forAll(integers().between(1, 100), integers().between(1, 130), longs().all())
                    .checkAssert((rows, c, seed) -> {
                        Random random = new Random(seed);
                        Params p = Params.random(random, rows, c);
                        float[] residual = PoolingPropertiesTest.wide(random, rows * c);
                        float[] one = new float[rows * c];
                        float[] both = new float[rows * c];
                        VECTOR.affineResidualRprelu(p.x, rows, c, p.a, p.b, residual, p.move1, p.slope, p.move2, one);
                        VECTOR.affineResidualRprelu(p.x, rows, c, p.a, p.b, residual, p.move1, p.slope, p.move2, both,
                                two);
                        assertArrayEquals(one, both, "fused");
                        VECTOR.affine(p.x, rows, c, p.a, p.b, one);
                        VECTOR.affine(p.x, rows, c, p.a, p.b, both, two);
                        assertArrayEquals(one, both, "affine");
                        VECTOR.rprelu(p.x, rows, c, p.move1, p.slope, p.move2, one);
                        VECTOR.rprelu(p.x, rows, c, p.move1, p.slope, p.move2, both, two);
                        assertArrayEquals(one, both, "rprelu");
                        VECTOR.add(p.x, residual, rows * c, one);
                        VECTOR.add(p.x, residual, rows * c, both, two);
                        assertArrayEquals(one, both, "add");
                        float[] t1 = new float[rows * c * 3];
                        float[] t2 = new float[rows * c * 3];
                        VECTOR.tile(p.x, rows, c, 3, t1);
                        VECTOR.tile(p.x, rows, c, 3, t2, two);
                        assertArrayEquals(t1, t2, "tile");
                    });
        }
    }

    /** Activations and per-channel parameters; a and b sometimes null. */
    record Params(float[] x, float[] a, float[] b, float[] move1, float[] slope, float[] move2) {

        static Params random(Random random, int rows, int c) {
            float[] a = random.nextInt(4) == 0 ? null : PoolingPropertiesTest.wide(random, c);
            float[] b = random.nextInt(4) == 0 ? null : PoolingPropertiesTest.wide(random, c);
            return new Params(PoolingPropertiesTest.wide(random, rows * c), a, b,
                    PoolingPropertiesTest.wide(random, c), TestData.floats(random, c, -1f, 1f),
                    PoolingPropertiesTest.wide(random, c));
        }

        @Override
        public String toString() {
            return "a=" + (a == null ? "null" : "set") + " b=" + (b == null ? "null" : "set");
        }
    }
}
