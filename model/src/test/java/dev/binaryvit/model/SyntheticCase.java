package dev.binaryvit.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Reference cases in the fixture's format ({@code input}, {@code hidden.i}, {@code logits}) made by
 * {@link NaiveForward} (plain double precision) for any config and weights: what {@code verify}
 * would compare against if the official code had been run on that config.
 *
 * <p>{@code hidden.(i+1)} is NaiveForward's own step applied to its own (double) {@code hidden.i},
 * so a teacher-forced comparison feeds both implementations the same input up to its rounding to
 * float, exactly as with the fixture.
 */
final class SyntheticCase {

    private SyntheticCase() {}

    /** {@code weights} plus the optional biases of query, key, value and reduction ({@code qkv_bias}), {@code 0.1 g}. */
    static Safetensors withQkvBias(BinaryVitConfig config, Safetensors weights, long seed) {
        Map<String, Tensor> all = new LinkedHashMap<>(weights.tensors());
        Random r = new Random(seed);
        for (Map.Entry<String, long[]> e : WeightCatalogue.of(config).optional().entrySet()) {
            float[] b = new float[Math.toIntExact(e.getValue()[0])];
            for (int i = 0; i < b.length; i++) b[i] = (float) (0.1 * r.nextGaussian());
            all.put(e.getKey(), Tensor.of(e.getKey(), b, e.getValue()));
        }
        return Safetensors.of(all, weights.metadata());
    }

    /** Standard-normal pixels {@code [batch][channels][size][size]} (normalised images have about unit scale). */
    static float[] images(BinaryVitConfig config, int batch, long seed) {
        Random r = new Random(seed);
        float[] x = new float[batch * config.numChannels() * config.imageSize() * config.imageSize()];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    /** The case of {@code batch} random images through NaiveForward with {@code weights}. */
    static Safetensors create(Weights weights, int batch, long seed) {
        BinaryVitConfig c = weights.config();
        float[] input = images(c, batch, seed);
        return create(weights, input, batch);
    }

    /** The case of the images {@code input} through NaiveForward with {@code weights}. */
    static Safetensors create(Weights weights, float[] input, int batch) {
        BinaryVitConfig c = weights.config();
        NaiveForward naive = new NaiveForward(weights);
        int layers = c.numLayers();
        int per = c.numChannels() * c.imageSize() * c.imageSize();
        float[][] hidden = new float[layers + 1][];
        float[] logits = new float[batch * c.numLabels()];
        for (int b = 0; b < batch; b++) {
            float[] image = java.util.Arrays.copyOfRange(input, b * per, (b + 1) * per);
            double[][] h = naive.embed(image);
            for (int i = 0; i <= layers; i++) {
                if (hidden[i] == null) hidden[i] = new float[batch * h.length * h[0].length];
                int n = h.length, ch = h[0].length;
                for (int t = 0; t < n; t++) {
                    for (int j = 0; j < ch; j++) hidden[i][(b * n + t) * ch + j] = (float) h[t][j];
                }
                if (i < layers) h = naive.step(i, h);
            }
            double[] l = naive.head(h);
            for (int o = 0; o < l.length; o++) logits[b * l.length + o] = (float) l[o];
        }
        Map<String, Tensor> t = new LinkedHashMap<>();
        int size = c.imageSize();
        t.put("input", Tensor.of("input", input, batch, c.numChannels(), size, size));
        for (int i = 0; i <= layers; i++) {
            int s = i == layers ? c.stages() - 1 : c.stageOfLayer(i);
            String name = "hidden." + i;
            t.put(name, Tensor.of(name, hidden[i], batch, c.tokens(s), c.hiddenSize(s)));
        }
        t.put("logits", Tensor.of("logits", logits, batch, c.numLabels()));
        return Safetensors.of(t, Map.of("source", "NaiveForward"));
    }

    /** Writes {@code config.json}, {@code weights.safetensors} and {@code case.safetensors} into {@code dir}. */
    static Path writeDir(Path dir, BinaryVitConfig config, Safetensors weights, Safetensors reference) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config.toJson());
        SafetensorsWriter.write(dir.resolve("weights.safetensors"), weights.tensors());
        SafetensorsWriter.write(dir.resolve("case.safetensors"), reference.tensors());
        return dir;
    }

    /** A copy of {@code file} with tensor {@code name} replaced by {@code replacement}. */
    static Safetensors replace(Safetensors file, String name, Tensor replacement) {
        Map<String, Tensor> all = new LinkedHashMap<>(file.tensors());
        if (replacement == null) {
            all.remove(name);
        } else {
            all.put(name, replacement);
        }
        return Safetensors.of(all, file.metadata());
    }
}
