package dev.binaryvit.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * Which model a command runs: a model directory, a config and weight file pair, BinaryViT-S with
 * generated weights, or (none of these) the bundled Fashion-MNIST model.
 */
final class ModelOptions {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory: config.json, weights (safetensors or checkpoint), optional preprocessor_config.json.")
    Path model;

    @Option(names = "--weights", paramLabel = "FILE", description = "Weights (safetensors or PyTorch checkpoint); needs --config.")
    Path weights;

    @Option(names = "--config", paramLabel = "config.json",
            description = "Config (official format); needs --weights. A preprocessor_config.json beside it is used.")
    Path config;

    @Option(names = "--synthetic", paramLabel = "small",
            description = "BinaryViT-S with generated weights: real shapes and work, meaningless labels (for timing).")
    String synthetic;

    /** Whether the bundled model is the one chosen. */
    boolean bundled() {
        return model == null && weights == null && config == null && synthetic == null;
    }

    boolean synthetic() {
        return synthetic != null;
    }

    /** Checks the options go together; a message naming them otherwise. */
    void check() throws IOException {
        if ((weights == null) != (config == null)) {
            throw new IllegalArgumentException("--weights and --config go together");
        }
        int chosen = (model != null ? 1 : 0) + (weights != null ? 1 : 0) + (synthetic != null ? 1 : 0);
        if (chosen > 1) {
            throw new IllegalArgumentException("choose one model: --model DIR, --weights with --config, or --synthetic small");
        }
        if (synthetic != null && !synthetic.equals("small")) {
            throw new IllegalArgumentException("--synthetic: only 'small' (BinaryViT-S) is built in, got '" + synthetic + "'");
        }
        if (weights != null) {
            RunCommand.requireFile(config, "--config");
            RunCommand.requireFile(weights, "--weights");
        }
    }

    /** The chosen model on {@code threads} threads. */
    BinaryVit open(int threads) throws IOException {
        check();
        if (synthetic != null) return BinaryVit.builtIn(threads);
        if (model != null) return BinaryVit.create(ModelFiles.read(model), threads);
        if (weights != null) {
            // A preprocessor_config.json beside the config belongs to it, as in a model directory.
            Path preprocessor = config.toAbsolutePath().resolveSibling(ModelFiles.PREPROCESSOR);
            return BinaryVit.create(ModelFiles.read(config, weights, Files.isRegularFile(preprocessor) ? preprocessor : null),
                    threads);
        }
        return BinaryVit.bundled(threads);
    }

    /** The model's preprocessing; a user's error (a model directory lacking the file) when it has none. */
    Preprocessor preprocessor(BinaryVit m) {
        try {
            return m.preprocessor();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** One line saying which model runs. */
    String describe(BinaryVit m) {
        if (synthetic != null) {
            return "BinaryViT-S with built-in deterministic weights (--synthetic: the labels are meaningless)";
        }
        String what = model != null ? model.toString() : weights != null ? weights.toString()
                : "bundled BinaryViT trained on Fashion-MNIST (see models/binaryvit-fashion-mnist/MODEL_CARD.md)";
        BinaryVitConfig c = m.config();
        int[] h = new int[c.stages()];
        for (int s = 0; s < h.length; s++) h[s] = c.hiddenSize(s);
        return what + " (" + c.numLayers() + " layers, hidden " + Arrays.toString(h) + ", "
                + c.imageSize() + "x" + c.imageSize() + "x" + c.numChannels() + " input, " + c.numLabels() + " labels)";
    }
}
