package dev.binaryvit.kernels;

/**
 * XNOR-popcount GEMM on rows {@code [from, to)} of packed activations {@code a[N][words(K)]}
 * against packed weights {@code [M x K bits]}; arguments already checked by {@link Gemm}.
 */
interface GemmSupport {

    /** Whether this implementation reads weights packed with this panel width. */
    boolean reads(PackedWeights w);

    /** The vector width in bits, 0 for a scalar implementation. */
    int vectorBits();

    /** The panel width weights should be packed with for this implementation. */
    int panelWidth();

    /** {@code out[n][m] = K - 2 * popcount(a[n] XOR w[m])}. */
    void dots(long[] a, int from, int to, PackedWeights w, int[] out);

    /**
     * The epilogue (see {@link Epilogue}) of every dot product, into whichever outputs are not
     * null: {@code out[n][m]} the value v, {@code normOut[n][m]} its norm w, {@code signs[n][words(M)]}
     * the signs of {@code w + shift}. {@code residual} and {@code residual2} may be null.
     */
    void fused(long[] a, int from, int to, PackedWeights w, Epilogue e, float[] residual, float[] residual2,
               float[] out, float[] normOut, long[] signs);

    /**
     * With v the epilogue values of a row (no second residual, layer scale or norm): {@code signs[n][words(M)]}
     * of {@code v + shift}, and
     * {@code pooled[n][M / pool]}, the means of {@code pool} consecutive values (summed in order, then divided).
     */
    void signsAndPool(long[] a, int from, int to, PackedWeights w, Epilogue e, float[] residual, long[] signs,
                      int pool, float[] pooled);
}
