package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("vector-width")
class BitPackingTest {

    private static final BitPacking VECTOR = BitPacking.active();
    private static final BitPacking REFERENCE = BitPacking.reference();

    @Test
    void vectorPackingEqualsTheReference() {
        qt().withExamples(200).forAll(integers().between(1, 50), integers().between(1, 2100),
                integers().between(1, 8), longs().all()).checkAssert((rows, cols0, groups, seed) -> {
                    int cols = cols0 * groups;
                    Random random = new Random(seed);
                    float[] x = TestData.floats(random, rows * cols);
                    float[] move = random.nextBoolean() ? TestData.floats(random, cols) : null;
                    int words = rows * groups * BitPacking.words(cols / groups);
                    long[] expected = new long[words];
                    long[] actual = new long[words];
                    java.util.Arrays.fill(actual, -1L); // padding bits must be written as 0
                    REFERENCE.pack(x, rows, cols, groups, move, expected, Parallel.SERIAL);
                    VECTOR.pack(x, rows, cols, groups, move, actual, Parallel.SERIAL);
                    assertArrayEquals(expected, actual, "rows=" + rows + " cols=" + cols + " groups=" + groups);
                });
    }

    @Test
    void unpackingThePackedSignsGivesTheSigns() {
        qt().withExamples(200).forAll(integers().between(1, 20), integers().between(1, 700),
                integers().between(1, 4), longs().all()).checkAssert((rows, cols0, groups, seed) -> {
                    int cols = cols0 * groups;
                    float[] x = TestData.floats(new Random(seed), rows * cols);
                    long[] packed = new long[rows * groups * BitPacking.words(cols0)];
                    VECTOR.pack(x, rows, cols, groups, null, packed, Parallel.SERIAL);
                    float[] signs = BitPacking.unpack(packed, rows, cols, groups);
                    for (int i = 0; i < x.length; i++) {
                        assertEquals(x[i] >= 0f ? 1f : -1f, signs[i], "x=" + x[i]);
                    }
                });
    }

    @Test
    void theShiftedFormEqualsShiftingFirst() {
        qt().withExamples(200).forAll(integers().between(1, 20), integers().between(1, 700), longs().all())
                .checkAssert((rows, cols, seed) -> {
                    Random random = new Random(seed);
                    float[] x = TestData.floats(random, rows * cols);
                    float[] move = TestData.floats(random, cols);
                    float[] shifted = new float[x.length];
                    for (int i = 0; i < x.length; i++) {
                        shifted[i] = x[i] + move[i % cols];
                    }
                    long[] direct = new long[rows * BitPacking.words(cols)];
                    long[] first = new long[direct.length];
                    VECTOR.pack(x, rows, cols, move, direct);
                    VECTOR.pack(shifted, rows, cols, first);
                    assertArrayEquals(first, direct);
                });
    }

    @Test
    void zeroIsPlusOneAndNanIsMinusOne() {
        float[] x = {0f, -0f, Float.NaN, -1e-30f, 1e-30f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        long[] packed = new long[1];
        VECTOR.pack(x, 1, x.length, packed);
        assertEquals(0b1010011L, packed[0]); // bits 6..0: +inf, -inf, 1e-30, -1e-30, NaN, -0, 0
    }

    @Test
    void twoThreadsPackTheSameBits() {
        Random random = new Random(7);
        float[] x = TestData.floats(random, 301 * 130);
        long[] one = new long[301 * 3];
        long[] two = new long[301 * 3];
        VECTOR.pack(x, 301, 130, 1, null, one, Parallel.SERIAL);
        try (Parallel p = Parallel.of(2)) {
            VECTOR.pack(x, 301, 130, 1, null, two, p);
        }
        assertArrayEquals(one, two);
    }

    @Test
    void vectorColumnPackingEqualsTheReference() {
        qt().withExamples(200).forAll(integers().between(1, 3), integers().between(0, 300),
                integers().between(1, 300), longs().all()).checkAssert((batch, rows, cols, seed) -> {
                    Random random = new Random(seed);
                    float[] x = TestData.floats(random, batch * rows * cols);
                    float[] move = random.nextBoolean() ? TestData.floats(random, cols) : null;
                    int words = batch * cols * BitPacking.words(rows);
                    long[] expected = new long[words];
                    long[] actual = new long[words];
                    java.util.Arrays.fill(actual, -1L); // padding bits must be written as 0
                    REFERENCE.packColumns(x, batch, rows, cols, move, expected, Parallel.SERIAL);
                    VECTOR.packColumns(x, batch, rows, cols, move, actual, Parallel.SERIAL);
                    assertArrayEquals(expected, actual, "batch=" + batch + " rows=" + rows + " cols=" + cols);
                });
    }

    @Test
    void packingColumnsIsTransposingThenPackingRows() {
        qt().withExamples(150).forAll(integers().between(1, 200), integers().between(1, 200), longs().all())
                .checkAssert((rows, cols, seed) -> {
                    Random random = new Random(seed);
                    float[] x = TestData.floats(random, rows * cols);
                    float[] move = random.nextBoolean() ? TestData.floats(random, cols) : null;
                    float[] shiftedT = new float[cols * rows];
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < cols; c++) {
                            shiftedT[c * rows + r] = x[r * cols + c] + (move == null ? 0f : move[c]);
                        }
                    }
                    long[] expected = new long[cols * BitPacking.words(rows)];
                    long[] actual = new long[expected.length];
                    REFERENCE.pack(shiftedT, cols, rows, expected);
                    VECTOR.packColumns(x, rows, cols, move, actual);
                    assertArrayEquals(expected, actual, "rows=" + rows + " cols=" + cols);
                });
    }

    @Test
    void twoThreadsPackTheSameColumns() {
        Random random = new Random(8);
        float[] x = TestData.floats(random, 3 * 197 * 131);
        long[] one = new long[3 * 131 * 4];
        long[] two = new long[one.length];
        VECTOR.packColumns(x, 3, 197, 131, null, one, Parallel.SERIAL);
        try (Parallel p = Parallel.of(2)) {
            VECTOR.packColumns(x, 3, 197, 131, null, two, p);
        }
        assertArrayEquals(one, two);
        long[] reference = new long[one.length];
        REFERENCE.packColumns(x, 3, 197, 131, null, reference, Parallel.SERIAL);
        assertArrayEquals(reference, one);
    }
}
