package dev.binaryvit.kernels;

/**
 * Shared read-only arrays of ones and zeros that stand in for absent per-channel parameters
 * (a null scale is 1, a null shift 0), so that kernels read every parameter the same way.
 * They grow on demand and are never written after publication.
 */
final class Constants {

    private static volatile float[] ones = filled(1024, 1f);
    private static volatile float[] zeros = new float[1024];

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

    private static float[] filled(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }
}
