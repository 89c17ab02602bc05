package dev.binaryvit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The counting formulas, against numbers worked out by hand. */
class WorkTest {

    private static Profile.OpTime op(String kind, Map<String, Double> dims, boolean residual) {
        return new Profile.OpTime("layer.0", "x", kind, dims, residual, 1000, Double.NaN);
    }

    @Test
    void binaryGemm() {
        // 3136 x 64 bits x 64: one word per row
        Work w = Work.of(op("binary_gemm", Map.of("n", 3136.0, "k", 64.0, "m", 64.0), false));
        assertEquals(12_845_056, w.binaryMacs(), 0);
        assertEquals(1_204_224, w.floatOps(), 0); // 6 n m
        assertEquals(25_088 + 512 + 802_816, w.bytes(), 0);
        // 3136 x 256 x 64 with a residual: 4 words per row, the output read back once more
        w = Work.of(op("binary_gemm", Map.of("n", 3136.0, "k", 256.0, "m", 64.0), true));
        assertEquals(51_380_224, w.binaryMacs(), 0);
        assertEquals(100_352 + 2_048 + 802_816 + 802_816, w.bytes(), 0);
        // K not a multiple of 64 rounds up to whole words: k = 65 -> 2 words
        w = Work.binaryGemm(1, 65, 1, false);
        assertEquals(8 * 2 + 8 * 2 + 4, w.bytes(), 0);
    }

    @Test
    void mlp() {
        // BinaryViT-S stage 0: 3136 tokens, 64 channels, 512 intermediate (one word in, eight out)
        Work w = Work.of(op("mlp", Map.of("n", 3136.0, "c", 64.0, "i", 512.0, "pool", 8.0), false));
        assertEquals(2.0 * 3136 * 64 * 512, w.binaryMacs(), 0);
        assertEquals(7.0 * 3136 * 512 + 6.0 * 3136 * 64, w.floatOps(), 0);
        assertEquals(25_088 + 4_096 + 4_096 + 200_704 + 4 * 802_816, w.bytes(), 0);
    }

    @Test
    void pack() {
        Work w = Work.of(op("pack", Map.of("rows", 3136.0, "cols", 64.0), false));
        assertEquals(0, w.binaryMacs(), 0);
        assertEquals(200_704, w.floatOps(), 0);
        assertEquals(802_816 + 25_088, w.bytes(), 0);
    }

    @Test
    void attention() {
        Work w = Work.of(op("attention", Map.of("batch", 1.0, "n", 3136.0, "nkv", 49.0, "channels", 64.0, "heads", 1.0),
                false));
        assertEquals(19_668_992, w.binaryMacs(), 0); // 2 x 3136 x 49 x 64
        assertEquals(25_088 + 784 + 802_816, w.bytes(), 0);
        // two heads of d = 64
        w = Work.attention(1, 784, 49, 128, 2);
        assertEquals(9_834_496, w.binaryMacs(), 0);
        assertEquals(12_544 + 1_568 + 401_408, w.bytes(), 0);
        // batch scales everything
        assertEquals(2 * w.bytes(), Work.attention(2, 784, 49, 128, 2).bytes(), 0);
    }

    @Test
    void floatGemmAndElementwise() {
        Work g = Work.of(op("float_gemm", Map.of("n", 3136.0, "k", 48.0, "m", 64.0), false));
        assertEquals(19_267_584, g.floatOps(), 0);
        assertEquals(1_417_216, g.bytes(), 0);
        Work p = Work.of(op("pool", Map.of("elements", 200_704.0, "reads", 2.0, "writes", 1.0, "flops_per_element", 26.0),
                false));
        assertEquals(5_218_304, p.floatOps(), 0);
        assertEquals(2_408_448, p.bytes(), 0);
        Work e = Work.of(op("something_new", Map.of("elements", 10.0, "reads", 1.0, "writes", 1.0), false));
        assertEquals(0, e.floatOps(), 0);
        assertEquals(80, e.bytes(), 0);
    }

    @Test
    void unknownKindsCountNothingAndMissingDimsSayWhich() {
        assertSame(Work.NONE, Work.of(op("mystery", Map.of("rows", 5.0), false)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Work.of(op("binary_gemm", Map.of("n", 1.0, "k", 1.0), false)));
        assertEquals(true, e.getMessage().contains("'m'"));
    }

    @Test
    void sums() {
        Work a = new Work(1, 2, 3, "a");
        Work b = new Work(10, 20, 30, "b");
        Work s = a.plus(b);
        assertEquals(11, s.binaryMacs(), 0);
        assertEquals(22, s.floatOps(), 0);
        assertEquals(33, s.bytes(), 0);
    }
}
