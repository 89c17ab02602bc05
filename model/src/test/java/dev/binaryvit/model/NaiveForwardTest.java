package dev.binaryvit.model;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End-to-end checks of the input side through {@link NaiveForward}: the catalogue's names and
 * shapes reproduce the official model on the fixture, and synthetic weights give finite,
 * image-dependent logits.
 */
class NaiveForwardTest {

    @Test
    void fixtureWeightsReproduceTheReferenceLogits() throws IOException {
        BinaryVitConfig cfg = BinaryVitConfig.fromJson(Fixtures.tiny().resolve("config.json"));
        Weights w = Weights.check(Safetensors.read(Fixtures.tiny().resolve("weights.safetensors")), cfg);
        Safetensors ref = Safetensors.read(Fixtures.tiny().resolve("case.safetensors"));
        float[] input = ref.tensor("input").data();
        float[] logits = ref.tensor("logits").data();
        int per = 3 * 224 * 224;
        NaiveForward f = new NaiveForward(w);
        double worstLogit = 0, worstHidden = 0;
        for (int b = 0; b < 2; b++) {
            double[][][] hidden = new double[cfg.numLayers() + 1][][];
            double[] out = f.logits(Arrays.copyOfRange(input, b * per, (b + 1) * per), hidden);
            for (int o = 0; o < out.length; o++) worstLogit = Math.max(worstLogit, Math.abs(out[o] - logits[b * out.length + o]));
            for (int i = 0; i <= cfg.numLayers(); i++) {
                float[] h = ref.tensor("hidden." + i).data();
                int n = hidden[i].length, c = hidden[i][0].length;
                for (int t = 0; t < n; t++)
                    for (int j = 0; j < c; j++)
                        worstHidden = Math.max(worstHidden, Math.abs(hidden[i][t][j] - h[(b * n + t) * c + j]));
            }
        }
        System.out.println("naive forward vs fixture: logits max |diff| " + worstLogit + ", hidden " + worstHidden);
        assertTrue(worstLogit < 1e-4, "logits max |diff| " + worstLogit);
        assertTrue(worstHidden < 1e-4, "hidden max |diff| " + worstHidden);
    }

    @Test
    void syntheticWeightsGiveFiniteImageDependentLogits() throws WeightsException {
        BinaryVitConfig s = BinaryVitConfig.small();
        NaiveForward f = new NaiveForward(Weights.check(SyntheticWeights.create(s, 2024), s));
        long t0 = System.nanoTime();
        double[][][] hidden = new double[s.numLayers() + 1][][];
        double[] a = f.logits(Images.preprocess(Images.sample(), 224), hidden);
        System.out.println("naive BinaryViT-S forward: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        // the residual stream stays of order 1 through all 19 layers (no geometric growth)
        for (int i = 0; i <= s.numLayers(); i++) {
            double m = 0, sq = 0;
            int n = 0;
            for (double[] t : hidden[i]) for (double v : t) { m += v; sq += v * v; n++; }
            m /= n;
            double std = Math.sqrt(sq / n - m * m);
            assertTrue(std > 0.1 && std < 5 && Math.abs(m) < 5, "layer " + i + " input mean " + m + " std " + std);
        }
        BufferedImage g = new BufferedImage(300, 300, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 300; y++) for (int x = 0; x < 300; x++) g.setRGB(x, y, (x * 255 / 299) << 16 | (y * 255 / 299) << 8 | 128);
        double[] b = f.logits(Images.preprocess(g, 224), null);
        for (double[] l : new double[][] {a, b}) {
            double mean = 0, sq = 0;
            for (double v : l) {
                assertTrue(Double.isFinite(v));
                mean += v / l.length;
            }
            for (double v : l) sq += (v - mean) * (v - mean) / l.length;
            double std = Math.sqrt(sq);
            System.out.printf("logits mean %.4f std %.4f%n", mean, std);
            assertTrue(std > 0.01, "logits vary across classes: std " + std);
            assertTrue(std < 10, "logits stay moderate: std " + std);
        }
        double diff = 0;
        for (int i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
        System.out.printf("max |logit(sample) - logit(gradient)| %.4f%n", diff);
        assertTrue(diff > 1e-3, "logits depend on the image");
        assertEquals(1000, a.length);
    }
}
