package dev.binaryvit.kernels;

/**
 * How the vector epilogue of an {@link Epilogue#withInterleavedChannels interleaved} MLP layer reads
 * its tiled residual without a gather. With G groups over C = M / G pooled channels and a residual
 * of C channels, output {@code i * C + q} (channel {@code q * G + i}) reads residual channel
 * {@code (q mod P) * G + i}, P = C / G: a vector of outputs reads every G-th residual value from i
 * on. So each row's residual is first split into its G strided streams, stream i holding
 * {@code res[i], res[i + G], ..}, by log2(G) levels of even/odd lane selections in registers (the
 * transposition {@link VectorPooling}'s pools use), and every vector of outputs then loads a vector
 * of its stream.
 * When P is less than a vector, a stream is one vector holding its P values repeated, which is what
 * those outputs read. (A gather per vector of outputs cost more than the rest of the epilogue.)
 * Only the order of the residual's floats changes, so the sums are those of the reference.
 */
final class ResidualPlan {

    /** Vectors of a row split together in registers: G, or all C / lanes of them when fewer; 2, 4 or 8. */
    final int block;
    /** Blocks per row. */
    final int blocks;
    /** Whether each stream of a block is split once more with itself (P is half a vector). */
    final boolean again;
    /** Floats of one stream in a split row: {@code max(1, P / lanes)} vectors. */
    final int streamFloats;
    /** Floats per split row: G streams. */
    final int rowFloats;
    /** Per vector of outputs ({@code m / lanes}): where its vector lies in the split row. */
    final int[] offset;

    private ResidualPlan(int block, int blocks, boolean again, int streamFloats, int rowFloats, int[] offset) {
        this.block = block;
        this.blocks = blocks;
        this.again = again;
        this.streamFloats = streamFloats;
        this.rowFloats = rowFloats;
        this.offset = offset;
    }

    /**
     * The plan for M outputs interleaved in G groups reading a residual of r channels, or null when
     * there is none (the epilogue then gathers): r must be M / G, G a power of two above 1 that
     * divides C, C a whole number of vectors, P a multiple of the vector length or half of it or
     * a divisor, and the split must fit the register kernels (blocks of 2, 4 or 8 vectors, at
     * most one split of a vector with itself). Every BinaryViT-S stage at 512, 256 and 128 bits does.
     */
    static ResidualPlan of(int m, int groups, int r, int lanes) {
        int c = m / groups;
        if (groups < 2 || Integer.bitCount(groups) != 1 || r != c || c % lanes != 0 || c % groups != 0) {
            return null; // (G must divide C: otherwise q*G + i wraps around C unevenly, and the streams are not strided)
        }
        int p = c / groups;
        if (p % lanes != 0 && lanes % p != 0) {
            return null;
        }
        int levels = Integer.numberOfTrailingZeros(groups);
        int vectors = c / lanes;
        int block = Math.min(groups, vectors);
        int selfLevels = levels - Integer.numberOfTrailingZeros(block);
        if (block < 2 || block > 8 || selfLevels > 1) {
            return null;
        }
        int perStream = Math.max(1, p / lanes);
        int[] offset = new int[m / lanes];
        for (int v = 0; v < offset.length; v++) {
            int j = v * lanes;
            int i = j / c;
            int q = j % c;
            // After the levels, stream s holds the residues s with its bits reversed: each level
            // sends the even lanes of a stream to the first half, the odd ones to the second.
            int stream = Integer.reverse(i) >>> (32 - levels);
            offset[v] = (stream * perStream + (p >= lanes ? (q % p) / lanes : 0)) * lanes;
        }
        return new ResidualPlan(block, vectors / block, selfLevels == 1, perStream * lanes,
                groups * perStream * lanes, offset);
    }
}
