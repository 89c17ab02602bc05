package dev.binaryvit.bench;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species of the compute probes, fixed once per JVM from a system property. C2 turns
 * Vector API calls into SIMD instructions only when the species is a constant, so a species picked
 * per call from a {@code @Param} field would measure boxing, not the machine; a static final field
 * is a constant. JMH runs every parameter combination in a fresh fork, so {@link #use} in a
 * trial-level setup, before {@link Of} initialises, is enough (the pattern of {@link VectorWidthParam}).
 */
final class ProbeSpecies {

    static final String PROPERTY = "binaryvit.probe.vectorBits";

    private ProbeSpecies() {}

    /** The constants; a class of its own so that {@link #use} can run before they are fixed. */
    static final class Of {
        static final int BITS = Integer.getInteger(PROPERTY, VectorShape.preferredShape().vectorBitSize());
        static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));
        static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, VectorShape.forBitSize(BITS));
        static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));

        private Of() {}
    }

    /** Fixes the width to {@code bits}; call first thing in a trial-level {@code @Setup}. */
    static void use(int bits) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("vectorBits must be 128, 256 or 512, got " + bits);
        }
        int widest = VectorShape.preferredShape().vectorBitSize();
        if (bits > widest) {
            throw new IllegalStateException(bits + "-bit vectors are wider than this machine's " + widest + "-bit registers");
        }
        System.setProperty(PROPERTY, Integer.toString(bits));
        if (Of.BITS != bits) {
            throw new IllegalStateException("asked for " + bits + "-bit probe vectors, but this JVM fixed "
                    + Of.BITS + " before the setup (run the probes forked)");
        }
    }
}
