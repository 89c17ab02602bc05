package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("vector-width")
class FloatLinearTest {

    @Test
    void vectorEqualsTheReferenceBitForBit() {
        qt().withExamples(150).forAll(integers().between(1, 60), integers().between(1, 200),
                integers().between(1, 300), longs().all()).checkAssert((n, k, m, seed) -> {
                    Random random = new Random(seed);
                    float[] x = TestData.floats(random, n * k);
                    FloatLinear.Weights w = FloatLinear.Weights.of(TestData.floats(random, m * k), m, k);
                    float[] bias = random.nextBoolean() ? TestData.floats(random, m) : null;
                    float[] expected = new float[n * m];
                    float[] actual = new float[n * m];
                    FloatLinear.reference().apply(x, n, w, bias, expected);
                    FloatLinear.active().apply(x, n, w, bias, actual);
                    assertArrayEquals(expected, actual, 0f, () -> "n=" + n + " k=" + k + " m=" + m);
                });
    }

    @Test
    void twoThreadsGiveTheSameBits() {
        twoThreadsEqualOneAndTheReference(new Random(3), 97, 48, 70, false); // split by rows
    }

    @Test
    void aFewRowsSplitOverThreadsByColumnsGiveTheSameBits() {
        twoThreadsEqualOneAndTheReference(new Random(4), 2, 512, 1000, true); // the classifier of a batch of 2
    }

    private static void twoThreadsEqualOneAndTheReference(Random random, int n, int k, int m, boolean withBias) {
        float[] x = TestData.floats(random, n * k);
        FloatLinear.Weights w = FloatLinear.Weights.of(TestData.floats(random, m * k), m, k);
        float[] bias = withBias ? TestData.floats(random, m) : null;
        float[] one = new float[n * m];
        float[] two = new float[n * m];
        FloatLinear.active().apply(x, n, w, bias, one);
        try (Parallel p = Parallel.of(2)) {
            FloatLinear.active().apply(x, n, w, bias, two, p);
        }
        assertArrayEquals(one, two, 0f);
        float[] expected = new float[n * m];
        FloatLinear.reference().apply(x, n, w, bias, expected);
        assertArrayEquals(expected, two, 0f);
    }

    @Test
    void aHandCheckedProduct() {
        FloatLinear.Weights w = FloatLinear.Weights.of(new float[] {1, 2, 3, -1, 0, 0.5f}, 2, 3);
        float[] out = new float[2];
        FloatLinear.active().apply(new float[] {1, 1, 2}, 1, w, new float[] {10, 20}, out);
        assertEquals(19f, out[0]);
        assertEquals(20f, out[1]);
    }

    @Test
    void shapesAreChecked() {
        FloatLinear.Weights w = FloatLinear.Weights.of(new float[6], 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FloatLinear.active().apply(new float[5], 2, w, null, new float[4]));
        assertEquals("x has 5 elements but needs 6 (rows 2 x in 3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FloatLinear.active().apply(new float[6], 2, w, new float[1], new float[4]));
    }
}
