package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse of the elementwise entry points fails with a message naming the mismatch. */
class ElementwiseErrorsTest {

    @Test
    void elementwiseShapesAreChecked() {
        Elementwise e = Elementwise.active();
        fails("x has 11 elements but needs 12 (rows 3 x c 4)", () -> e.affine(new float[11], 3, 4, null, null, new float[12]));
        fails("out has 11 elements but needs 12", () -> e.affine(new float[12], 3, 4, null, null, new float[11]));
        fails("a has 3 elements but needs 4 (one per channel, c 4)",
                () -> e.affine(new float[12], 3, 4, new float[3], null, new float[12]));
        fails("b has 3 elements but needs 4", () -> e.affine(new float[12], 3, 4, null, new float[3], new float[12]));
        fails("slope is null", () -> e.rprelu(new float[12], 3, 4, new float[4], null, new float[4], new float[12]));
        fails("move2 has 3 elements but needs 4",
                () -> e.rprelu(new float[12], 3, 4, new float[4], new float[4], new float[3], new float[12]));
        fails("y has 9 elements but needs 10 (length 10)", () -> e.add(new float[10], new float[9], 10, new float[10]));
        fails("length must be >= 0, got -1", () -> e.add(new float[10], new float[10], -1, new float[10]));
        fails("out has 23 elements but needs 24 (rows 3 x (c*times 8))", () -> e.tile(new float[12], 3, 4, 2, new float[23]));
        fails("times must be >= 1, got 0", () -> e.tile(new float[12], 3, 4, 0, new float[12]));
        float[] x = new float[24];
        fails("out must not be the same array as x", () -> e.tile(x, 3, 4, 2, x));
        fails("RPReLU needs move1, slope and move2 all set or all null; got move1 set, slope null, move2 null",
                () -> e.affineResidualRprelu(new float[12], 3, 4, null, null, null, new float[4], null, null,
                        new float[12]));
        fails("residual has 11 elements but needs 12 (rows 3 x c 4)",
                () -> e.affineResidualRprelu(new float[12], 3, 4, null, null, new float[11], null, null, null,
                        new float[12]));
        fails("c must be >= 1, got 0", () -> e.affine(new float[12], 3, 0, null, null, new float[12]));
        // the upsampled pass: one image, a 2 x 2 coarse grid upsampled by 2 (16 rows), c 3
        float[] fine = new float[48];
        float[] coarse = new float[12];
        fails("coarseK has 11 elements but needs 12 (batch 1 x h 2 x w 2 x c 3)",
                () -> e.affineResidualRprelu(fine, 1, 2, 2, 3, null, null, new float[48], new float[11], coarse, null,
                        null, null, new float[48], null, null, Parallel.SERIAL));
        fails("x has 47 elements but needs 48 (rows 16 x c 3)",
                () -> e.affineResidualRprelu(new float[47], 1, 2, 2, 3, null, null, new float[48], coarse, coarse, null,
                        null, null, new float[48], null, null, Parallel.SERIAL));
        fails("residual is null", () -> e.affineResidualRprelu(fine, 1, 2, 2, 3, null, null, null, coarse, coarse,
                null, null, null, new float[48], null, null, Parallel.SERIAL));
        float[] shortcut = new float[48];
        fails("out must not be the same array as residual",
                () -> e.affineResidualRprelu(fine, 1, 2, 2, 3, null, null, shortcut, coarse, coarse, null, null, null,
                        shortcut, null, null, Parallel.SERIAL));
        fails("r must be >= 1, got 0", () -> e.affineResidualRprelu(fine, 1, 2, 0, 3, null, null, shortcut, coarse,
                coarse, null, null, null, new float[48], null, null, Parallel.SERIAL));
    }

    private static void fails(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
