package dev.binaryvit.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes tensors as an F32 safetensors file (whatever dtype they were read with), for tests and
 * tools. Tensors are laid out in the map's iteration order; the header is padded with spaces to a
 * multiple of 8 bytes, as the reference writer does, so that the data is aligned.
 */
public final class SafetensorsWriter {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SafetensorsWriter() {}

    /** Writes {@code tensors} to {@code file}, replacing it. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /** Writes {@code tensors} and a {@code __metadata__} object to {@code file}, replacing it. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(header);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors.values()) {
                for (float f : t.data()) {
                    if (!buf.hasRemaining()) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(f);
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    /** The bytes of an F32 safetensors file holding {@code tensors}. */
    public static byte[] toBytes(Map<String, Tensor> tensors) {
        return toBytes(tensors, Map.of());
    }

    /** The bytes of an F32 safetensors file holding {@code tensors} and a {@code __metadata__} object. */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata);
        long total = header.length;
        for (Tensor t : tensors.values()) total += 4L * t.size();
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensors too large for one array: " + total + " bytes");
        ByteBuffer bb = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(header);
        // asFloatBuffer() views bb from its position without moving it: place each tensor by hand.
        int pos = header.length;
        for (Tensor t : tensors.values()) {
            bb.position(pos);
            bb.asFloatBuffer().put(t.data());
            pos += 4 * t.size();
        }
        return bb.array();
    }

    /** 8-byte length + JSON header (space-padded to a multiple of 8). */
    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (!e.getKey().equals(t.name())) {
                throw new IllegalArgumentException("key '" + e.getKey() + "' holds tensor '" + t.name() + "'");
            }
            if (t.name().equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is reserved");
            ObjectNode o = root.putObject(t.name());
            o.put("dtype", "F32");
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            ArrayNode off = o.putArray("data_offsets");
            off.add(offset);
            offset += 4L * t.size();
            off.add(offset);
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) & ~7;
        ByteBuffer bb = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(padded);
        bb.put(json);
        while (bb.hasRemaining()) bb.put((byte) ' ');
        return bb.array();
    }
}
