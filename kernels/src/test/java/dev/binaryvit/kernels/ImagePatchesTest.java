package dev.binaryvit.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ImagePatchesTest {

    /** The definition: patch (py, px) of image b holds {@code image[b][c][py*p + ky][px*p + kx]} at {@code (c*p + ky)*p + kx}. */
    private static float[] expected(float[] images, int offset, int batch, int channels, int height, int width, int p) {
        int gh = height / p;
        int gw = width / p;
        float[] out = new float[batch * channels * height * width];
        for (int b = 0; b < batch; b++) {
            for (int py = 0; py < gh; py++) {
                for (int px = 0; px < gw; px++) {
                    for (int c = 0; c < channels; c++) {
                        for (int ky = 0; ky < p; ky++) {
                            for (int kx = 0; kx < p; kx++) {
                                out[((b * gh + py) * gw + px) * channels * p * p + (c * p + ky) * p + kx] =
                                        images[offset + ((b * channels + c) * height + py * p + ky) * width + px * p + kx];
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void gatherIsTheDefinitionOnOneAndTwoThreads() {
        qt().withExamples(100).forAll(integers().between(1, 3), integers().between(1, 5), longs().all())
                .checkAssert((batch, p, seed) -> {
                    Random random = new Random(seed);
                    int channels = 1 + random.nextInt(4);
                    int height = (1 + random.nextInt(6)) * p;
                    int width = (1 + random.nextInt(6)) * p;
                    int offset = random.nextInt(5);
                    float[] images = TestData.floats(random, offset + batch * channels * height * width);
                    float[] want = expected(images, offset, batch, channels, height, width, p);
                    float[] one = new float[want.length];
                    ImagePatches.gather(images, offset, batch, channels, height, width, p, one, Parallel.SERIAL);
                    assertArrayEquals(want, one, 0f, () -> batch + "x" + channels + "x" + height + "x" + width + " p=" + p);
                    float[] two = new float[want.length];
                    try (Parallel parallel = Parallel.of(2)) {
                        ImagePatches.gather(images, offset, batch, channels, height, width, p, two, parallel);
                    }
                    assertArrayEquals(want, two, 0f);
                });
    }

    @Test
    void anImageThatIsNotWholePatchesIsRefused() {
        float[] images = new float[3 * 10 * 10];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImagePatches.gather(images, 1, 3, 10, 10, 4, new float[images.length]));
        assertTrue(e.getMessage().contains("not a multiple of the patch"), e.getMessage());
    }
}
