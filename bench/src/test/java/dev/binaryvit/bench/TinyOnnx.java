package dev.binaryvit.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny ONNX models for the tests, written as protobuf by hand (the fields of {@code onnx.proto}
 * that a one-node graph needs): an {@code Identity} or an {@code Add} over inputs of a given type
 * and shape. Dimensions are numbers, or names for dynamic ones.
 */
final class TinyOnnx {

    static final int FLOAT = 1;
    static final int INT64 = 7;

    /** A graph input or output: name, ONNX element type, dimensions (Long or String). */
    record Value(String name, int elemType, List<Object> dims) {}

    private TinyOnnx() {}

    /** {@code y = Identity(x)}. */
    static Path identity(Path file, int elemType, Object... dims) throws IOException {
        List<Object> d = List.of(dims);
        return write(file, "Identity", List.of(new Value("x", elemType, d)), new Value("y", elemType, d));
    }

    /** {@code z = Add(x, y)}: two inputs. */
    static Path add(Path file, Object... dims) throws IOException {
        List<Object> d = List.of(dims);
        return write(file, "Add", List.of(new Value("x", FLOAT, d), new Value("y", FLOAT, d)), new Value("z", FLOAT, d));
    }

    static Path write(Path file, String op, List<Value> inputs, Value output) throws IOException {
        Proto node = new Proto();
        inputs.forEach(v -> node.string(1, v.name()));
        node.string(2, output.name()).string(3, "n").string(4, op);
        Proto graph = new Proto().message(1, node).string(2, "tiny");
        inputs.forEach(v -> graph.message(11, valueInfo(v)));
        graph.message(12, valueInfo(output));
        Proto model = new Proto().varint(1, 8).string(2, "binaryvit-tests").message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 13));
        Files.write(file, model.bytes());
        return file;
    }

    private static Proto valueInfo(Value v) {
        Proto shape = new Proto();
        for (Object d : v.dims()) {
            shape.message(1, d instanceof String s ? new Proto().string(2, s) : new Proto().varint(1, ((Number) d).longValue()));
        }
        Proto tensor = new Proto().varint(1, v.elemType()).message(2, shape);
        return new Proto().string(1, v.name()).message(2, new Proto().message(1, tensor));
    }

    /** A protobuf message being written: varint and length-delimited fields. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            raw((long) field << 3);
            raw(value);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.bytes());
        }

        private Proto bytes(int field, byte[] b) {
            raw((long) field << 3 | 2);
            raw(b.length);
            out.writeBytes(b);
            return this;
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
