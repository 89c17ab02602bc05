package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse of the pooling entry points fails with a message naming the mismatch. */
class PoolingErrorsTest {

    private final Pooling p = Pooling.active();

    @Test
    void avgPoolShapesAreChecked() {
        fails("h 7 is not a multiple of k 2", () -> p.avgPool(new float[7 * 8 * 3], 1, 7, 8, 3, 2, new float[36]));
        fails("w 8 is not a multiple of k 3", () -> p.avgPool(new float[6 * 8], 1, 6, 8, 1, 3, new float[6]));
        fails("x has 47 elements but needs 48 (batch 1 x h 4 x w 4 x c 3)",
                () -> p.avgPool(new float[47], 1, 4, 4, 3, 2, new float[12]));
        fails("out has 11 elements but needs 12 (batch 1 x (h/k 2) x (w/k 2) x c 3)",
                () -> p.avgPool(new float[48], 1, 4, 4, 3, 2, new float[11]));
        fails("k must be >= 1, got 0", () -> p.avgPool(new float[48], 1, 4, 4, 3, 0, new float[48]));
        fails("x is null", () -> p.avgPool(null, 1, 4, 4, 3, 2, new float[12]));
        fails("c must be >= 1, got 0", () -> p.avgPool(new float[48], 1, 4, 4, 0, 2, new float[12]));
        fails("batch must be >= 0, got -1", () -> p.avgPool(new float[48], -1, 4, 4, 3, 2, new float[12]));
        float[] x = new float[48];
        fails("out must not be the same array as x", () -> p.avgPool(x, 1, 4, 4, 3, 2, x));
        fails("parallel is null", () -> p.avgPool(x, 1, 4, 4, 3, 2, new float[12], null));
    }

    @Test
    void stripPoolShapesAreChecked() {
        float[] x = new float[2 * 5 * 6 * 4];
        float[] acc = new float[x.length];
        fails("strip kernel k must be odd", () -> p.stripPoolAccumulate(x, 2, 5, 6, 4, 4, true, null, null, acc));
        fails("k must be >= 1, got -3", () -> p.stripPoolAccumulate(x, 2, 5, 6, 4, -3, true, null, null, acc));
        fails("alpha has 3 elements but needs 4 (one per channel, c 4)",
                () -> p.stripPoolAccumulate(x, 2, 5, 6, 4, 3, true, new float[3], null, acc));
        fails("move has 3 elements but needs 4",
                () -> p.stripPoolAccumulate(x, 2, 5, 6, 4, 3, false, null, new float[3], acc));
        fails("acc has 239 elements but needs 240 (batch 2 x h 5 x w 6 x c 4)",
                () -> p.stripPoolAccumulate(x, 2, 5, 6, 4, 3, true, null, null, new float[239]));
        fails("acc is null", () -> p.stripPoolAccumulate(x, 2, 5, 6, 4, 3, true, null, null, null));
        fails("acc must not be the same array as x", () -> p.stripPoolAccumulate(x, 2, 5, 6, 4, 3, true, null, null, x));
        fails("moveW5 has 2 elements but needs 4", () -> p.stripBranchesAccumulate(x, 2, 5, 6, 4,
                null, null, null, null, null, null, null, new float[2], acc));
        fails("alphaH3 has 0 elements but needs 4", () -> p.stripBranchesAccumulate(x, 2, 5, 6, 4,
                new float[0], null, null, null, null, null, null, null, acc));
        fails("x has 239 elements but needs 240", () -> p.stripBranchesAccumulate(new float[239], 2, 5, 6, 4,
                null, null, null, null, null, null, null, null, acc));
    }

    @Test
    void channelPoolShapesAreChecked() {
        fails("c 10 is not a multiple of r 3", () -> p.channelPool(new float[20], 2, 10, 3, new float[6]));
        fails("r must be >= 1, got 0", () -> p.channelPool(new float[20], 2, 10, 0, new float[6]));
        fails("x has 19 elements but needs 20 (rows 2 x c 10)", () -> p.channelPool(new float[19], 2, 10, 5, new float[4]));
        fails("out has 3 elements but needs 4 (rows 2 x (c/r 2))", () -> p.channelPool(new float[20], 2, 10, 5, new float[3]));
        fails("rows must be >= 0, got -2", () -> p.channelPool(new float[20], -2, 10, 5, new float[4]));
        float[] x = new float[20];
        fails("out must not be the same array as x", () -> p.channelPool(x, 2, 10, 5, x));
    }

    @Test
    void upsamplingShapesAreChecked() {
        fails("out has 143 elements but needs 144 (batch 1 x (hs*r 6) x (ws*r 6) x c 4)",
                () -> p.upsampleNearest(new float[36], 1, 3, 3, 4, 2, new float[143]));
        fails("acc has 143 elements but needs 144",
                () -> p.upsampleNearestAdd(new float[36], 1, 3, 3, 4, 2, new float[143]));
        fails("src has 35 elements but needs 36 (batch 1 x h 3 x w 3 x c 4)",
                () -> p.upsampleNearest(new float[35], 1, 3, 3, 4, 2, new float[144]));
        fails("r must be >= 1, got 0", () -> p.upsampleNearest(new float[36], 1, 3, 3, 4, 0, new float[144]));
        float[] same = new float[144];
        fails("acc must not be the same array as src", () -> p.upsampleNearestAdd(same, 1, 3, 3, 4, 1, same));
    }

    @Test
    void globalAvgPoolShapesAreChecked() {
        fails("n must be >= 1, got 0", () -> p.globalAvgPool(new float[8], 2, 0, 4, new float[8]));
        fails("x has 15 elements but needs 16 (batch 2 x n 2 x c 4)",
                () -> p.globalAvgPool(new float[15], 2, 2, 4, new float[8]));
        fails("out has 7 elements but needs 8 (batch 2 x c 4)",
                () -> p.globalAvgPool(new float[16], 2, 2, 4, new float[7]));
    }

    private static void fails(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
