package dev.binaryvit.kernels;

/**
 * Shared read-only arrays of ones and zeros that stand in for absent per-channel parameters
 * (a null scale is 1, a null shift 0), so that kernels read every parameter the same way, and of
 * negative zeros that stand in for padding that adds nothing.
 * They grow on demand and are never written after publication.
 */
final class Constants {

    private static volatile float[] ones = filled(1024, 1f);
    private static volatile float[] zeros = new float[1024];
    private static volatile float[] negativeZeros = filled(1024, -0f);
    private static volatile int[] intZeros = new int[1024];

    private Constants() {}

    /** At least {@code n} ones; do not write to it. */
    static float[] ones(int n) {
        float[] a = ones;
        if (a.length < n) {
            a = filled(Math.max(n, 2 * a.length), 1f);
            ones = a;
        }
        return a;
    }

    /** At least {@code n} zeros; do not write to it. */
    static float[] zeros(int n) {
        float[] a = zeros;
        if (a.length < n) {
            a = new float[Math.max(n, 2 * a.length)];
            zeros = a;
        }
        return a;
    }

    /** At least {@code n} int zeros; do not write to it. */
    static int[] intZeros(int n) {
        int[] a = intZeros;
        if (a.length < n) {
            a = new int[Math.max(n, 2 * a.length)];
            intZeros = a;
        }
        return a;
    }

    /** At least {@code n} negative zeros, the exact additive identity ({@code s + -0f == s} for every s). */
    static float[] negativeZeros(int n) {
        float[] a = negativeZeros;
        if (a.length < n) {
            a = filled(Math.max(n, 2 * a.length), -0f);
            negativeZeros = a;
        }
        return a;
    }

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }
}
