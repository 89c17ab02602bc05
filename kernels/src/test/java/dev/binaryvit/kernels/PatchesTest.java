package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.quicktheories.core.Gen;

/**
 * Patch gathering: the vector copy against the reference, the patches as a permutation of the
 * input, their mean as the 2x2 average pooling, and the GEMM over gathered patches with
 * {@link PackedWeights#conv2x2} weights as the binary 2x2 / stride 2 convolution written out; and
 * its argument checks.
 */
@Tag("vector-width")
class PatchesTest {

    private static final Patches VECTOR = Patches.active();
    private static final Patches REFERENCE = Patches.reference();

    /** batch 1..3, (h/2) and (w/2) 1..12, c 1..130. */
    private static Gen<int[]> shapes() {
        return integers().between(1, 3).zip(integers().between(1, 12), integers().between(1, 12),
                integers().between(1, 130), (b, ho, wo, c) -> new int[] {b, 2 * ho, 2 * wo, c});
    }

    @Test
    void vectorGatherEqualsTheReference() {
        qt().withExamples(120).forAll(shapes(), longs().all()).checkAssert((s, seed) -> {
            float[] x = PoolingPropertiesTest.wide(new Random(seed), s[0] * s[1] * s[2] * s[3]);
            float[] expected = new float[x.length];
            float[] actual = new float[x.length];
            Arrays.fill(actual, Float.NaN); // every element must be written
            REFERENCE.gather2x2(x, s[0], s[1], s[2], s[3], expected);
            VECTOR.gather2x2(x, s[0], s[1], s[2], s[3], actual);
            assertArrayEquals(expected, actual, () -> PoolingPropertiesTest.shape(s));
            try (Parallel two = Parallel.of(2)) {
                float[] parallel = new float[x.length];
                VECTOR.gather2x2(x, s[0], s[1], s[2], s[3], parallel, two);
                assertArrayEquals(expected, parallel, "two threads");
            }
        });
    }

    @Test
    void thePatchesAreAPermutationWhoseMeanIsTheAveragePool() {
        qt().withExamples(80).forAll(shapes(), longs().all()).checkAssert((s, seed) -> {
            int batch = s[0];
            int h = s[1];
            int w = s[2];
            int c = s[3];
            float[] x = PoolingPropertiesTest.wide(new Random(seed), batch * h * w * c);
            float[] patches = new float[x.length];
            VECTOR.gather2x2(x, batch, h, w, c, patches);
            float[] sortedX = x.clone();
            float[] sortedPatches = patches.clone();
            Arrays.sort(sortedX);
            Arrays.sort(sortedPatches);
            assertArrayEquals(sortedX, sortedPatches, "same multiset of values");

            // avgPool(2) adds a window in (ky, kx) order: the patch's four groups of c in order.
            float[] pooled = new float[x.length / 4];
            Pooling.active().avgPool(x, batch, h, w, c, 2, pooled);
            float[] fromPatches = new float[pooled.length];
            for (int t = 0; t < pooled.length / c; t++) {
                for (int ch = 0; ch < c; ch++) {
                    int p = t * 4 * c + ch;
                    float sum = patches[p];
                    sum += patches[p + c];
                    sum += patches[p + 2 * c];
                    sum += patches[p + 3 * c];
                    fromPatches[t * c + ch] = sum / 4;
                }
            }
            assertArrayEquals(pooled, fromPatches);
        });
    }

    @Test
    void theGemmOverGatheredPatchesIsTheBinaryConvolution() {
        qt().withExamples(40).forAll(shapes(), integers().between(1, 40), longs().all()).checkAssert((s, out, seed) -> {
            int batch = s[0];
            int h = s[1];
            int w = s[2];
            int c = s[3];
            Random random = new Random(seed);
            float[] x = TestData.floats(random, batch * h * w * c);
            float[] weights = TestData.floats(random, out * c * 4); // [out][c][2][2], PyTorch's layout
            int tokens = batch * (h / 2) * (w / 2);
            float[] patches = new float[tokens * 4 * c];
            VECTOR.gather2x2(x, batch, h, w, c, patches);
            long[] packed = new long[tokens * BitPacking.words(4 * c)];
            BitPacking.active().pack(patches, tokens, 4 * c, packed);
            int[] dots = new int[tokens * out];
            Gemm.active().dots(packed, tokens, PackedWeights.conv2x2(weights, out, c), dots);
            for (int b = 0; b < batch; b++) {
                for (int oy = 0; oy < h / 2; oy++) {
                    for (int ox = 0; ox < w / 2; ox++) {
                        int t = (b * (h / 2) + oy) * (w / 2) + ox;
                        for (int o = 0; o < out; o++) {
                            int dot = 0;
                            for (int ch = 0; ch < c; ch++) {
                                for (int ky = 0; ky < 2; ky++) {
                                    for (int kx = 0; kx < 2; kx++) {
                                        float xv = x[((b * h + 2 * oy + ky) * w + 2 * ox + kx) * c + ch];
                                        float wv = weights[((o * c + ch) * 2 + ky) * 2 + kx];
                                        dot += sign(xv) * sign(wv);
                                    }
                                }
                            }
                            if (dot != dots[t * out + o]) {
                                throw new AssertionError("token " + t + " out " + o + ": conv " + dot + " gemm "
                                        + dots[t * out + o] + " " + PoolingPropertiesTest.shape(s));
                            }
                        }
                    }
                }
            }
        });
    }

    @Test
    void patchShapesAreChecked() {
        Patches patches = Patches.active();
        fails("h 5 is not a multiple of the patch size 2", () -> patches.gather2x2(new float[5 * 4], 1, 5, 4, 1, new float[20]));
        fails("w 3 is not a multiple of the patch size 2", () -> patches.gather2x2(new float[4 * 3], 1, 4, 3, 1, new float[12]));
        fails("out has 31 elements but needs 32 (batch 2 x (h/2 1) x (w/2 2) x 4c 8)",
                () -> patches.gather2x2(new float[32], 2, 2, 4, 2, new float[31]));
        fails("x has 31 elements but needs 32", () -> patches.gather2x2(new float[31], 2, 2, 4, 2, new float[32]));
    }

    /** The library's sign rule: +1 for x >= 0 (so for 0 and -0), -1 below. */
    private static int sign(float v) {
        return v >= 0f ? 1 : -1;
    }

    private static void fails(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
