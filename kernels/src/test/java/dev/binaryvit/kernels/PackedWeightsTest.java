package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The BinaryViT weight rules on matrices small enough to check by hand. */
class PackedWeightsTest {

    @Test
    void linearWeightsUseRowCentredSignsAndTheMeanAbsoluteValue() {
        // Row 0: mean 0.5, so 0.1 and 0.2 fall below it although they are positive.
        // Row 1: mean -1, so -0.5 lies above it; -1 equals it and maps to +1.
        float[] w = {
            0.1f, 0.2f, 0.9f, 0.8f,
            -2f, -0.5f, -1f, -0.5f,
        };
        PackedWeights p = PackedWeights.linear(w, 2, 4, 16);
        assertEquals(0b1100L, p.word(0, 0));
        assertEquals(0b1110L, p.word(1, 0));
        assertEquals(0.5f, p.scale(0), 1e-7f);
        assertEquals(1.0f, p.scale(1), 1e-7f);
    }

    @Test
    void convWeightsUseUncentredSignsInKyKxChannelOrder() {
        // out 1, channels 2: w[0][c][ky][kx]; all positive except c=1,ky=0,kx=1 and c=0,ky=1,kx=1.
        float[] w = {
            1f, 2f, 3f, -4f,   // c = 0: (0,0) (0,1) (1,0) (1,1)
            5f, -6f, 7f, 8f,   // c = 1
        };
        PackedWeights p = PackedWeights.conv2x2(w, 1, 2, 16);
        // bit (ky*2+kx)*2 + c: (0,0,c0)=1 (0,0,c1)=1 (0,1,c0)=1 (0,1,c1)=0 (1,0,c0)=1 (1,0,c1)=1 (1,1,c0)=0 (1,1,c1)=1
        assertEquals(0b10110111L, p.word(0, 0));
        assertEquals(36f / 8f, p.scale(0), 1e-6f);
        assertEquals(8, p.bits());
    }

    @Test
    void rowsBeyondMAndBitsBeyondKArePaddedWithZeros() {
        float[] w = new float[3 * 70];
        java.util.Arrays.fill(w, 1f);
        w[0] = 5f; // row mean above 1, so the other ones in row 0 are below it
        PackedWeights p = PackedWeights.linear(w, 3, 70, 16);
        assertEquals(2, p.words());
        assertEquals(1L, p.word(0, 0));
        assertEquals(-1L, p.word(1, 0));
        assertEquals((1L << 6) - 1, p.word(1, 1));
        int[] panels = p.panels();
        for (int h = 0; h < 4; h++) {
            for (int m = 3; m < 16; m++) {
                assertEquals(0, panels[h * 16 + m], "padding row " + m);
            }
        }
    }

    @Test
    void inputsReorderedMoveEachBitAndKeepTheScales() {
        // K = 70 bits over two words; from reverses the bits, so bit k holds bit 69 - k
        float[] w = new float[2 * 70];
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        PackedWeights p = PackedWeights.linear(w, 2, 70, 16);
        int[] from = new int[70];
        for (int k = 0; k < 70; k++) {
            from[k] = 69 - k;
        }
        PackedWeights r = p.withInputsReordered(from);
        for (int m = 0; m < 2; m++) {
            for (int k = 0; k < 70; k++) {
                assertEquals(p.word(m, from[k] / 64) >>> (from[k] % 64) & 1, r.word(m, k / 64) >>> (k % 64) & 1,
                        "row " + m + " bit " + k);
            }
            assertEquals(p.scale(m), r.scale(m));
            assertEquals(0L, r.word(m, 1) >>> 6, "bits past K stay 0");
        }
        from[3] = from[4];
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> p.withInputsReordered(from));
        assertEquals("from is not a permutation of 0 .. 69: from[4] = 65 appears twice", e.getMessage());
    }

    @Test
    void rowsReorderedMoveEachRowWithItsScale() {
        float[] w = new float[3 * 70];
        java.util.Random random = new java.util.Random(4);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        PackedWeights p = PackedWeights.linear(w, 3, 70, 16);
        int[] from = {2, 0, 1};
        PackedWeights r = p.withRowsReordered(from);
        for (int m = 0; m < 3; m++) {
            assertEquals(p.scale(from[m]), r.scale(m), "scale of row " + m);
            for (int k = 0; k < 2; k++) {
                assertEquals(p.word(from[m], k), r.word(m, k), "row " + m + " word " + k);
            }
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> p.withRowsReordered(new int[] {0, 3, 1}));
        assertEquals("from is not a permutation of 0 .. 2: from[1] = 3 is out of range", e.getMessage());
    }
}
