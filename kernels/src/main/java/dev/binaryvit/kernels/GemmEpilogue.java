package dev.binaryvit.kernels;

/**
 * The float epilogue of {@link VectorGemm} over a block of its tile. It has one implementation,
 * {@link VectorGemmEpilogue}, of which VectorGemm runs a copy per epilogue form
 * ({@link ProfileCopies}): the model's forms (a query, an attention output, fc1, fc2) take
 * different optional stages, and one compiled loop for all of them ran fc1's 1.3 to 2 times slower.
 */
interface GemmEpilogue {

    /**
     * The epilogue of tokens {@code [g0, g1)}, channels {@code [m0, m1)} (m0 a multiple of 64), from
     * the dots in the call's vector-major tile (one vector of channels every {@code vecStride}), or
     * made from the panels and the token halves when the call's {@code fusedWords()} says so: the
     * value v to {@code dst[(row - dstRow0) * M + j]} unless dst is null, its norm w to the norm
     * output if there is one, and the signs of w + shift into the call's sign words if it has them.
     * When the call {@link VectorGemm.Call#poolsInPlace pools in place}, dst is the pooled output
     * and v is added to its group's sum there instead.
     */
    void rows(VectorGemm.Call c, int g0, int g1, int m0, int m1, int vecStride, float[] dst, int dstRow0);

    /**
     * The form of a call: which optional stages and outputs it has, in {@code [0, FORMS)}. Calls of
     * one form take the same branches in {@link #rows}.
     */
    static int form(VectorGemm.Call c, boolean dst) {
        Epilogue e = c.e;
        int residual = c.residual == null ? 0 : c.plan != null ? 3 : c.tiledIndex == null ? 1 : 2;
        return residual
                | (e.move1 != null ? 1 << 2 : 0)
                | (e.scaleA != null ? 1 << 3 : 0)
                | (c.residual2 != null ? 1 << 4 : 0)
                | (dst ? 1 << 5 : 0)
                | (e.normA != null ? 1 << 6 : 0)
                | (c.normOut != null ? 1 << 7 : 0)
                | (c.bits != null ? 1 << 8 : 0)
                | c.fusedWords() << 9
                | (c.poolsInPlace() ? 1 << 11 : 0);
    }

    /** The number of forms. */
    int FORMS = 1 << 12;
}
