package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sign packing on the Vector API. Rows: one compare per vector of floats, its mask is the bits.
 * Columns: one vector of 64-bit words holds the words of {@code LONG_LANES} adjacent columns; each
 * row's compare mask ORs that row's bit into the lanes it sets.
 */
final class VectorPacking implements PackingSupport {

    private static final VectorSpecies<Float> F = VectorShapes.FLOATS;
    private static final int LANES = F.length();
    private static final VectorSpecies<Long> L = VectorShapes.LONGS;
    /** Floats with as many lanes as {@link #L}: one column per lane. */
    private static final VectorSpecies<Float> FL = VectorShapes.FLOATS_PER_LONG;
    private static final int LONG_LANES = L.length();

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

    /** Bits of columns {@code [c0, min(c0 + 64, cols))} of one group: {@code x[xBase + c] + move[moveBase + c] >= 0}. */
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

    /** Per-thread room for one vector of packed words, so that a call allocates nothing. */
    private static final ThreadLocal<long[]> WORDS = ThreadLocal.withInitial(() -> new long[LONG_LANES]);

    @Override
    public void packColumns(float[] x, int rows, int cols, float[] move, long[] out, int from, int to) {
        int rowWords = BitPacking.words(rows);
        long[] words = WORDS.get();
        int bc = from;
        while (bc < to) { // one image's run of columns at a time
            int b = bc / cols;
            int c0 = bc % cols;
            int c1 = Math.min(cols, c0 + (to - bc));
            packColumnRange(x, b * rows * cols, rows, cols, move, out, b * cols * rowWords, c0, c1, words);
            bc += c1 - c0;
        }
    }

    private static void packColumnRange(float[] x, int xBase, int rows, int cols, float[] move, long[] out,
                                        int outBase, int c0, int c1, long[] words) {
        int rowWords = BitPacking.words(rows);
        float[] shifts = move == null ? Constants.zeros(cols) : move; // + 0 keeps every sign, -0 included
        for (int c = c0; c < c1; c += LONG_LANES) {
            int width = Math.min(LONG_LANES, c1 - c);
            for (int w = 0; w < rowWords; w++) {
                int r0 = w * 64;
                columnWord(x, xBase + c, cols, shifts, c, width, r0, Math.min(rows, r0 + 64), words);
                for (int lane = 0; lane < width; lane++) {
                    out[outBase + (c + lane) * rowWords + w] = words[lane];
                }
            }
        }
    }

    /**
     * {@code words[lane]}: bit r - r0 set iff {@code x[xc + r * cols + lane] + shifts[c + lane] >= 0},
     * for rows {@code [r0, r1)} and the first {@code width} lanes (the others are not read). Vectors
     * stay inside this method: one passed in or returned is boxed whenever C2 does not inline the call.
     */
    private static void columnWord(float[] x, int xc, int cols, float[] shifts, int c, int width, int r0, int r1,
                                   long[] words) {
        VectorMask<Float> in = FL.indexInRange(0, width);
        FloatVector shift = FloatVector.fromArray(FL, shifts, c, in);
        LongVector bits = LongVector.zero(L);
        for (int r = r0; r < r1; r++) {
            // lanewise(ADD), not add(): these half-width floats calling FloatVector.add made that JDK
            // method's receiver profile two-typed, and in some JVM runs (about one in four) C2 then
            // compiled the full-width adds inlined from VectorElementwise.add without their intrinsic:
            // 5.2 MB of boxed vectors per forward pass (no such run in 26 since).
            FloatVector v = FloatVector.fromArray(FL, x, xc + r * cols, in).lanewise(VectorOperators.ADD, shift);
            bits = bits.lanewise(VectorOperators.OR, 1L << (r - r0), v.compare(VectorOperators.GE, 0f).and(in).cast(L));
        }
        bits.intoArray(words, 0);
    }
}
