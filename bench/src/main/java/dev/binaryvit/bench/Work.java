package dev.binaryvit.bench;

import java.util.List;

/**
 * What an operator must do, counted by formula from its kind and dimensions: binary MACs
 * (bit-level multiply-accumulates: one XOR/AND + popcount share per bit), float operations, and the
 * bytes that must move between memory and the core at least once. The formulas (also printed in
 * the report):
 * <ul>
 * <li>{@code binary_gemm} (n tokens, k bits, m outputs; {@code residual} adds an n x m float read):
 *     MACs = n k m; float ops = 6 n m (the epilogue); bytes = 8 n ceil(k/64) + 8 m ceil(k/64) + 4 n m
 *     (+ 4 n m with residual).</li>
 * <li>{@code mlp} (n tokens, c channels, i intermediate, pool): its two binary layers, c bits to i outputs
 *     and i bits to c: MACs = 2 n c i; float ops = 6 n i + n i + 6 n c (the epilogues and the pool);
 *     bytes = 8 n ceil(c/64) + 8 i ceil(c/64) + 8 c ceil(i/64) + 8 n ceil(i/64) + 16 n c (4 n c each
 *     for the residual, the pool, the second residual and the output).</li>
 * <li>{@code pack} (rows x cols floats to sign bits): float ops = rows cols;
 *     bytes = 4 rows cols + 8 rows ceil(cols/64).</li>
 * <li>{@code attention} (batch, n queries, nkv keys, channels, heads; d = channels/heads):
 *     MACs = batch heads (n nkv d + n nkv d) (XNOR scores and AND values);
 *     bytes = batch (n channels/8 + 2 nkv channels/8 + 4 n channels).</li>
 * <li>{@code float_gemm}: float ops = 2 n k m; bytes = 4 (n k + k m + n m).</li>
 * <li>{@code elementwise}, {@code pool} (elements, reads, writes, flops_per_element):
 *     float ops = elements flops_per_element; bytes = 4 elements (reads + writes).</li>
 * </ul>
 * Any other kind with an {@code elements} dimension is counted as elementwise; one without gets
 * no counts and is flagged.
 *
 * @param binaryMacs binary multiply-accumulates
 * @param floatOps   float operations (an FMA is 2)
 * @param bytes      bytes that must move
 * @param formula    the formula used: the kind, "elementwise (by its dims)", or "none"
 */
public record Work(double binaryMacs, double floatOps, double bytes, String formula) {

    /** Kinds whose main work is binary (they are held against the binary peak). */
    static final List<String> BINARY_KINDS = List.of("binary_gemm", "mlp", "attention");

    public static final Work NONE = new Work(0, 0, 0, "none");

    /** The counts of one profiled operator. Throws when a dimension its formula needs is missing. */
    public static Work of(Profile.OpTime op) {
        return switch (op.kind()) {
            case "binary_gemm" -> binaryGemm(op.dim("n"), op.dim("k"), op.dim("m"), op.residual());
            case "mlp" -> mlp(op.dim("n"), op.dim("c"), op.dim("i"));
            case "pack" -> pack(op.dim("rows"), op.dim("cols"));
            case "attention" -> attention(op.dim("batch", 1), op.dim("n"), op.dim("nkv"), op.dim("channels"),
                    op.dim("heads", 1));
            case "float_gemm" -> floatGemm(op.dim("n"), op.dim("k"), op.dim("m"));
            case "elementwise", "pool" -> elementwise(op.kind(), op.dim("elements"), op.dim("reads", 1),
                    op.dim("writes", 1), op.dim("flops_per_element", 0));
            default -> op.dims().containsKey("elements")
                    ? elementwise("elementwise (by its dims)", op.dim("elements"), op.dim("reads", 1),
                            op.dim("writes", 1), op.dim("flops_per_element", 0))
                    : NONE;
        };
    }

    static double words(double bits) {
        return Math.ceil(bits / 64);
    }

    public static Work binaryGemm(double n, double k, double m, boolean residual) {
        double bytes = 8 * n * words(k) + 8 * m * words(k) + 4 * n * m + (residual ? 4 * n * m : 0);
        return new Work(n * k * m, 6 * n * m, bytes, "binary_gemm");
    }

    public static Work mlp(double n, double c, double i) {
        double bytes = 8 * n * words(c) + 8 * i * words(c) + 8 * c * words(i) + 8 * n * words(i) + 4 * 4 * n * c;
        return new Work(2 * n * c * i, 7 * n * i + 6 * n * c, bytes, "mlp");
    }

    public static Work pack(double rows, double cols) {
        return new Work(0, rows * cols, 4 * rows * cols + 8 * rows * words(cols), "pack");
    }

    public static Work attention(double batch, double n, double nkv, double channels, double heads) {
        double d = channels / heads;
        double macs = batch * heads * (n * nkv * d + n * nkv * d);
        double bytes = batch * (n * channels / 8 + 2 * nkv * channels / 8 + 4 * n * channels);
        return new Work(macs, 0, bytes, "attention");
    }

    public static Work floatGemm(double n, double k, double m) {
        return new Work(0, 2 * n * k * m, 4 * (n * k + k * m + n * m), "float_gemm");
    }

    public static Work elementwise(String formula, double elements, double reads, double writes, double flopsPerElement) {
        return new Work(0, elements * flopsPerElement, 4 * elements * (reads + writes), formula);
    }

    /** The sum of two counts (a step is the sum of its operators). */
    public Work plus(Work o) {
        return new Work(binaryMacs + o.binaryMacs, floatOps + o.floatOps, bytes + o.bytes, "sum");
    }

    /** No operations and no bytes. */
    public boolean isEmpty() {
        return binaryMacs == 0 && floatOps == 0 && bytes == 0;
    }
}
