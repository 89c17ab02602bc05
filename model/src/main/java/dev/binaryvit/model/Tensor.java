package dev.binaryvit.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor of a safetensors file, its data widened (or narrowed) to float, row-major in
 * PyTorch's layout.
 *
 * <p>The arrays are shared, not copied (weights are large): treat them as read-only.
 *
 * @param name  the tensor's name in the file
 * @param dtype the dtype it was stored with ({@code "F32"}, {@code "F16"}, {@code "BF16"}, ...)
 * @param shape its dimensions, outermost first; {@code []} for a scalar
 * @param data  {@code product(shape)} values
 */
public record Tensor(String name, String dtype, long[] shape, float[] data) {

    public Tensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
            n = d == 0 ? 0 : (n > Long.MAX_VALUE / d ? -1 : n * d);
            if (n < 0) throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " overflows");
        }
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " holds " + n
                    + " values but data has " + data.length);
        }
    }

    /** An F32 tensor. */
    public static Tensor of(String name, float[] data, long... shape) {
        return new Tensor(name, "F32", shape, data);
    }

    /** Number of elements, {@code product(shape)}. */
    public int size() {
        return data.length;
    }

    /** The shape as PyTorch prints it, e.g. {@code [64, 3, 4, 4]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && dtype.equals(t.dtype)
                && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + dtype + " " + shapeString() + "]";
    }
}
