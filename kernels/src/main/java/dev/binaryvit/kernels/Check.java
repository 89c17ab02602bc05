package dev.binaryvit.kernels;

import java.util.function.Supplier;

/**
 * Argument checks shared by the public entry points; every message names what does not match.
 * Explanations are suppliers, built only when a check fails: kernels run hundreds of times per
 * forward pass and must not build strings (or allocate at all) when their arguments are right.
 */
final class Check {

    private Check() {}

    static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + value);
        }
    }

    static void notNull(String what, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is null");
        }
    }

    static void equal(String what, int actual, String expectedWhat, int expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(what + " is " + actual + " but " + expectedWhat + " is " + expected);
        }
    }

    /** {@code size} elements fit in an int-indexed array, else a clear message instead of an overflow. */
    static int size(String what, long size) {
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(what + " needs " + size + " elements, more than a Java array holds");
        }
        return (int) size;
    }

    static void length(String what, float[] array, long needed, Supplier<String> because) {
        notNull(what, array);
        length(what, array.length, needed, because);
    }

    static void length(String what, long[] array, long needed, Supplier<String> because) {
        notNull(what, array);
        length(what, array.length, needed, because);
    }

    static void length(String what, int[] array, long needed, Supplier<String> because) {
        notNull(what, array);
        length(what, array.length, needed, because);
    }

    private static void length(String what, int length, long needed, Supplier<String> because) {
        if (length < needed) {
            throw new IllegalArgumentException(
                    what + " has " + length + " elements but needs " + needed + " (" + because.get() + ")");
        }
    }
}
