package dev.binaryvit.bench;

import dev.binaryvit.kernels.Kernels;

/**
 * Applies a benchmark's {@code vectorBits} parameter. The kernels fix their vector width once per
 * JVM, and JMH runs every parameter combination in a fresh fork, so setting the property before
 * the first kernel class initialises is enough; this checks that it took.
 */
final class VectorWidthParam {

    private VectorWidthParam() {}

    /** Sets the width; call first thing in a trial-level {@code @Setup}. */
    static void apply(int bits) {
        System.setProperty("binaryvit.vectorBits", Integer.toString(bits));
        if (Kernels.vectorBits() != bits) {
            throw new IllegalStateException("asked for " + bits + "-bit vectors but the kernels run "
                    + Kernels.description() + " (initialised before the setup, or not supported here)");
        }
    }
}
