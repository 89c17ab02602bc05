package dev.binaryvit.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-operator timing of a forward pass, for profiles and reports: each kernel call inside a step
 * is marked with its name, kind and dimensions, and timed from the previous mark. {@link #OFF}
 * records nothing and costs a branch per kernel call.
 */
public final class Trace {

    /** What an operator is, which fixes the meaning of its dimensions. */
    public enum Kind {
        /** dims: n, k (bits), m, residual (0/1). */
        BINARY_GEMM,
        /** dims: rows, cols. */
        PACK,
        /** dims: batch, n, nkv, channels, heads. */
        ATTENTION,
        /** dims: n, k, m. */
        FLOAT_GEMM,
        /** dims: elements, arrays read, arrays written, float ops per element. */
        ELEMENTWISE,
        /** dims: elements, arrays read, arrays written, float ops per element. */
        POOL,
        /** An MLP's two binary layers in one call ({@code Gemm.mlp}); dims: n, channels, intermediate, pool. */
        MLP
    }

    /** One timed kernel call. */
    public record Op(String step, String name, Kind kind, int[] dims, long nanos) {}

    /** The trace that records nothing. */
    public static final Trace OFF = new Trace(false);

    private final boolean on;
    private final List<Op> ops = new ArrayList<>();
    private String step;
    private long last;

    private Trace(boolean on) {
        this.on = on;
    }

    /** A trace that records every operator of the forward passes it is given. */
    public static Trace recording() {
        return new Trace(true);
    }

    /** The operators recorded so far, in execution order. */
    public List<Op> ops() {
        return List.copyOf(ops);
    }

    /** Forgets what was recorded. */
    public void clear() {
        ops.clear();
    }

    void begin(String stepName) {
        if (on) {
            step = stepName;
            last = System.nanoTime();
        }
    }

    void mark(String name, Kind kind, int d0, int d1) {
        mark(name, kind, d0, d1, 0, 0, 0);
    }

    void mark(String name, Kind kind, int d0, int d1, int d2) {
        mark(name, kind, d0, d1, d2, 0, 0);
    }

    void mark(String name, Kind kind, int d0, int d1, int d2, int d3) {
        mark(name, kind, d0, d1, d2, d3, 0);
    }

    void mark(String name, Kind kind, int d0, int d1, int d2, int d3, int d4) {
        if (!on) {
            return;
        }
        long now = System.nanoTime();
        int arity = switch (kind) {
            case PACK -> 2;
            case FLOAT_GEMM -> 3;
            case BINARY_GEMM, ELEMENTWISE, POOL, MLP -> 4;
            case ATTENTION -> 5;
        };
        int[] dims = java.util.Arrays.copyOf(new int[] {d0, d1, d2, d3, d4}, arity);
        ops.add(new Op(step, name, kind, dims, now - last));
        last = now;
    }
}
