package dev.binaryvit.model;

import dev.binaryvit.kernels.Attention;
import dev.binaryvit.kernels.BitPacking;
import dev.binaryvit.kernels.Elementwise;
import dev.binaryvit.kernels.FloatLinear;
import dev.binaryvit.kernels.Gemm;
import dev.binaryvit.kernels.Parallel;
import dev.binaryvit.kernels.Patches;
import dev.binaryvit.kernels.Pooling;

/** The kernels a forward pass runs on, and the threads they share. */
record Ops(BitPacking packing, Gemm gemm, Attention attention, Pooling pooling, Elementwise elementwise,
           Patches patches, FloatLinear linear, Parallel parallel) {

    /** The fastest kernels this JVM has. */
    static Ops active(Parallel parallel) {
        return new Ops(BitPacking.active(), Gemm.active(), Attention.active(), Pooling.active(),
                Elementwise.active(), Patches.active(), FloatLinear.active(), parallel);
    }

    /** The same kernels on other threads. */
    Ops withParallel(Parallel other) {
        return new Ops(packing, gemm, attention, pooling, elementwise, patches, linear, other);
    }

    /** The scalar reference kernels: the oracle a whole forward pass can be checked against. */
    static Ops reference() {
        return new Ops(BitPacking.reference(), Gemm.reference(), Attention.reference(), Pooling.reference(),
                Elementwise.reference(), Patches.reference(), FloatLinear.reference(), Parallel.SERIAL);
    }
}
