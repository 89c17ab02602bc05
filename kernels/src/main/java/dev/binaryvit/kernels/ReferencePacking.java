package dev.binaryvit.kernels;

/** Sign packing as plain loops: the oracle for {@link VectorPacking}. */
final class ReferencePacking implements PackingSupport {

    @Override
    public void packRows(float[] x, int from, int to, int cols, int groups, float[] move, long[] out) {
        int groupCols = cols / groups;
        int groupWords = BitPacking.words(groupCols);
        for (int r = from; r < to; r++) {
            for (int g = 0; g < groups; g++) {
                int wordBase = (r * groups + g) * groupWords;
                for (int w = 0; w < groupWords; w++) {
                    out[wordBase + w] = 0L;
                }
                for (int c = 0; c < groupCols; c++) {
                    int col = g * groupCols + c;
                    float shifted = x[r * cols + col] + (move == null ? 0f : move[col]);
                    if (shifted >= 0f) {
                        out[wordBase + c / 64] |= 1L << (c % 64);
                    }
                }
            }
        }
    }

    @Override
    public void packColumns(float[] x, int rows, int cols, float[] move, long[] out, int from, int to) {
        int rowWords = BitPacking.words(rows);
        for (int bc = from; bc < to; bc++) {
            int b = bc / cols;
            int col = bc % cols;
            int wordBase = bc * rowWords;
            for (int w = 0; w < rowWords; w++) {
                out[wordBase + w] = 0L;
            }
            for (int r = 0; r < rows; r++) {
                float shifted = x[(b * rows + r) * cols + col] + (move == null ? 0f : move[col]);
                if (shifted >= 0f) {
                    out[wordBase + r / 64] |= 1L << (r % 64);
                }
            }
        }
    }
}
