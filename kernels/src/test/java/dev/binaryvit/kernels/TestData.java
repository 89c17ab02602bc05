package dev.binaryvit.kernels;

import java.util.Random;

/** Random inputs for the properties, drawn from a seed that QuickTheories generates and shrinks. */
final class TestData {

    private TestData() {}

    /** Values in [-1, 1) with some exact zeros and negative zeros, the edge of the sign rule. */
    static float[] floats(Random random, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(20);
            x[i] = pick == 0 ? 0f : pick == 1 ? -0f : random.nextFloat() * 2f - 1f;
        }
        return x;
    }

    /** Values in [lo, hi). */
    static float[] floats(Random random, int count, float lo, float hi) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = lo + random.nextFloat() * (hi - lo);
        }
        return x;
    }

    /** Random packed rows of {@code bits} bits with the padding bits cleared. */
    static long[] packedRows(Random random, int rows, int bits) {
        int words = BitPacking.words(bits);
        long[] a = new long[rows * words];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < words; k++) {
                a[r * words + k] = random.nextLong() & validBits(bits, k);
            }
        }
        return a;
    }

    /** The mask of word k's bits that lie inside a row of {@code bits} bits. */
    static long validBits(int bits, int k) {
        int inWord = Math.min(64, bits - 64 * k);
        return inWord == 64 ? -1L : (1L << inWord) - 1;
    }

    /** Random binary weights packed for the active GEMM, with positive scales. */
    static PackedWeights weights(Random random, int rows, int bits) {
        return PackedWeights.linear(floats(random, rows * bits), rows, bits);
    }
}
