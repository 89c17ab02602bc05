package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse of the public entry points fails with a message that names what does not match. */
class KernelErrorsTest {

    private final PackedWeights w = PackedWeights.linear(new float[10 * 100], 10, 100);
    private final Gemm gemm = Gemm.active();

    @Test
    void gemmArgumentsAreChecked() {
        long[] a = new long[5 * 2];
        fails("a has 9 elements but needs 10", () -> gemm.dots(new long[9], 5, w, new int[50]));
        fails("out has 49 elements but needs 50", () -> gemm.dots(a, 5, w, new int[49]));
        fails("a is null", () -> gemm.dots(null, 5, w, new int[50]));
        fails("weights is null", () -> gemm.dots(a, 5, null, new int[50]));
        fails("rows must be >= 0", () -> gemm.dots(a, -1, w, new int[50]));
        Epilogue e = Epilogue.affine(w, null, null);
        fails("signs has 4 elements but needs 5 (rows 5 x words(M 10))",
                () -> gemm.signs(a, 5, w, e, null, new long[4]));
        fails("residual has 49 elements but needs 50",
                () -> gemm.fused(a, 5, w, e, new float[49], new float[50]));
        PackedWeights other = PackedWeights.linear(new float[11 * 100], 11, 100);
        fails("epilogue channels is 11 but weight rows M is 10",
                () -> gemm.fused(a, 5, w, Epilogue.affine(other, null, null), null, new float[50]));
        fails("epilogue is null", () -> gemm.fused(a, 5, w, null, null, new float[50]));
    }

    @Test
    void mlpArgumentsAreChecked() {
        // fc1: 10 bits to 40 outputs pooled by 4, fc2: 40 bits to 10 outputs, 5 rows
        PackedWeights w1 = PackedWeights.linear(new float[40 * 10], 40, 10);
        PackedWeights w2 = PackedWeights.linear(new float[10 * 40], 10, 40);
        Epilogue e1 = Epilogue.affine(w1, null, null).withTiledResidual(10);
        Epilogue e2 = Epilogue.affine(w2, null, null);
        long[] a = new long[5];
        float[] residual = new float[50];
        long[] signs = new long[5];
        float[] pooled = new float[50];
        gemm.mlp(a, 5, w1, e1, residual, signs, 4, pooled, w2, e2, new float[50], new float[50], Parallel.SERIAL);
        PackedWeights wide = PackedWeights.linear(new float[10 * 41], 10, 41);
        fails("w2 bits K is 41 but w1 rows M is 40", () -> gemm.mlp(a, 5, w1, e1, residual, signs, 4, pooled, wide,
                Epilogue.affine(wide, null, null), null, new float[50], Parallel.SERIAL));
        fails("e2 residual channels is 5 but M / pool is 10", () -> gemm.mlp(a, 5, w1, e1, residual, signs, 4, pooled,
                w2, e2.withTiledResidual(5), null, new float[50], Parallel.SERIAL));
        fails("out has 49 elements but needs 50", () -> gemm.mlp(a, 5, w1, e1, residual, signs, 4, pooled, w2, e2,
                null, new float[49], Parallel.SERIAL));
        fails("residual2 has 49 elements but needs 50", () -> gemm.mlp(a, 5, w1, e1, residual, signs, 4, pooled, w2,
                e2, new float[49], new float[50], Parallel.SERIAL));
        fails("pooled has 49 elements but needs 50", () -> gemm.mlp(a, 5, w1, e1, residual, signs, 4, new float[49],
                w2, e2, null, new float[50], Parallel.SERIAL));
        fails("e2 is null", () -> gemm.mlp(a, 5, w1, e1, residual, signs, 4, pooled, w2, null, null, new float[50],
                Parallel.SERIAL));
        fails("w2 is null", () -> gemm.mlp(a, 5, w1, e1, residual, signs, 4, pooled, null, e2, null, new float[50],
                Parallel.SERIAL));
        fails("interleaved in 2 groups, but pool is 4", () -> gemm.mlp(a, 5, w1, e1.withInterleavedChannels(2),
                residual, signs, 4, pooled, w2, e2, null, new float[50], Parallel.SERIAL));
        fails("output channels 40 are not a multiple of groups 3", () -> e1.withInterleavedChannels(3));
        fails("already interleaved in 2 groups", () -> e1.withInterleavedChannels(2).withInterleavedChannels(4));
    }

    @Test
    void weightsPackedForAnotherPanelWidthAreRefused() {
        int width = gemm.panelWidth() == 16 ? 8 : 16;
        PackedWeights foreign = PackedWeights.linear(new float[10 * 100], 10, 100, width);
        if (Kernels.vectorized()) {
            fails("panels of " + width, () -> gemm.dots(new long[10], 5, foreign, new int[50]));
        }
    }

    @Test
    void epilogueAndWeightArgumentsAreChecked() {
        fails("a has 9 elements but needs 10", () -> Epilogue.affine(w, new float[9], null));
        fails("slope has 3 elements but needs 10",
                () -> Epilogue.affine(w, null, null).withRprelu(new float[10], new float[3], new float[10]));
        fails("output channels 10 are not a multiple of residual channels 3",
                () -> Epilogue.affine(w, null, null).withTiledResidual(3));
        fails("w has 5 elements but needs 6 (out 2 x in 3)", () -> PackedWeights.linear(new float[5], 2, 3));
        fails("in must be >= 1", () -> PackedWeights.linear(new float[5], 2, 0));
        fails("w has 15 elements but needs 16 (out 2 x channels 2 x 2 x 2)",
                () -> PackedWeights.conv2x2(new float[15], 2, 2));
    }

    @Test
    void packingArgumentsAreChecked() {
        BitPacking p = BitPacking.active();
        fails("x has 5 elements but needs 6 (rows 2 x cols 3)", () -> p.pack(new float[5], 2, 3, new long[2]));
        fails("out has 1 elements but needs 2", () -> p.pack(new float[6], 2, 3, new long[1]));
        fails("move has 2 elements but needs 3", () -> p.pack(new float[6], 2, 3, new float[2], new long[2]));
        fails("cols 7 is not divisible by groups 2",
                () -> p.pack(new float[14], 2, 7, 2, null, new long[4], Parallel.SERIAL));
        fails("threads must be >= 1", () -> Parallel.of(0));
    }

    private static void fails(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
