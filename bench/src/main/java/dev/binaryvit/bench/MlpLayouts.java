package dev.binaryvit.bench;

import dev.binaryvit.kernels.BitPacking;
import dev.binaryvit.kernels.Epilogue;
import dev.binaryvit.kernels.Gemm;
import dev.binaryvit.kernels.PackedWeights;
import dev.binaryvit.kernels.Parallel;
import java.util.Arrays;
import java.util.Random;

/**
 * The MLP of each BinaryViT-S stage with fc1's outputs in channel order against the same MLP with
 * them interleaved in the pool's groups (as the model runs it since the change), side by side in one
 * JVM: the two alternate call by call, so a slow spell of the shared machine hits both. Each layout
 * is timed for fc1 alone ({@code Gemm.signsAndPool}) and for the whole MLP ({@code Gemm.mlp}); the
 * outputs of the two layouts are checked equal (pool and fc2's output bit for bit).
 *
 * <pre>java --add-modules jdk.incubator.vector -cp benchmarks.jar dev.binaryvit.bench.MlpLayouts [seconds per shape]</pre>
 */
public final class MlpLayouts {

    /** tokens, channels C, intermediate I, pool I / C: the four stages at batch 1. */
    private static final int[][] SHAPES = {{3136, 64, 512, 8}, {784, 128, 1024, 8}, {196, 256, 1024, 4}, {49, 512, 2048, 4}};

    private MlpLayouts() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        Gemm gemm = Gemm.active();
        System.out.println("shape        fc1 channel-order  interleaved  ratio | mlp channel-order  interleaved  ratio  (medians, us)");
        for (int[] s : SHAPES) {
            run(gemm, s[0], s[1], s[2], s[3], seconds / 3); // warm-up
        }
        for (int[] s : SHAPES) {
            run(gemm, s[0], s[1], s[2], s[3], seconds).print(s);
        }
    }

    private record Times(double fc1, double fc1Interleaved, double mlp, double mlpInterleaved) {
        void print(int[] s) {
            System.out.printf("%dx%dx%d  %10.1f %12.1f %7.3f | %10.1f %12.1f %7.3f%n", s[0], s[1], s[2], fc1,
                    fc1Interleaved, fc1Interleaved / fc1, mlp, mlpInterleaved, mlpInterleaved / mlp);
        }
    }

    private static Times run(Gemm gemm, int n, int c, int m, int groups, double seconds) {
        Random random = new Random(n);
        float[][] p1 = new float[6][]; // BatchNorm a, b, RPReLU move1, slope, move2, fc2's move
        for (int i = 0; i < p1.length; i++) {
            p1[i] = gaussian(random, m);
        }
        int[] channelOf = Epilogue.interleavedChannels(m, groups);
        PackedWeights fc1 = PackedWeights.linear(gaussian(random, m * c), m, c);
        Epilogue e1 = Epilogue.affine(fc1, p1[0], p1[1]).withRprelu(p1[2], p1[3], p1[4]).withSignShift(p1[5])
                .withTiledResidual(c);
        PackedWeights fc1i = fc1.withRowsReordered(channelOf);
        Epilogue e1i = e1.withInterleavedChannels(groups);
        PackedWeights fc2 = PackedWeights.linear(gaussian(random, c * m), c, m);
        PackedWeights fc2i = fc2.withInputsReordered(channelOf);
        Epilogue e2 = Epilogue.affine(fc2, gaussian(random, c), gaussian(random, c))
                .withRprelu(gaussian(random, c), gaussian(random, c), gaussian(random, c))
                .withLayerScale(gaussian(random, c), gaussian(random, c));
        long[] a = new long[n * BitPacking.words(c)];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextLong();
        }
        float[] hn2 = gaussian(random, n * c);
        float[] h2 = gaussian(random, n * c);
        long[] signs = new long[n * BitPacking.words(m)];
        float[] pooled = new float[n * c];
        float[] pooledI = new float[n * c];
        float[] out = new float[n * c];
        float[] outI = new float[n * c];
        int cap = 200_000;
        long[][] t = new long[4][cap];
        int runs = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end && runs < cap) {
            long t0 = System.nanoTime();
            gemm.signsAndPool(a, n, fc1, e1, hn2, signs, groups, pooled, Parallel.SERIAL);
            long t1 = System.nanoTime();
            gemm.signsAndPool(a, n, fc1i, e1i, hn2, signs, groups, pooledI, Parallel.SERIAL);
            long t2 = System.nanoTime();
            gemm.mlp(a, n, fc1, e1, hn2, signs, groups, pooled, fc2, e2, h2, out, Parallel.SERIAL);
            long t3 = System.nanoTime();
            gemm.mlp(a, n, fc1i, e1i, hn2, signs, groups, pooledI, fc2i, e2, h2, outI, Parallel.SERIAL);
            long t4 = System.nanoTime();
            t[0][runs] = t1 - t0;
            t[1][runs] = t2 - t1;
            t[2][runs] = t3 - t2;
            t[3][runs] = t4 - t3;
            runs++;
        }
        if (!Arrays.equals(pooled, pooledI) || !Arrays.equals(out, outI)) {
            throw new AssertionError("the two layouts differ at " + n + "x" + c + "x" + m);
        }
        return new Times(median(t[0], runs), median(t[1], runs), median(t[2], runs), median(t[3], runs));
    }

    private static float[] gaussian(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static double median(long[] times, int n) {
        long[] sorted = Arrays.copyOf(times, n);
        Arrays.sort(sorted);
        return sorted[n / 2] / 1e3;
    }
}
