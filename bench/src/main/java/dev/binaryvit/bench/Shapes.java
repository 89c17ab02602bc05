package dev.binaryvit.bench;

/** Parses benchmark shape parameters written {@code AxBxC}. */
final class Shapes {

    private Shapes() {}

    static int[] parse(String shape, int parts) {
        String[] fields = shape.split("x");
        if (fields.length != parts) {
            throw new IllegalArgumentException("shape '" + shape + "' needs " + parts + " numbers separated by 'x'");
        }
        int[] values = new int[parts];
        for (int i = 0; i < parts; i++) {
            values[i] = Integer.parseInt(fields[i].trim());
        }
        return values;
    }
}
