package dev.binaryvit.kernels;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every vector kernel uses, fixed once per JVM. They are static finals so that
 * C2 sees them as constants (a species it cannot fold makes the Vector API fall back to slow
 * Java code). The width is the machine's preferred one unless {@value Vectorization#WIDTH_PROPERTY}
 * asks for a narrower one, so that tests and benchmarks can run every path on one machine.
 */
final class VectorShapes {

    /** Vector width in bits: 128, 256 or 512. */
    static final int BITS = chooseBits();

    /** Packed sign words, one 64-bit word per lane. */
    static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, VectorShape.forBitSize(BITS));

    /** Full-width ints: packed sign words 32 bits per lane, and the dot products they give. */
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(BITS));

    /** Full-width floats. */
    static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));

    /** Floats with as many lanes as {@link #LONGS}: where a vector of popcounts becomes floats. */
    static final VectorSpecies<Float> FLOATS_PER_LONG = VectorSpecies.of(float.class,
            VectorShape.forBitSize(BITS / 2));

    /** Ints with as many lanes as {@link #LONGS}. */
    static final VectorSpecies<Integer> INTS_PER_LONG = VectorSpecies.of(int.class,
            VectorShape.forBitSize(BITS / 2));

    private VectorShapes() {}

    private static int chooseBits() {
        int preferred = VectorShape.preferredShape().vectorBitSize();
        String requested = System.getProperty(Vectorization.WIDTH_PROPERTY);
        if (requested == null || requested.isBlank()) {
            return preferred;
        }
        int bits;
        try {
            bits = Integer.parseInt(requested.trim());
        } catch (NumberFormatException e) {
            bits = -1;
        }
        if ((bits == 128 || bits == 256 || bits == 512) && bits <= preferred) {
            return bits;
        }
        System.getLogger("dev.binaryvit.kernels").log(System.Logger.Level.WARNING,
                "-D" + Vectorization.WIDTH_PROPERTY + "=" + requested + " is not one of 128, 256, 512 "
                        + "at most this machine's " + preferred + " bits; using " + preferred + " bits");
        return preferred;
    }
}
