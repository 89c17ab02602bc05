package dev.binaryvit.kernels;

/** Which kernels this JVM runs, for logs, reports and benchmarks. */
public final class Kernels {

    private Kernels() {}

    /** True when the Vector API paths are in use. */
    public static boolean vectorized() {
        return Vectorization.enabled();
    }

    /** The vector width in bits, or 0 when the scalar reference runs. */
    public static int vectorBits() {
        return Gemm.active().vectorBits();
    }

    /** One line: "Vector API, 512-bit" or "scalar reference (reason)". */
    public static String description() {
        return vectorized() ? "Vector API, " + vectorBits() + "-bit"
                : "scalar reference (" + Vectorization.unavailableReason() + ")";
    }
}
