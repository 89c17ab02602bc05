package dev.binaryvit.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    // ---------------------------------------------------------------- hand-made files

    /** 8-byte little-endian length, the header text, then the data bytes. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    static byte[] le16(int... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) b.putShort((short) v);
        return b.array();
    }

    /** A small valid file with tensors of several dtypes and metadata: the seed of the fuzzing properties. */
    static byte[] validMixedFile() {
        ByteBuffer d = ByteBuffer.allocate(12 + 8 + 6 + 8 + 16).order(ByteOrder.LITTLE_ENDIAN);
        d.putFloat(1.5f).putFloat(-2f).putFloat(0.25f);                    // a F32 [3]      [0, 12)
        d.putShort((short) 0x3C00).putShort((short) 0xC000)                 // b F16 [2, 2]   [12, 20)
                .putShort((short) 0x0001).putShort((short) 0x7C00);
        d.putShort((short) 0x3F80).putShort((short) 0x4049).putShort((short) 0xFF80); // c BF16 [3] [20, 26)
        d.putLong(7);                                                       // n I64 []       [26, 34)
        d.putDouble(Math.PI).putDouble(-1e-300);                            // e F64 [2]      [34, 50)
        String header = """
                {"__metadata__": {"format": "pt", "note": "mixed"},
                 "a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]},
                 "b": {"dtype": "F16", "shape": [2, 2], "data_offsets": [12, 20]},
                 "c": {"dtype": "BF16", "shape": [3], "data_offsets": [20, 26]},
                 "n.num_batches_tracked": {"dtype": "I64", "shape": [], "data_offsets": [26, 34]},
                 "e": {"dtype": "F64", "shape": [2], "data_offsets": [34, 50]},
                 "z": {"dtype": "F32", "shape": [0, 5], "data_offsets": [50, 50]}}
                """;
        return file(header, d.array());
    }

    @Test
    void readsAHandMadeFileOfEveryDtype() throws SafetensorsException {
        Safetensors st = Safetensors.read(validMixedFile());
        assertEquals(List.of("a", "b", "c", "n.num_batches_tracked", "e", "z"), List.copyOf(st.names()));
        assertEquals(Map.of("format", "pt", "note", "mixed"), st.metadata());
        Tensor a = st.tensor("a");
        assertEquals("F32", a.dtype());
        assertArrayEquals(new long[] {3}, a.shape());
        assertArrayEquals(new float[] {1.5f, -2f, 0.25f}, a.data());
        Tensor b = st.tensor("b");
        assertEquals("F16", b.dtype());
        assertArrayEquals(new long[] {2, 2}, b.shape());
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY}, b.data());
        assertArrayEquals(new float[] {1f, 3.140625f, Float.NEGATIVE_INFINITY}, st.tensor("c").data());
        Tensor n = st.tensor("n.num_batches_tracked");
        assertArrayEquals(new long[] {}, n.shape());
        assertArrayEquals(new float[] {7f}, n.data());
        assertArrayEquals(new float[] {(float) Math.PI, -0f}, st.tensor("e").data());
        assertEquals(0, st.tensor("z").size());
        assertNull(st.tensor("absent"));
    }

    // ---------------------------------------------------------------- half precision

    /** IEEE binary16 decoded from its fields, independently of the implementation's Float.float16ToFloat. */
    static float f16(int bits) {
        int sign = (bits >>> 15) & 1, exp = (bits >>> 10) & 0x1f, man = bits & 0x3ff;
        float v;
        if (exp == 0x1f) v = man == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        else if (exp == 0) v = Math.scalb((float) man, -24);                 // subnormal: man * 2^-24
        else v = Math.scalb((float) (man | 0x400), exp - 25);                // (1024 + man) * 2^(exp - 15 - 10)
        return sign == 1 ? -v : v;
    }

    /** bfloat16 decoded from its fields. */
    static float bf16(int bits) {
        int sign = (bits >>> 15) & 1, exp = (bits >>> 7) & 0xff, man = bits & 0x7f;
        float v;
        if (exp == 0xff) v = man == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        else if (exp == 0) v = Math.scalb((float) man, -133);               // man * 2^(-126 - 7)
        else v = Math.scalb((float) (man | 0x80), exp - 134);               // (128 + man) * 2^(exp - 127 - 7)
        return sign == 1 ? -v : v;
    }

    @Test
    void f16WideningIsExact() throws SafetensorsException {
        int[] bits = {0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3555, 0x3C00, 0x3C01, 0xC000, 0x7BFF, 0xFBFF,
                0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFE00, 0x1234, 0x5678};
        Safetensors st = Safetensors.read(file("{\"h\":{\"dtype\":\"F16\",\"shape\":[" + bits.length
                + "],\"data_offsets\":[0," + 2 * bits.length + "]}}", le16(bits)));
        float[] got = st.tensor("h").data();
        for (int i = 0; i < bits.length; i++) {
            float want = f16(bits[i]);
            if (Float.isNaN(want)) assertTrue(Float.isNaN(got[i]), Integer.toHexString(bits[i]));
            else assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i]), Integer.toHexString(bits[i]));
        }
        assertEquals(0x1p-24f, got[2]);          // smallest subnormal
        assertEquals(65504f, got[10]);           // largest finite
        assertEquals(-0f, got[1]);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(got[1]));
    }

    @Test
    void f16WideningIsExactForEveryBitPattern() throws SafetensorsException {
        int[] bits = new int[1 << 16];
        for (int i = 0; i < bits.length; i++) bits[i] = i;
        float[] got = Safetensors.read(file("{\"h\":{\"dtype\":\"F16\",\"shape\":[65536],\"data_offsets\":[0,131072]}}",
                le16(bits))).tensor("h").data();
        for (int i = 0; i < bits.length; i++) {
            float want = f16(i);
            if (Float.isNaN(want)) assertTrue(Float.isNaN(got[i]), Integer.toHexString(i));
            else assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i]), Integer.toHexString(i));
        }
    }

    @Test
    void bf16WideningIsExactForEveryBitPattern() throws SafetensorsException {
        int[] bits = new int[1 << 16];
        for (int i = 0; i < bits.length; i++) bits[i] = i;
        float[] got = Safetensors.read(file("{\"h\":{\"dtype\":\"BF16\",\"shape\":[256,256],\"data_offsets\":[0,131072]}}",
                le16(bits))).tensor("h").data();
        for (int i = 0; i < bits.length; i++) {
            float want = bf16(i);
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(got[i]), Integer.toHexString(i));
                assertEquals(i << 16, Float.floatToRawIntBits(got[i]), "NaN payload kept");
            } else {
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(got[i]), Integer.toHexString(i));
            }
        }
        assertEquals(0x1p-133f, got[1]);                   // smallest bf16 subnormal, a float subnormal too
        assertEquals(0x1.fep127f, got[0x7F7F]);               // largest finite bf16
        assertEquals(1f, got[0x3F80]);
    }

    @Test
    void integerAndDoubleDtypesConvert() throws SafetensorsException {
        ByteBuffer d = ByteBuffer.allocate(8 + 8 + 4 + 2 + 1 + 1 + 1 + 4 + 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
        d.putLong(-3).putLong(-1L)                 // I64 -3; U64 2^64-1
                .putInt(-5).putShort((short) -7).put((byte) -9).put((byte) 200).put((byte) 2)   // I32 I16 I8 U8 BOOL
                .putInt(-1).putShort((short) -1)   // U32 2^32-1, U16 65535
                .putDouble(1e300);                 // F64 beyond float range: inf
        String h = """
                {"i64": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]},
                 "u64": {"dtype": "U64", "shape": [1], "data_offsets": [8, 16]},
                 "i32": {"dtype": "I32", "shape": [1], "data_offsets": [16, 20]},
                 "i16": {"dtype": "I16", "shape": [1], "data_offsets": [20, 22]},
                 "i8": {"dtype": "I8", "shape": [1], "data_offsets": [22, 23]},
                 "u8": {"dtype": "U8", "shape": [1], "data_offsets": [23, 24]},
                 "bool": {"dtype": "BOOL", "shape": [1], "data_offsets": [24, 25]},
                 "u32": {"dtype": "U32", "shape": [1], "data_offsets": [25, 29]},
                 "u16": {"dtype": "U16", "shape": [1], "data_offsets": [29, 31]},
                 "f64": {"dtype": "F64", "shape": [1], "data_offsets": [31, 39]}}
                """;
        Safetensors st = Safetensors.read(file(h, d.array()));
        assertEquals(-3f, st.tensor("i64").data()[0]);
        assertEquals(0x1p64f, st.tensor("u64").data()[0]);
        assertEquals(-5f, st.tensor("i32").data()[0]);
        assertEquals(-7f, st.tensor("i16").data()[0]);
        assertEquals(-9f, st.tensor("i8").data()[0]);
        assertEquals(200f, st.tensor("u8").data()[0]);
        assertEquals(1f, st.tensor("bool").data()[0]);
        assertEquals(0x1p32f, st.tensor("u32").data()[0]);
        assertEquals(65535f, st.tensor("u16").data()[0]);
        assertEquals(Float.POSITIVE_INFINITY, st.tensor("f64").data()[0]);
    }

    // ---------------------------------------------------------------- fixtures

    @Test
    void readsTheFixtureWeights() throws IOException {
        Safetensors st = Safetensors.read(Fixtures.tiny().resolve("weights.safetensors"));
        assertEquals(498, st.names().size());
        long values = 0;
        for (String name : st.names()) {
            Tensor t = st.tensor(name);
            assertEquals("F32", t.dtype(), name);
            assertEquals(name, t.name());
            values += t.size();
        }
        assertEquals(612525, values);
        assertEquals("vit.embeddings.position_embeddings", st.names().iterator().next());
        assertArrayEquals(new long[] {1, 3136, 16}, st.tensor("vit.embeddings.position_embeddings").shape());
        assertArrayEquals(new long[] {16, 3, 4, 4}, st.tensor("vit.embeddings.patch_embeddings.projection.weight").shape());
        assertArrayEquals(new long[] {1, 16, 1, 1}, st.tensor("vit.encoder.patch_embed1.move").shape());
        assertArrayEquals(new long[] {128, 64, 2, 2}, st.tensor("vit.encoder.patch_embed3.proj.weight").shape());
        assertArrayEquals(new long[] {1000, 128}, st.tensor("classifier.weight").shape());
        Tensor clip = st.tensor("vit.encoder.layer.0.attention.attention.att_prob_clip");
        assertArrayEquals(new long[] {}, clip.shape());
        // values checked against numpy's reading of the same bytes
        assertEquals(0.03379315510392189f, clip.data()[0]);
        assertArrayEquals(new float[] {-0.04365247115492821f, 0.012986582703888416f, 0.13827680051326752f},
                java.util.Arrays.copyOf(st.tensor("classifier.bias").data(), 3));
        assertEquals(-2.5341017986720544, sum(st.tensor("classifier.bias").data()), 1e-9);
        assertEquals(-0.5694944843715177, sum(st.tensor("vit.encoder.patch_embed3.proj.weight").data()), 1e-9);
    }

    @Test
    void readsTheFixtureCase() throws IOException {
        Safetensors st = Safetensors.read(Fixtures.tiny().resolve("case.safetensors"));
        assertEquals(15, st.names().size());
        assertArrayEquals(new long[] {2, 3, 224, 224}, st.tensor("input").shape());
        assertArrayEquals(new long[] {2, 1000}, st.tensor("logits").shape());
        assertArrayEquals(new long[] {2, 1000}, st.tensor("logits_fp32").shape());
        int[] tokens = {3136, 784, 196, 196, 49, 49};
        int[] channels = {16, 32, 64, 64, 128, 128};
        for (int i = 0; i <= 5; i++) {
            assertArrayEquals(new long[] {2, tokens[i], channels[i]}, st.tensor("hidden." + i).shape());
            assertArrayEquals(new long[] {2, tokens[i], channels[i]}, st.tensor("hidden_fp32." + i).shape());
        }
    }

    private static double sum(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return s;
    }

    // ---------------------------------------------------------------- writer

    @Test
    void writerRoundTrips(@TempDir Path dir) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", Tensor.of("w", new float[] {1, -2, 3.5f, Float.NaN, Float.NEGATIVE_INFINITY, 0x1p-149f}, 2, 3));
        tensors.put("s", Tensor.of("s", new float[] {0.125f}));
        tensors.put("empty", Tensor.of("empty", new float[0], 0));
        tensors.put("ünïcödé name", Tensor.of("ünïcödé name", new float[] {42}, 1, 1, 1));
        Map<String, String> meta = Map.of("format", "pt");

        byte[] bytes = SafetensorsWriter.toBytes(tensors, meta);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
        Safetensors st = Safetensors.read(bytes);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(st.names()));
        assertEquals(tensors, st.tensors());
        assertEquals(meta, st.metadata());

        Path f = dir.resolve("t.safetensors");
        SafetensorsWriter.write(f, tensors, meta);
        assertArrayEquals(bytes, Files.readAllBytes(f));
        assertEquals(tensors, Safetensors.read(f).tensors());

        // reading the fixture and writing it again gives the same tensors
        Safetensors fixture = Safetensors.read(Fixtures.tiny().resolve("weights.safetensors"));
        assertEquals(fixture.tensors(), Safetensors.read(SafetensorsWriter.toBytes(fixture.tensors())).tensors());
    }

    // ---------------------------------------------------------------- corrupt files

    static Stream<Arguments> corruptFiles() {
        byte[] f4 = new byte[4];
        byte[] f12 = new byte[12];
        return Stream.of(
                corrupt("shorter than 8 bytes", new byte[5], "5 bytes, shorter than the 8-byte header length"),
                corrupt("empty file", new byte[0], "0 bytes, shorter than"),
                corrupt("header past the end", lengthThen(1000, "{}"), "header length 1000 runs past the end of the file"),
                corrupt("absurd header length", lengthThen(1L << 62, "{}"), "is absurd"),
                corrupt("negative header length", lengthThen(-1L, "{}"), "is absurd"),
                corrupt("zero header length", lengthThen(0, ""), "header is empty"),
                corrupt("blank header", file("        ", new byte[0]), "header is blank"),
                corrupt("header not UTF-8", fileBytes(new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', ':', '1', '}'}),
                        "header is not valid UTF-8"),
                corrupt("header not JSON", file("{not json", new byte[0]), "header is not valid JSON"),
                corrupt("trailing JSON", file("{} {}", new byte[0]), "header is not valid JSON"),
                corrupt("header an array", file("[1, 2]", new byte[0]), "header is not a JSON object"),
                corrupt("duplicate names", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", f4), "'a'"),
                corrupt("entry not an object", file("{\"a\": 5}", new byte[0]), "tensor 'a': entry is not a JSON object"),
                corrupt("missing dtype", file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", f4), "tensor 'a': missing dtype"),
                corrupt("missing shape", file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", f4), "tensor 'a': missing shape"),
                corrupt("missing offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", f4), "tensor 'a': missing data_offsets"),
                corrupt("dtype not a string", entry("5", "[1]", "[0,4]", f4), "tensor 'a': dtype is not a string"),
                corrupt("shape not an array", entry("\"F32\"", "\"1\"", "[0,4]", f4), "tensor 'a': shape is not a JSON array"),
                corrupt("shape not integers", entry("\"F32\"", "[1.5]", "[0,4]", f4), "tensor 'a': shape[0] is not an integer"),
                corrupt("huge dimension", entry("\"F32\"", "[99999999999999999999999]", "[0,4]", f4), "shape[0] = 99999999999999999999999 is out of range"),
                corrupt("offsets not a pair", entry("\"F32\"", "[1]", "[0]", f4), "data_offsets is not a JSON array of two integers"),
                corrupt("offsets not an array", entry("\"F32\"", "[1]", "{}", f4), "data_offsets is not a JSON array of two integers"),
                corrupt("offsets not integers", entry("\"F32\"", "[1]", "[\"0\",4]", f4), "data_offsets[0] is not an integer"),
                corrupt("negative offset", entry("\"F32\"", "[1]", "[-4,0]", f4), "data_offsets[0] = -4 is out of range"),
                corrupt("negative dimension", entry("\"F32\"", "[-1, 2]", "[0,4]", f4), "tensor 'a': negative dimension -1"),
                corrupt("unknown dtype", entry("\"Q4\"", "[1]", "[0,4]", f4), "tensor 'a': unknown dtype \"Q4\""),
                corrupt("unsupported dtype", entry("\"F8_E4M3\"", "[4]", "[0,4]", f4), "tensor 'a': unsupported dtype \"F8_E4M3\""),
                corrupt("offsets past the end", entry("\"F32\"", "[100]", "[0,400]", f4), "tensor 'a': data_offsets [0, 400) run past the end of the data (4 bytes)"),
                corrupt("begin after end", entry("\"F32\"", "[1]", "[4,0]", f4), "tensor 'a': data_offsets begin 4 > end 0"),
                corrupt("byte count", entry("\"F32\"", "[3]", "[0,4]", f4), "tensor 'a': has 4 bytes but shape [3] of F32 needs 12"),
                corrupt("byte count F16", entry("\"F16\"", "[3]", "[0,4]", f4), "tensor 'a': has 4 bytes but shape [3] of F16 needs 6"),
                corrupt("shape overflow", entry("\"F32\"", "[4294967296, 4294967296]", "[0,4]", f4), "tensor 'a': element count of shape [4294967296,4294967296] overflows"),
                corrupt("too many elements", entry("\"F32\"", "[3000000000]", "[0,4]", f4), "more than a Java array holds"),
                corrupt("overlap", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", f12),
                        "tensor 'b' [4, 12) overlaps tensor 'a' [0, 8)"),
                corrupt("same range twice", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", f4), "overlaps tensor"),
                corrupt("gap", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", f12),
                        "bytes [4, 8) of the data before tensor 'b' belong to no tensor"),
                corrupt("trailing data", entry("\"F32\"", "[1]", "[0,4]", f12), "bytes [4, 12) at the end of the data belong to no tensor"),
                corrupt("data without tensors", file("{}", f4), "bytes [0, 4) at the end of the data"),
                corrupt("metadata not an object", file("{\"__metadata__\": [1]}", new byte[0]), "__metadata__ is not a JSON object"),
                corrupt("metadata value not a string", file("{\"__metadata__\": {\"k\": 1}}", new byte[0]),
                        "__metadata__ value of 'k' is not a string"));
    }

    private static Arguments corrupt(String what, byte[] bytes, String message) {
        return Arguments.of(what, bytes, message);
    }

    private static byte[] entry(String dtype, String shape, String offsets, byte[] data) {
        return file("{\"a\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}", data);
    }

    private static byte[] lengthThen(long n, String rest) {
        byte[] r = rest.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + r.length).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put(r).array();
    }

    private static byte[] fileBytes(byte[] header) {
        return ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header).array();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptFiles")
    void everyCorruptFileIsNamed(String what, byte[] bytes, String message, @TempDir Path dir) throws IOException {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(bytes));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
        // the same from a file, with the file named
        Path f = dir.resolve("corrupt.safetensors");
        Files.write(f, bytes);
        SafetensorsException fe = assertThrows(SafetensorsException.class, () -> Safetensors.read(f));
        assertTrue(fe.getMessage().startsWith(f + ": "), fe.getMessage());
        assertTrue(fe.getMessage().contains(message), fe.getMessage());
    }

    @Test
    void aMissingFileIsAnIOException(@TempDir Path dir) {
        assertThrows(NoSuchFileException.class, () -> Safetensors.read(dir.resolve("absent.safetensors")));
    }

    @Test
    void ofChecksNames() {
        Tensor t = Tensor.of("a", new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> Safetensors.of(Map.of("b", t), Map.of()));
        assertEquals(t, Safetensors.of(Map.of("a", t), Map.of()).tensor("a"));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("x", new float[3], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of("x", new float[0], -1));
    }
}
