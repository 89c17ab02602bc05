package dev.binaryvit.kernels;

/** Sign-bit packing, arguments already checked by {@link BitPacking}. */
interface PackingSupport {

    /**
     * Packs rows {@code [from, to)} of {@code x[rows][cols]}: each row is cut into {@code groups}
     * equal column groups, each group packed into its own whole words (bit c%64 of word c/64 is 1
     * iff {@code x + move >= 0}; padding bits 0). {@code move} (length cols) may be null.
     */
    void packRows(float[] x, int from, int to, int cols, int groups, float[] move, long[] out);

    /**
     * Packs columns of {@code x[batch][rows][cols]} into {@code out[batch][cols][words(rows)]}: bit r
     * of column c is 1 iff {@code x[r][c] + move[c] >= 0}, padding bits 0. {@code [from, to)} ranges
     * over the flattened {@code [batch][cols]} index. {@code move} (length cols) may be null.
     */
    void packColumns(float[] x, int rows, int cols, float[] move, long[] out, int from, int to);
}
