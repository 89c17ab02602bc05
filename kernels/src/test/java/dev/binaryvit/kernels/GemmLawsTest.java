package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Algebraic laws of the binary dot product, checked on the active (vector) GEMM. */
@Tag("vector-width")
class GemmLawsTest {

    private static final Gemm GEMM = Gemm.active();

    @Test
    void aRowDottedWithItselfIsK() {
        qt().withExamples(100).forAll(integers().between(1, 40), integers().between(1, 2100), longs().all())
                .checkAssert((n, k, seed) -> {
                    float[] x = TestData.floats(new Random(seed), n * k);
                    int[] dots = dotsOf(x, n, x, n, k);
                    for (int i = 0; i < n; i++) {
                        assertEquals(k, dots[i * n + i], "row " + i + " K=" + k);
                    }
                });
    }

    @Test
    void negatingOneSideNegatesTheDot() {
        qt().withExamples(100).forAll(integers().between(1, 40), integers().between(1, 40),
                integers().between(1, 2100), longs().all()).checkAssert((n, m, k, seed) -> {
                    Random random = new Random(seed);
                    float[] x = TestData.floats(random, n * k);
                    float[] y = TestData.floats(random, m * k);
                    float[] notY = BitPacking.unpack(pack(y, m, k), m, k, 1);
                    for (int i = 0; i < notY.length; i++) {
                        notY[i] = -notY[i];
                    }
                    int[] dots = dotsOf(x, n, y, m, k);
                    int[] negated = dotsOf(x, n, notY, m, k);
                    for (int i = 0; i < dots.length; i++) {
                        assertEquals(-dots[i], negated[i], "K=" + k);
                    }
                });
    }

    @Test
    void theDotIsSymmetric() {
        qt().withExamples(100).forAll(integers().between(1, 40), integers().between(1, 40),
                integers().between(1, 2100), longs().all()).checkAssert((n, m, k, seed) -> {
                    Random random = new Random(seed);
                    float[] x = TestData.floats(random, n * k);
                    float[] y = TestData.floats(random, m * k);
                    int[] xy = dotsOf(x, n, y, m, k);
                    int[] yx = dotsOf(y, m, x, n, k);
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < m; j++) {
                            assertEquals(xy[i * m + j], yx[j * n + i]);
                        }
                    }
                });
    }

    /** The dots of the signs of x[n][k] with the signs of y[m][k], y used as weights. */
    private static int[] dotsOf(float[] x, int n, float[] y, int m, int k) {
        float[] ones = new float[m];
        java.util.Arrays.fill(ones, 1f);
        PackedWeights w = PackedWeights.fromSigns(y, m, k, ones, GEMM.panelWidth());
        int[] dots = new int[n * m];
        GEMM.dots(pack(x, n, k), n, w, dots);
        return dots;
    }

    private static long[] pack(float[] x, int rows, int cols) {
        long[] out = new long[rows * BitPacking.words(cols)];
        BitPacking.active().pack(x, rows, cols, out);
        return out;
    }
}
