package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A call split over a pool's threads allocates nothing on the calling thread: each kernel reuses
 * its per-thread {@link Parallel.Job} rather than a new capturing lambda per call. The calls go
 * through the scalar references, plain loops that allocate nothing in any JIT tier (the vector
 * paths' vectors are objects until C2 compiles them), so what is counted is the call's own machinery.
 * Left out: attention and the GEMM's signsAndPool, whose references allocate scratch per call
 * (ForwardAllocation in the bench module counts the whole forward pass on the vector paths).
 */
class ParallelAllocationTest {

    private static final int WARM_UP = 200;
    private static final int CALLS = 50;
    private static final int WINDOWS = 4;

    @Test
    void splitCallsAllocateNothing() {
        Random random = new Random(7);
        int rows = 64;
        int c = 64;
        int k = 128;
        int m = 256;
        float[] x = TestData.floats(random, rows * c);
        float[] y = TestData.floats(random, rows * c);
        float[] wide = new float[rows * m];
        float[] out = new float[rows * c];
        float[] out2 = new float[rows * c];
        float[] params = TestData.floats(random, m);
        long[] a = TestData.packedRows(random, rows, k);
        long[] bits = new long[rows * BitPacking.words(m)];
        long[] columnBits = new long[c * BitPacking.words(rows)];
        int[] dots = new int[rows * m];
        PackedWeights w = PackedWeights.linear(TestData.floats(random, m * k), m, k, Gemm.reference().panelWidth());
        Epilogue e = Epilogue.affine(w, params, params).withSignShift(params);
        FloatLinear.Weights dense = FloatLinear.Weights.of(TestData.floats(random, m * c), m, c);
        Gemm gemm = Gemm.reference();
        Elementwise elementwise = Elementwise.reference();
        Pooling pooling = Pooling.reference();
        BitPacking packing = BitPacking.reference();
        FloatLinear linear = FloatLinear.reference();
        int grid = 8; // rows = grid x grid tokens
        try (Parallel two = Parallel.of(2)) {
            Runnable calls = () -> {
                gemm.dots(a, rows, w, dots, two);
                gemm.fused(a, rows, w, e, null, null, wide, null, bits, two);
                elementwise.affineResidualRprelu(x, rows, c, params, params, y, params, params, params, out, params,
                        bits, two);
                elementwise.add(x, y, rows * c, out, two);
                pooling.stripBranchesAccumulate(x, 1, grid, grid, c, params, params, params, params, params, params,
                        params, params, out, two);
                pooling.avgPool(x, 1, grid, grid, c, 2, out2, two);
                pooling.upsampleNearestAdd(out2, 1, grid / 2, grid / 2, c, 2, out, two);
                packing.pack(x, rows, c, 1, params, bits, two);
                packing.packColumns(x, 1, rows, c, params, columnBits, two);
                linear.apply(x, rows, dense, params, wide, two);
                linear.apply(x, 2, dense, params, wide, two); // too few rows: split by output channels
            };
            for (int i = 0; i < WARM_UP; i++) {
                calls.run();
            }
            // A per-call allocation shows in every window; a one-off (a class linked, a method
            // recompiled) in one at most, so the quietest window is the one that counts.
            ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long[] windows = new long[WINDOWS];
            for (int window = 0; window < WINDOWS; window++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < CALLS; i++) {
                    calls.run();
                }
                windows[window] = mx.getCurrentThreadAllocatedBytes() - before;
            }
            assertEquals(0, Arrays.stream(windows).min().orElseThrow(),
                    "bytes allocated by " + CALLS + " rounds of calls, per window: " + Arrays.toString(windows));
        }
    }
}
