package dev.binaryvit.model;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Properties of the safetensors reader on hostile input: whatever the bytes, it either returns
 * well-formed tensors or throws a {@link SafetensorsException} with a message — never another
 * exception, never an error.
 */
class SafetensorsFuzzTest {

    /** Reads, and checks that the only possible failure is a SafetensorsException with a message. */
    private static Safetensors readOrReject(byte[] bytes) {
        try {
            Safetensors st = Safetensors.read(bytes);
            for (String name : st.names()) {
                Tensor t = st.tensor(name);
                long n = 1;
                for (long d : t.shape()) n *= d;
                assertEquals(n, t.data().length, name);
            }
            return st;
        } catch (SafetensorsException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "exception without a message");
            return null;
        }
    }

    private static final String[] TOKENS = {"{", "}", "[", "]", ":", ",", "\"", "\"a\"", "\"b\"", "\"dtype\"", "\"shape\"",
            "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"BOOL\"", "\"X\"", "0", "1",
            "4", "8", "-1", "1.5", "1e3", "99999999999999999999", "true", "null", " ", "\\", "\"\\u0000\""};

    private static byte[] randomBytes(SplittableRandom r, int len, boolean plausibleLength, boolean jsonish) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) r.nextInt(256);
        if (plausibleLength && len >= 8) {
            int n = r.nextInt(len - 7);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
            if (jsonish) {
                StringBuilder sb = new StringBuilder();
                while (sb.length() < n) sb.append(TOKENS[r.nextInt(TOKENS.length)]);
                byte[] h = sb.toString().getBytes(StandardCharsets.UTF_8);
                System.arraycopy(h, 0, b, 8, n);
            }
        }
        return b;
    }

    @Test
    void randomBytesAreReadOrRejected() {
        qt().withExamples(3000).forAll(longs().all(), integers().between(0, 400), integers().between(0, 2))
                .checkAssert((seed, len, mode) -> readOrReject(randomBytes(new SplittableRandom(seed), len, mode > 0, mode > 1)));
    }

    @Test
    void everyTruncationOfAValidFileIsRejected() {
        byte[][] valid = {SafetensorsTest.validMixedFile(), writerFile()};
        for (byte[] v : valid) {
            // every prefix, exhaustively: the tensors must cover the data exactly, so no prefix is valid
            for (int len = 0; len < v.length; len++) {
                byte[] cut = java.util.Arrays.copyOf(v, len);
                assertThrows(SafetensorsException.class, () -> Safetensors.read(cut), "prefix of " + len + " bytes");
            }
        }
    }

    @Test
    void randomMutationsOfAValidFileAreReadOrRejected() {
        byte[][] valid = {SafetensorsTest.validMixedFile(), writerFile()};
        qt().withExamples(4000).forAll(longs().all(), integers().between(1, 6), integers().between(0, 1))
                .checkAssert((seed, k, which) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    byte[] b = valid[which].clone();
                    long headerEnd = 8 + ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                    for (int i = 0; i < k; i++) {
                        // mostly in the length and header, where the structure is
                        int pos = r.nextInt(4) > 0 ? r.nextInt((int) headerEnd) : r.nextInt(b.length);
                        if (r.nextBoolean()) {
                            b[pos] = (byte) r.nextInt(256);
                        } else {
                            byte[] t = TOKENS[r.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
                            b[pos] = t[0];
                        }
                    }
                    readOrReject(b);
                });
    }

    @Test
    void randomStructuredHeadersAreReadOrRejected() {
        String[] dtypes = {"F32", "F16", "BF16", "F64", "I64", "I8", "U8", "BOOL", "Q4", "F8_E5M2"};
        qt().withExamples(3000).forAll(longs().all(), integers().between(0, 4), integers().between(0, 64))
                .checkAssert((seed, tensors, dataLen) -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    StringBuilder h = new StringBuilder("{");
                    long offset = 0;
                    for (int t = 0; t < tensors; t++) {
                        if (t > 0) h.append(',');
                        String dtype = dtypes[r.nextInt(dtypes.length)];
                        int rank = r.nextInt(4);
                        StringBuilder shape = new StringBuilder("[");
                        for (int d = 0; d < rank; d++) {
                            if (d > 0) shape.append(',');
                            shape.append(r.nextInt(10) == 0 ? r.nextLong() : r.nextInt(-1, 5));
                        }
                        shape.append(']');
                        long begin = r.nextInt(3) == 0 ? r.nextInt(-2, 70) : offset;
                        long end = begin + r.nextInt(-2, 20);
                        offset = end;
                        h.append("\"t").append(r.nextInt(3)).append("\":{\"dtype\":\"").append(dtype)
                                .append("\",\"shape\":").append(shape).append(",\"data_offsets\":[")
                                .append(begin).append(',').append(end).append("]}");
                    }
                    h.append('}');
                    byte[] data = new byte[dataLen];
                    r.nextBytes(data);
                    readOrReject(SafetensorsTest.file(h.toString(), data));
                });
    }

    private static byte[] writerFile() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("x", Tensor.of("x", new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("s", Tensor.of("s", new float[] {7}));
        return SafetensorsWriter.toBytes(t, Map.of("format", "pt"));
    }
}
