package dev.binaryvit.kernels;

import java.util.Locale;

/**
 * Argument checks shared by the public entry points; every message names what does not match.
 * Messages are built only when a check fails: kernels run hundreds of times per forward pass and
 * must not build strings (or allocate at all) when their arguments are right.
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

    // The length checks name the array and the shape it should have: {@code shape} is a format with
    // up to five %d, filled with the dims only when the check fails. Fixed arities, no varargs and no
    // lambdas: a call with the right arguments allocates nothing, even before the JIT inlines it.

    static void length(String what, Object array, long needed, String shape) {
        length(what, array, needed, shape, 0, 0, 0, 0, 0);
    }

    static void length(String what, Object array, long needed, String shape, long d1) {
        length(what, array, needed, shape, d1, 0, 0, 0, 0);
    }

    static void length(String what, Object array, long needed, String shape, long d1, long d2) {
        length(what, array, needed, shape, d1, d2, 0, 0, 0);
    }

    static void length(String what, Object array, long needed, String shape, long d1, long d2, long d3) {
        length(what, array, needed, shape, d1, d2, d3, 0, 0);
    }

    static void length(String what, Object array, long needed, String shape, long d1, long d2, long d3, long d4) {
        length(what, array, needed, shape, d1, d2, d3, d4, 0);
    }

    /** {@code array} (a float, long or int array) is not null and holds at least {@code needed} elements. */
    static void length(String what, Object array, long needed, String shape, long d1, long d2, long d3, long d4,
                       long d5) {
        notNull(what, array);
        int length = switch (array) {
            case float[] f -> f.length;
            case long[] l -> l.length;
            case int[] i -> i.length;
            default -> throw new IllegalArgumentException(what + " is a " + array.getClass().getSimpleName()
                    + ", not a float, long or int array");
        };
        if (length < needed) {
            throw new IllegalArgumentException(what + " has " + length + " elements but needs " + needed + " ("
                    + String.format(Locale.ROOT, shape, d1, d2, d3, d4, d5) + ")");
        }
    }
}
