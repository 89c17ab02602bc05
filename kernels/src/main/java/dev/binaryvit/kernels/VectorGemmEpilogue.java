package dev.binaryvit.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmEpilogue} on the Vector API. A top-level class with no nested classes, so that
 * {@link ProfileCopies} can define copies of it.
 */
final class VectorGemmEpilogue implements GemmEpilogue {

    private static final VectorSpecies<Integer> I = VectorShapes.INTS;
    private static final VectorSpecies<Float> F = VectorShapes.FLOATS;
    private static final int LANES = I.length();

    /**
     * Channels outside, rows inside: a vector of channels keeps its per-channel parameters in
     * registers across the rows. Exactly {@link ReferenceGemm}'s float operations, in its order.
     */
    @Override
    public void rows(VectorGemm.Call c, int g0, int g1, int m0, int m1, int vecStride, float[] dst, int dstRow0) {
        Epilogue e = c.e;
        int[] tile = c.tile;
        float[] residual = c.residual;
        float[] residual2 = c.residual2;
        float[] normOut = c.normOut;
        long[] bits = c.bits;
        int bitWords = c.bitWords();
        int m = c.m();
        int r = e.residualChannels();
        boolean rprelu = e.move1 != null;
        boolean scaled = e.scaleA != null;
        boolean normed = e.normA != null;
        int fusedWords = c.fusedWords();
        boolean inPlace = c.poolsInPlace();
        int groups = e.interleavedGroups();
        int pooledChannels = m / groups; // in place: the pooled row's length, and the outputs per group
        boolean power2 = Integer.bitCount(groups) == 1;
        float inverse = 1f / groups; // the exact quotient for a power of two, as the reference's division
        PackedWeights weights = c.weights;
        boolean fused = fusedWords > 0;
        boolean twoWords = fusedWords == 2;
        int[] halves = c.halves;
        int first = c.first;
        int[] panels = fused ? weights.panels() : Constants.intZeros(LANES);
        IntVector kv = IntVector.broadcast(I, weights.bits());
        // Absent stages read zeros, so that every parameter vector is a real one: a vector that may
        // be null flows through a merge point, and C2 then boxes it.
        float[] zeros = Constants.zeros(Epilogue.padded(m));
        int j = m0;
        for (; j + LANES <= m1; j += LANES) {
            FloatVector alpha = FloatVector.fromArray(F, e.alpha, j);
            FloatVector beta = FloatVector.fromArray(F, e.beta, j);
            FloatVector move1 = FloatVector.fromArray(F, rprelu ? e.move1 : zeros, j);
            FloatVector slope = FloatVector.fromArray(F, rprelu ? e.slope : zeros, j);
            FloatVector move2 = FloatVector.fromArray(F, rprelu ? e.move2 : zeros, j);
            FloatVector scaleA = FloatVector.fromArray(F, scaled ? e.scaleA : zeros, j);
            FloatVector scaleB = FloatVector.fromArray(F, scaled ? e.scaleB : zeros, j);
            FloatVector normA = FloatVector.fromArray(F, normed ? e.normA : zeros, j);
            FloatVector normB = FloatVector.fromArray(F, normed ? e.normB : zeros, j);
            FloatVector shift = FloatVector.fromArray(F, e.shift != null ? e.shift : zeros, j);
            // K of one or two words: these channels' weight half-words (zeros when the dots come from
            // the tile; w2 and w3 unused for one word)
            IntVector w0 = IntVector.fromArray(I, panels, fused ? weights.index(j, 0) : 0);
            IntVector w1 = IntVector.fromArray(I, panels, fused ? weights.index(j, 1) : 0);
            IntVector w2 = IntVector.fromArray(I, panels, twoWords ? weights.index(j, 2) : 0);
            IntVector w3 = IntVector.fromArray(I, panels, twoWords ? weights.index(j, 3) : 0);
            int jr = j % r; // a vector never straddles a residual row: r is a multiple of LANES, or r = M
            int word = j >>> 6;
            int bit = j & 63;
            // Offsets carried from row to row rather than multiplied out per row.
            int t = (j - m0) / LANES * vecStride;
            int res = c.plan != null ? c.plan.offset[j / LANES] : g0 * r + jr; // in the rearranged rows, or the residual's
            int resStride = c.plan != null ? c.plan.rowFloats : r;
            int full = g0 * m + j;
            int out = inPlace ? g0 * pooledChannels + j % pooledChannels : (g0 - dstRow0) * m + j;
            int dstStride = inPlace ? pooledChannels : m;
            boolean firstOfGroup = j < pooledChannels;
            boolean lastOfGroup = j >= m - pooledChannels;
            int o = g0 * bitWords + word;
            for (int row = g0; row < g1; row++, t += LANES, res += resStride, full += m, out += dstStride, o += bitWords) {
                FloatVector dot;
                if (fused) { // as VectorGemm's column kernels: K - 2 popcount(a XOR w), a half-word at a time
                    int h = 2 * fusedWords * (row - first);
                    IntVector pop = w0.lanewise(VectorOperators.XOR, halves[h]).lanewise(VectorOperators.BIT_COUNT)
                            .add(w1.lanewise(VectorOperators.XOR, halves[h + 1]).lanewise(VectorOperators.BIT_COUNT));
                    if (twoWords) {
                        pop = pop.add(w2.lanewise(VectorOperators.XOR, halves[h + 2]).lanewise(VectorOperators.BIT_COUNT))
                                .add(w3.lanewise(VectorOperators.XOR, halves[h + 3]).lanewise(VectorOperators.BIT_COUNT));
                    }
                    dot = (FloatVector) kv.sub(pop.lanewise(VectorOperators.LSHL, 1)).convert(VectorOperators.I2F, 0);
                } else {
                    dot = (FloatVector) IntVector.fromArray(I, tile, t).convert(VectorOperators.I2F, 0);
                }
                FloatVector v = dot.fma(alpha, beta);
                if (residual != null) {
                    v = v.add(c.plan != null ? FloatVector.fromArray(F, c.rearranged, res)
                            : c.tiledIndex == null ? FloatVector.fromArray(F, residual, res)
                            : FloatVector.fromArray(F, residual, row * r, c.tiledIndex, j));
                }
                if (rprelu) {
                    FloatVector y = v.sub(move1);
                    y = y.lanewise(VectorOperators.MUL, slope, y.compare(VectorOperators.LT, 0f));
                    v = y.add(move2);
                }
                if (scaled) {
                    v = v.fma(scaleA, scaleB);
                }
                if (residual2 != null) {
                    v = v.add(FloatVector.fromArray(F, residual2, full));
                }
                if (dst != null) {
                    if (inPlace && !firstOfGroup) { // the group's sum so far, plus this channel, in channel order
                        FloatVector sum = FloatVector.fromArray(F, dst, out).add(v);
                        if (lastOfGroup) {
                            sum = power2 ? sum.mul(inverse) : sum.div(groups);
                        }
                        sum.intoArray(dst, out);
                    } else {
                        v.intoArray(dst, out);
                    }
                }
                if (normed) {
                    v = v.fma(normA, normB);
                }
                if (normOut != null) {
                    v.intoArray(normOut, full);
                }
                if (bits != null) {
                    long laneBits = v.add(shift).compare(VectorOperators.GE, 0f).toLong() << bit;
                    bits[o] = bit == 0 ? laneBits : bits[o] | laneBits;
                }
            }
        }
        for (; j < m1; j++) { // the last channels of M, if M is not a multiple of LANES: same operations
            int word = j >>> 6;
            for (int row = g0; row < g1; row++) {
                float v = e.affine(j, tile[(row - g0) * LANES + (j - m0) / LANES * vecStride + (j - m0) % LANES]);
                if (residual != null) {
                    v = v + residual[row * r + e.channelOf(j) % r];
                }
                v = e.layerScale(j, e.rprelu(j, v));
                if (residual2 != null) {
                    v = v + residual2[row * m + j];
                }
                if (dst != null) {
                    dst[(row - dstRow0) * m + j] = v;
                }
                float w = e.norm(j, v);
                if (normOut != null) {
                    normOut[row * m + j] = w;
                }
                if (bits != null) {
                    long bitValue = w + e.shift(j) >= 0f ? 1L << (j & 63) : 0L;
                    int o = row * bitWords + word;
                    bits[o] = (j & 63) == 0 ? bitValue : bits[o] | bitValue;
                }
            }
        }
    }
}
