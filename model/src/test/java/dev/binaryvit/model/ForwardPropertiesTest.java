package dev.binaryvit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batching, threads and kernel choice do not change what the model computes. */
class ForwardPropertiesTest {

    /** {@code batch} images of {@code floats} standard normal values each. */
    static float[] randomImages(int batch, int floats, long seed) {
        Random random = new Random(seed);
        float[] x = new float[batch * floats];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    @Test
    void aBatchEqualsItsImagesRunOneByOne() throws Exception {
        try (BinaryVit model = BinaryVit.load(Fixtures.tiny())) {
            int batch = 3;
            int per = model.imageFloats();
            float[] images = randomImages(batch, per, 1);
            float[] together = model.forward(images, batch);
            int labels = model.config().numLabels();
            for (int b = 0; b < batch; b++) {
                float[] alone = model.forward(Arrays.copyOfRange(images, b * per, (b + 1) * per), 1);
                assertArrayEquals(alone, Arrays.copyOfRange(together, b * labels, (b + 1) * labels), 0f, "image " + b);
            }
        }
    }

    @Test
    void twoThreadsGiveTheSameBitsAsOne() throws Exception {
        try (BinaryVit one = BinaryVit.load(Fixtures.tiny(), 1); BinaryVit two = BinaryVit.load(Fixtures.tiny(), 2)) {
            float[] images = randomImages(2, one.imageFloats(), 2);
            assertArrayEquals(one.forward(images, 2), two.forward(images, 2), 0f);
        }
    }

    @Test
    void theVectorKernelsAgreeWithTheReferenceKernels() throws Exception {
        BinaryVitConfig config = BinaryVitConfig.fromJson(Fixtures.tiny().resolve("config.json"));
        Safetensors tensors = Safetensors.read(Fixtures.tiny().resolve("weights.safetensors"));
        try (BinaryVit fast = BinaryVit.create(config, tensors, 1);
             BinaryVit plain = BinaryVit.onReferenceKernels(config, tensors)) {
            float[] images = randomImages(1, fast.imageFloats(), 3);
            assertArrayEquals(plain.forward(images, 1), fast.forward(images, 1), 1e-4f);
        }
    }

    @Test
    void repeatedCallsGiveTheSameResult() throws Exception {
        try (BinaryVit model = BinaryVit.load(Fixtures.tiny())) {
            float[] images = randomImages(2, model.imageFloats(), 4);
            float[] first = model.forward(images, 2);
            model.forward(randomImages(1, model.imageFloats(), 5), 1); // a different batch in between
            assertArrayEquals(first, model.forward(images, 2), 0f);
        }
    }

    @Test
    void wrongInputSizesAreRefusedWithTheExpectedShape() throws Exception {
        try (BinaryVit model = BinaryVit.load(Fixtures.tiny())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(new float[100], 1));
            assertEquals("images has 100 floats but needs 150528 (batch 1 x 3 x 224 x 224)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.forward(new float[150528], 0));
            assertTrue(e.getMessage().contains("batch must be >= 1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.layer(5, new float[10], 1));
            assertTrue(e.getMessage().contains("layer 5 does not exist"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.layer(0, new float[10], 1));
            assertTrue(e.getMessage().contains("hidden has 10 floats but needs 50176"), e.getMessage());
        }
    }
}
