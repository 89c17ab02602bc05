package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Sign packing on the Vector API: one compare per vector of floats, its mask is the bits. */
final class VectorPacking implements PackingSupport {

    private static final VectorSpecies<Float> F = VectorShapes.FLOATS;
    private static final int LANES = F.length();

    @Override
    public void packRows(float[] x, int from, int to, int cols, int groups, float[] move, long[] out) {
        int groupCols = cols / groups;
        int groupWords = BitPacking.words(groupCols);
        for (int r = from; r < to; r++) {
            for (int g = 0; g < groups; g++) {
                int xBase = r * cols + g * groupCols;
                int moveBase = g * groupCols;
                int wordBase = (r * groups + g) * groupWords;
                for (int w = 0; w < groupWords; w++) {
                    out[wordBase + w] = packWord(x, xBase, move, moveBase, w * 64, groupCols);
                }
            }
        }
    }

    /** Bits of columns {@code [c0, min(c0 + 64, cols))} of one group. */
    private static long packWord(float[] x, int xBase, float[] move, int moveBase, int c0, int cols) {
        long bits = 0L;
        int end = Math.min(c0 + 64, cols);
        int c = c0;
        for (; c + LANES <= end; c += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, xBase + c);
            if (move != null) {
                v = v.add(FloatVector.fromArray(F, move, moveBase + c));
            }
            bits |= v.compare(VectorOperators.GE, 0f).toLong() << (c - c0);
        }
        if (c < end) { // tail: masked lanes load 0, which would read as +1, so the range mask clears them
            VectorMask<Float> inRange = F.indexInRange(c, end);
            FloatVector v = FloatVector.fromArray(F, x, xBase + c, inRange);
            if (move != null) {
                v = v.add(FloatVector.fromArray(F, move, moveBase + c, inRange));
            }
            bits |= v.compare(VectorOperators.GE, 0f).and(inRange).toLong() << (c - c0);
        }
        return bits;
    }
}
