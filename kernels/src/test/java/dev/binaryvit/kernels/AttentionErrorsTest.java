package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse of {@link Attention#context} fails with a message that names what does not match. */
class AttentionErrorsTest {

    // batch 2, n 3, nkv 5, channels 8, heads 2 (d 4): q 12 words, k 20, vT 16, out 48.
    private final long[] q = new long[12];
    private final long[] k = new long[20];
    private final long[] vT = new long[16];
    private final float[] out = new float[48];

    @Test
    void theShapesAreChecked() {
        for (Attention a : new Attention[] {Attention.active(), Attention.reference()}) {
            fails("channels 8 is not divisible by heads 3", () -> a.context(q, k, vT, 2, 3, 5, 8, 3, 0.1f, out));
            fails("batch must be >= 1, got 0", () -> a.context(q, k, vT, 0, 3, 5, 8, 2, 0.1f, out));
            fails("n must be >= 1, got 0", () -> a.context(q, k, vT, 2, 0, 5, 8, 2, 0.1f, out));
            fails("nkv must be >= 1, got -1", () -> a.context(q, k, vT, 2, 3, -1, 8, 2, 0.1f, out));
            fails("channels must be >= 1, got 0", () -> a.context(q, k, vT, 2, 3, 5, 0, 2, 0.1f, out));
            fails("heads must be >= 1, got 0", () -> a.context(q, k, vT, 2, 3, 5, 8, 0, 0.1f, out));
        }
    }

    @Test
    void theArraysAreChecked() {
        Attention a = Attention.active();
        fails("q has 11 elements but needs 12 (batch 2 x n 3 x heads 2 x words(d 4))",
                () -> a.context(new long[11], k, vT, 2, 3, 5, 8, 2, 0.1f, out));
        fails("k has 19 elements but needs 20 (batch 2 x nkv 5 x heads 2 x words(d 4))",
                () -> a.context(q, new long[19], vT, 2, 3, 5, 8, 2, 0.1f, out));
        fails("vT has 15 elements but needs 16 (batch 2 x channels 8 x words(nkv 5))",
                () -> a.context(q, k, new long[15], 2, 3, 5, 8, 2, 0.1f, out));
        fails("out has 47 elements but needs 48 (batch 2 x n 3 x channels 8)",
                () -> a.context(q, k, vT, 2, 3, 5, 8, 2, 0.1f, new float[47]));
        fails("q is null", () -> a.context(null, k, vT, 2, 3, 5, 8, 2, 0.1f, out));
        fails("k is null", () -> a.context(q, null, vT, 2, 3, 5, 8, 2, 0.1f, out));
        fails("vT is null", () -> a.context(q, k, null, 2, 3, 5, 8, 2, 0.1f, out));
        fails("out is null", () -> a.context(q, k, vT, 2, 3, 5, 8, 2, 0.1f, null));
        fails("parallel is null", () -> a.context(q, k, vT, 2, 3, 5, 8, 2, 0.1f, out, null));
        fails("out needs 2000000000000 elements, more than a Java array holds",
                () -> a.context(q, k, vT, 1000, 2000, 5, 1_000_000, 1, 0.1f, out));
    }

    @Test
    void theClipMustBeAFinitePositiveNumber() {
        Attention a = Attention.active();
        for (float clip : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            fails("clip must be a finite number, got " + clip, () -> a.context(q, k, vT, 2, 3, 5, 8, 2, clip, out));
        }
    }

    @Test
    void packColumnsArgumentsAreChecked() {
        BitPacking p = BitPacking.active();
        fails("x has 5 elements but needs 6 (batch 1 x rows 2 x cols 3)",
                () -> p.packColumns(new float[5], 2, 3, null, new long[3]));
        fails("out has 2 elements but needs 3 (batch 1 x cols 3 x words(rows 2))",
                () -> p.packColumns(new float[6], 2, 3, null, new long[2]));
        fails("move has 2 elements but needs 3", () -> p.packColumns(new float[6], 2, 3, new float[2], new long[3]));
        fails("cols must be >= 1, got 0", () -> p.packColumns(new float[6], 2, 0, null, new long[3]));
        fails("rows must be >= 0, got -1", () -> p.packColumns(new float[6], -1, 3, null, new long[3]));
        fails("batch must be >= 1, got 0",
                () -> p.packColumns(new float[6], 0, 2, 3, null, new long[3], Parallel.SERIAL));
        fails("x has 6 elements but needs 12 (batch 2 x rows 2 x cols 3)",
                () -> p.packColumns(new float[6], 2, 2, 3, null, new long[6], Parallel.SERIAL));
        fails("parallel is null", () -> p.packColumns(new float[6], 1, 2, 3, null, new long[3], null));
        fails("x is null", () -> p.packColumns(null, 2, 3, null, new long[3]));
    }

    private static void fails(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
