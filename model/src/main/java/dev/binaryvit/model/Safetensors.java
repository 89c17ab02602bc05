package dev.binaryvit.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file read once into memory, every tensor widened to float.
 *
 * <p>Format: 8 bytes little-endian header length {@code n}; {@code n} bytes of UTF-8 JSON, an
 * object {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}} with
 * an optional {@code "__metadata__"} object of strings; then the little-endian data, offsets being
 * relative to the end of the header.
 *
 * <p>Dtypes read: F64 (narrowed), F32, F16 and BF16 (widened exactly), and the integer types
 * I64, I32, I16, I8, U64, U32, U16, U8 and BOOL (converted to the nearest float; PyTorch stores
 * BatchNorm's {@code num_batches_tracked} as I64).
 *
 * <p>Validation is strict, as in the reference implementation: every problem raises a
 * {@link SafetensorsException} naming it and the tensor — a file shorter than 8 bytes, a header
 * length past the end of the file or over 100 MB, a header that is not UTF-8 JSON or not an
 * object, duplicate names, an entry without {@code dtype}/{@code shape}/{@code data_offsets} or
 * with the wrong JSON types, negative dimensions, unknown dtypes, offsets out of range or
 * reversed, a byte count different from {@code product(shape) * size(dtype)}, element counts that
 * overflow or exceed a Java array, and tensors that overlap or leave bytes of the data uncovered.
 * Nothing is allocated for the data before the whole header has been checked against the file size.
 */
public final class Safetensors {

    /** The reference implementation's limit on the header size. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The largest float[] a JVM reliably allocates. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private Safetensors(Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /**
     * Reads a whole safetensors file.
     *
     * @throws SafetensorsException if it is not a well-formed safetensors file (the message names the file)
     * @throws IOException          if it cannot be read
     */
    public static Safetensors read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parse(new ChannelSource(ch), file.toString());
        }
    }

    /** Parses the bytes of a safetensors file. */
    public static Safetensors read(byte[] bytes) throws SafetensorsException {
        try {
            return parse(new ArraySource(bytes), null);
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new SafetensorsException(e.getMessage(), e);   // not reached: an array source does no I/O
        }
    }

    /**
     * Tensors already in memory, e.g. built by {@link SyntheticWeights}; keys must equal the
     * tensors' names. Iteration order is the map's.
     */
    public static Safetensors of(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (!e.getKey().equals(e.getValue().name())) {
                throw new IllegalArgumentException("key '" + e.getKey() + "' holds tensor '" + e.getValue().name() + "'");
            }
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is reserved");
            t.put(e.getKey(), e.getValue());
        }
        return new Safetensors(t, new LinkedHashMap<>(metadata));
    }

    /** The tensor names, in the order of the file's header. */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** The named tensor, or null if the file has none of that name. */
    public Tensor tensor(String name) {
        return tensors.get(name);
    }

    /** All tensors by name, in the order of the file's header. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} strings; empty if the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String toString() {
        return "Safetensors[" + tensors.size() + " tensors]";
    }

    // ---------------------------------------------------------------- dtypes

    private enum DType {
        F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U64(8), U32(4), U16(2), U8(1), BOOL(1);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** Dtypes of the format that this reader does not convert. */
    private static final Set<String> UNSUPPORTED = Set.of(
            "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64", "C128");

    private static DType dtype(String s) {
        for (DType d : DType.values()) if (d.name().equals(s)) return d;
        return null;
    }

    // ---------------------------------------------------------------- parsing

    private record Entry(String name, DType dtype, long[] shape, int count, long begin, long end) {}

    private static Safetensors parse(Source src, String file) throws IOException {
        String where = file == null ? "" : file + ": ";
        long size = src.size();
        if (size < 8) {
            throw new SafetensorsException(where + "file is " + size + " bytes, shorter than the 8-byte header length");
        }
        byte[] lenBytes = new byte[8];
        src.read(0, lenBytes, 0, 8, where);
        long n = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafetensorsException(where + "header length " + Long.toUnsignedString(n)
                    + " is absurd (the format allows at most " + MAX_HEADER_BYTES + " bytes)");
        }
        if (n > size - 8) {
            throw new SafetensorsException(where + "header length " + n + " runs past the end of the file ("
                    + size + " bytes)");
        }
        if (n == 0) throw new SafetensorsException(where + "header is empty (expected a JSON object)");
        byte[] headerBytes = new byte[(int) n];
        src.read(8, headerBytes, 0, (int) n, where);
        String header;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes));
            header = cb.toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(where + "header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JacksonException e) {
            throw new SafetensorsException(where + "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new SafetensorsException(where + "header is blank (expected a JSON object)");
        }
        if (!root.isObject()) {
            throw new SafetensorsException(where + "header is not a JSON object but " + root.getNodeType().toString().toLowerCase());
        }

        long dataSize = size - 8 - n;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode v = field.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) throw new SafetensorsException(where + "__metadata__ is not a JSON object");
                for (Map.Entry<String, JsonNode> m : v.properties()) {
                    if (!m.getValue().isTextual()) {
                        throw new SafetensorsException(where + "__metadata__ value of '" + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().textValue());
                }
                continue;
            }
            entries.add(entry(name, v, dataSize, where));
        }

        // The tensors must tile the data exactly: no overlap, no gap, nothing after the last one.
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin < covered) {
                throw new SafetensorsException(where + "tensor '" + e.name + "' " + range(e) + " overlaps tensor '"
                        + previous.name + "' " + range(previous));
            }
            if (e.begin > covered) {
                throw new SafetensorsException(where + "bytes [" + covered + ", " + e.begin + ") of the data before tensor '"
                        + e.name + "' belong to no tensor (the format requires the tensors to cover the data exactly)");
            }
            covered = e.end;
            previous = e;
        }
        if (covered != dataSize) {
            throw new SafetensorsException(where + "bytes [" + covered + ", " + dataSize + ") at the end of the data"
                    + " belong to no tensor (the format requires the tensors to cover the data exactly)");
        }

        long dataStart = 8 + n;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            float[] data = new float[e.count];
            decode(src, dataStart + e.begin, e.dtype, data, where);
            tensors.put(e.name, new Tensor(e.name, e.dtype.name(), e.shape, data));
        }
        return new Safetensors(tensors, metadata);
    }

    private static String range(Entry e) {
        return "[" + e.begin + ", " + e.end + ")";
    }

    private static Entry entry(String name, JsonNode v, long dataSize, String where) throws SafetensorsException {
        String t = where + "tensor '" + name + "': ";
        if (!v.isObject()) throw new SafetensorsException(t + "entry is not a JSON object");

        JsonNode dt = v.get("dtype");
        if (dt == null) throw new SafetensorsException(t + "missing dtype");
        if (!dt.isTextual()) throw new SafetensorsException(t + "dtype is not a string");
        DType dtype = dtype(dt.textValue());
        if (dtype == null) {
            throw new SafetensorsException(t + (UNSUPPORTED.contains(dt.textValue()) ? "unsupported" : "unknown")
                    + " dtype \"" + dt.textValue() + "\" (supported: " + Arrays.toString(DType.values()) + ")");
        }

        JsonNode sh = v.get("shape");
        if (sh == null) throw new SafetensorsException(t + "missing shape");
        if (!sh.isArray()) throw new SafetensorsException(t + "shape is not a JSON array");
        long[] shape = new long[sh.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber()) throw new SafetensorsException(t + "shape[" + i + "] is not an integer");
            if (!d.canConvertToLong()) throw new SafetensorsException(t + "shape[" + i + "] = " + d.asText() + " is out of range");
            shape[i] = d.longValue();
            if (shape[i] < 0) throw new SafetensorsException(t + "negative dimension " + shape[i] + " in shape");
        }
        try {
            for (long d : shape) count = Math.multiplyExact(count, d);
        } catch (ArithmeticException e) {
            throw new SafetensorsException(t + "element count of shape " + sh + " overflows");
        }
        if (count > MAX_ELEMENTS) {
            throw new SafetensorsException(t + "shape " + sh + " has " + count
                    + " elements, more than a Java array holds (" + MAX_ELEMENTS + ")");
        }

        JsonNode off = v.get("data_offsets");
        if (off == null) throw new SafetensorsException(t + "missing data_offsets");
        if (!off.isArray() || off.size() != 2) {
            throw new SafetensorsException(t + "data_offsets is not a JSON array of two integers");
        }
        long[] be = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode d = off.get(i);
            if (!d.isIntegralNumber()) throw new SafetensorsException(t + "data_offsets[" + i + "] is not an integer");
            if (!d.canConvertToLong() || d.longValue() < 0) {
                throw new SafetensorsException(t + "data_offsets[" + i + "] = " + d.asText() + " is out of range");
            }
            be[i] = d.longValue();
        }
        if (be[0] > be[1]) {
            throw new SafetensorsException(t + "data_offsets begin " + be[0] + " > end " + be[1]);
        }
        if (be[1] > dataSize) {
            throw new SafetensorsException(t + "data_offsets [" + be[0] + ", " + be[1] + ") run past the end of the data ("
                    + dataSize + " bytes)");
        }
        long bytes = count * dtype.bytes;   // count <= 2^31, no overflow
        if (be[1] - be[0] != bytes) {
            throw new SafetensorsException(t + "has " + (be[1] - be[0]) + " bytes but shape " + sh + " of " + dtype
                    + " needs " + bytes);
        }
        return new Entry(name, dtype, shape, (int) count, be[0], be[1]);
    }

    // ---------------------------------------------------------------- decoding

    private static final int CHUNK = 1 << 20;   // bytes per read; a multiple of every dtype size

    private static void decode(Source src, long pos, DType dtype, float[] out, String where) throws IOException {
        int total = out.length;
        byte[] buf = new byte[(int) Math.min(CHUNK, (long) total * dtype.bytes)];
        int perChunk = buf.length / dtype.bytes;
        for (int done = 0; done < total; ) {
            int k = Math.min(perChunk, total - done);
            int len = k * dtype.bytes;
            src.read(pos + (long) done * dtype.bytes, buf, 0, len, where);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, len).order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case F32 -> bb.asFloatBuffer().get(out, done, k);
                case F64 -> { for (int i = 0; i < k; i++) out[done + i] = (float) bb.getDouble(); }
                case F16 -> { for (int i = 0; i < k; i++) out[done + i] = Float.float16ToFloat(bb.getShort()); }
                case BF16 -> { for (int i = 0; i < k; i++) out[done + i] = bf16ToFloat(bb.getShort()); }
                case I64 -> { for (int i = 0; i < k; i++) out[done + i] = (float) bb.getLong(); }
                case I32 -> { for (int i = 0; i < k; i++) out[done + i] = (float) bb.getInt(); }
                case I16 -> { for (int i = 0; i < k; i++) out[done + i] = bb.getShort(); }
                case I8 -> { for (int i = 0; i < k; i++) out[done + i] = bb.get(); }
                case U64 -> { for (int i = 0; i < k; i++) out[done + i] = unsignedLongToFloat(bb.getLong()); }
                case U32 -> { for (int i = 0; i < k; i++) out[done + i] = (float) Integer.toUnsignedLong(bb.getInt()); }
                case U16 -> { for (int i = 0; i < k; i++) out[done + i] = Short.toUnsignedInt(bb.getShort()); }
                case U8 -> { for (int i = 0; i < k; i++) out[done + i] = Byte.toUnsignedInt(bb.get()); }
                case BOOL -> { for (int i = 0; i < k; i++) out[done + i] = bb.get() != 0 ? 1f : 0f; }
            }
            done += k;
        }
    }

    /** bfloat16 is the upper half of a float32: widening is exact, NaN payloads included. */
    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    private static float unsignedLongToFloat(long v) {
        // Halve with the lost bit kept as a sticky bit, so the single rounding to float is still correct.
        return v >= 0 ? (float) v : (float) ((v >>> 1) | (v & 1)) * 2f;
    }

    // ---------------------------------------------------------------- sources

    /** Positional reads from an array or a file. */
    private interface Source {
        long size() throws IOException;

        void read(long pos, byte[] dst, int off, int len, String where) throws IOException;
    }

    private record ArraySource(byte[] bytes) implements Source {
        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void read(long pos, byte[] dst, int off, int len, String where) {
            System.arraycopy(bytes, (int) pos, dst, off, len);
        }
    }

    private record ChannelSource(FileChannel ch) implements Source {
        @Override
        public long size() throws IOException {
            return ch.size();
        }

        @Override
        public void read(long pos, byte[] dst, int off, int len, String where) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(dst, off, len);
            while (bb.hasRemaining()) {
                int r = ch.read(bb, pos + (bb.position() - off));
                if (r < 0) {
                    throw new SafetensorsException(where + "file ended at byte " + (pos + bb.position() - off)
                            + " while reading (was it truncated while being read?)", new EOFException());
                }
            }
        }
    }
}
