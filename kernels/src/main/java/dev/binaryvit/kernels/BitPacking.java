package dev.binaryvit.kernels;

/**
 * Float rows to packed sign bits. Bit convention, used everywhere in this library: bit 1 means
 * +1 (the value, plus the optional shift, is {@code >= 0}, so an exact 0 counts as +1) and bit 0
 * means -1 (negative or NaN). Bit {@code c % 64} of word {@code c / 64} holds column c; padding
 * bits past the last column are 0, so two packed rows of the same length never disagree there.
 */
public final class BitPacking {

    private static final BitPacking REFERENCE = new BitPacking(new ReferencePacking());
    private static final BitPacking ACTIVE = new BitPacking(
            Vectorization.select("dev.binaryvit.kernels.VectorPacking", PackingSupport.class, REFERENCE.impl));

    private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);

    private final PackingSupport impl;

    private BitPacking(PackingSupport impl) {
        this.impl = impl;
    }

    /** The vector implementation when the Vector API is usable, else the reference. */
    public static BitPacking active() {
        return ACTIVE;
    }

    /** The plain scalar implementation. */
    public static BitPacking reference() {
        return REFERENCE;
    }

    /** Number of 64-bit words that hold {@code bits} bits. */
    public static int words(int bits) {
        return (bits + 63) >>> 6;
    }

    /** Packs {@code x[rows][cols]} into {@code out[rows][words(cols)]}. */
    public void pack(float[] x, int rows, int cols, long[] out) {
        pack(x, rows, cols, 1, null, out, Parallel.SERIAL);
    }

    /** Packs the signs of {@code x[r][c] + move[c]} without materialising the sum. */
    public void pack(float[] x, int rows, int cols, float[] move, long[] out) {
        pack(x, rows, cols, 1, move, out, Parallel.SERIAL);
    }

    /**
     * Packs {@code x[rows][cols]} with each row cut into {@code groups} equal column groups (for
     * instance attention heads), each group in its own {@code words(cols / groups)} words:
     * {@code out[rows][groups][words(cols / groups)]}. {@code move} (length cols) may be null.
     */
    public void pack(float[] x, int rows, int cols, int groups, float[] move, long[] out, Parallel parallel) {
        checkShape(rows, cols, groups);
        long elements = (long) rows * cols;
        Check.length("x", x, elements, "rows %d x cols %d", rows, cols);
        if (move != null) {
            Check.length("move", move, cols, "one per column, cols %d", cols);
        }
        long outWords = (long) rows * groups * words(cols / groups);
        Check.length("out", out, outWords,
                "rows %d x groups %d x words(%d bits)", rows, groups, cols / groups);
        Check.notNull("parallel", parallel);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.packRows(x, 0, rows, cols, groups, move, out);
        } else {
            parallel.run(rows, 1, JOBS.get().set(impl, false, x, rows, cols, groups, move, out));
        }
    }

    /**
     * Packs the signs of {@code x[r][c] + move[c]} column by column: {@code out[cols][words(rows)]},
     * bit r of column c (for instance the attention values, one bit row per channel along the
     * keys). {@code move} (length cols) may be null.
     */
    public void packColumns(float[] x, int rows, int cols, float[] move, long[] out) {
        packColumns(x, 1, rows, cols, move, out, Parallel.SERIAL);
    }

    /**
     * {@link #packColumns(float[], int, int, float[], long[])} for {@code batch} matrices one after
     * the other: {@code x[batch][rows][cols]} into {@code out[batch][cols][words(rows)]}, the
     * columns split over {@code parallel}.
     */
    public void packColumns(float[] x, int batch, int rows, int cols, float[] move, long[] out, Parallel parallel) {
        Check.positive("batch", batch);
        checkShape(rows, cols, 1);
        Check.length("x", x, (long) batch * rows * cols, "batch %d x rows %d x cols %d", batch, rows, cols);
        if (move != null) {
            Check.length("move", move, cols, "one per column, cols %d", cols);
        }
        Check.length("out", out, (long) batch * cols * words(rows),
                "batch %d x cols %d x words(rows %d)", batch, cols, rows);
        Check.notNull("parallel", parallel);
        Check.size("batch x cols", (long) batch * cols);
        if (parallel.threads() == 1) { // a serial call needs no job
            impl.packColumns(x, rows, cols, move, out, 0, batch * cols);
        } else {
            parallel.run(batch * cols, 16, JOBS.get().set(impl, true, x, rows, cols, 1, move, out));
        }
    }

    /** The ±1 values of packed rows {@code packed[rows][groups][words(cols / groups)]}: a checking aid. */
    public static float[] unpack(long[] packed, int rows, int cols, int groups) {
        checkShape(rows, cols, groups);
        int groupCols = cols / groups;
        int groupWords = words(groupCols);
        Check.length("packed", packed, (long) rows * groups * groupWords,
                "rows %d x groups %d x words(%d bits)", rows, groups, groupCols);
        float[] x = new float[Check.size("rows x cols", (long) rows * cols)];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int g = c / groupCols;
                int bit = c % groupCols;
                long word = packed[(r * groups + g) * groupWords + bit / 64];
                x[r * cols + c] = ((word >>> (bit % 64)) & 1L) != 0 ? 1f : -1f;
            }
        }
        return x;
    }

    /** The mask of word {@code word}'s bits that lie inside a row of {@code bits} bits. */
    static long validBits(int bits, int word) {
        int inWord = Math.min(64, bits - 64 * word);
        return inWord >= 64 ? -1L : inWord <= 0 ? 0L : (1L << inWord) - 1;
    }

    private static void checkShape(int rows, int cols, int groups) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        Check.positive("cols", cols);
        Check.positive("groups", groups);
        if (cols % groups != 0) {
            throw new IllegalArgumentException("cols " + cols + " is not divisible by groups " + groups);
        }
    }

    /** A parallel call's arguments (see {@link Parallel.Job}): rows, or columns split over the threads. */
    private static final class Job extends Parallel.Job {
        private PackingSupport impl;
        private boolean byColumns;
        private float[] x;
        private int rows, cols, groups;
        private float[] move;
        private long[] out;

        Job set(PackingSupport impl, boolean byColumns, float[] x, int rows, int cols, int groups, float[] move,
                long[] out) {
            this.impl = impl;
            this.byColumns = byColumns;
            this.x = x;
            this.rows = rows;
            this.cols = cols;
            this.groups = groups;
            this.move = move;
            this.out = out;
            return this;
        }

        @Override
        public void run(int from, int to) {
            if (byColumns) {
                impl.packColumns(x, rows, cols, move, out, from, to);
            } else {
                impl.packRows(x, from, to, cols, groups, move, out);
            }
        }

        @Override
        protected void clear() {
            set(null, false, null, 0, 0, 0, null, null);
        }
    }
}
