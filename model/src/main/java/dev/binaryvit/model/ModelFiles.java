package dev.binaryvit.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The files of one model, read: what a model directory holds, and what {@link BinaryVit} is built from.
 *
 * <p>A model directory is the unit users pass around: {@code config.json} (the official format),
 * the weights, and optionally {@code preprocessor_config.json} (Hugging Face image-processor keys,
 * see {@link Preprocessor}). The weights are the first of {@link #WEIGHT_FILES} present: a
 * safetensors file, or a PyTorch checkpoint as the official training script writes it
 * ({@code checkpoint.pth}, {@code best.pth}) or as Hugging Face saves it ({@code pytorch_model.bin}).
 * A weight file's format is told by its first bytes, not its name. When the weights are an official
 * training checkpoint, the training flags that {@code config.json} lacks are taken from its
 * {@code args} ({@link BinaryVitConfig#fromJson(Path, Map)}).
 *
 * @param config       the architecture
 * @param tensors      the weights by official name
 * @param preprocessor the image pipeline: from {@code preprocessor_config.json}, else the official
 *                     ImageNet evaluation pipeline for a 3-channel model, else null (no way to turn a
 *                     picture into this model's input is known)
 * @param source       where it came from, for messages
 */
public record ModelFiles(BinaryVitConfig config, Safetensors tensors, Preprocessor preprocessor, String source) {

    /** Weight file names looked for in a model directory, in this order. */
    public static final List<String> WEIGHT_FILES = List.of(
            "weights.safetensors", "model.safetensors", "pytorch_model.bin", "checkpoint.pth", "best.pth");
    public static final String CONFIG = "config.json";
    public static final String PREPROCESSOR = "preprocessor_config.json";
    /** Where the bundled model's files lie on the class path. */
    static final String BUNDLED = "bundled/";

    public ModelFiles {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(source, "source");
    }

    /** Reads a model directory (see the class comment); every missing piece is named. */
    public static ModelFiles read(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new IOException("model directory " + dir + (Files.exists(dir) ? " is not a directory" : " does not exist"));
        }
        Path config = dir.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new IOException("model directory " + dir + " has no " + CONFIG);
        }
        Path weights = weightsIn(dir);
        Path preprocessor = dir.resolve(PREPROCESSOR);
        return read(config, weights, Files.isRegularFile(preprocessor) ? preprocessor : null);
    }

    /** The weight file of a model directory: the first of {@link #WEIGHT_FILES} present. */
    public static Path weightsIn(Path dir) throws IOException {
        for (String name : WEIGHT_FILES) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new IOException("model directory " + dir + " has no weights (looked for " + String.join(", ", WEIGHT_FILES) + ")");
    }

    /**
     * Reads a config, a weight file (safetensors or PyTorch checkpoint) and optionally a
     * {@code preprocessor_config.json} (null: the default of {@link #defaultPreprocessor}).
     */
    public static ModelFiles read(Path configFile, Path weightsFile, Path preprocessorFile) throws IOException {
        Map<String, Object> args = Map.of();
        Safetensors tensors;
        if (isCheckpoint(weightsFile)) {
            TorchCheckpoint checkpoint = TorchCheckpoint.read(weightsFile);
            tensors = checkpoint.tensors();
            args = checkpoint.args();
        } else {
            tensors = Safetensors.read(weightsFile);
        }
        BinaryVitConfig config = BinaryVitConfig.fromJson(configFile, args);
        Preprocessor preprocessor = preprocessorFile == null ? defaultPreprocessor(config)
                : Preprocessor.fromJson(preprocessorFile, config.numChannels(), config.imageSize());
        return new ModelFiles(config, tensors, preprocessor, weightsFile.toString());
    }

    /** The model bundled in the library jar: BinaryViT trained on Fashion-MNIST (see its model card). */
    public static ModelFiles bundled() {
        try {
            BinaryVitConfig config = BinaryVitConfig.fromJson(new String(resource(CONFIG), java.nio.charset.StandardCharsets.UTF_8));
            Safetensors tensors = Safetensors.read(resource("weights.safetensors"));
            Preprocessor preprocessor = Preprocessor.fromJson(new String(resource(PREPROCESSOR),
                    java.nio.charset.StandardCharsets.UTF_8), "bundled " + PREPROCESSOR, config.numChannels(), config.imageSize());
            return new ModelFiles(config, tensors, preprocessor, "bundled Fashion-MNIST model");
        } catch (IOException e) {
            throw new IllegalStateException("the bundled model in the jar is damaged: " + e.getMessage(), e);
        }
    }

    /** The bytes of a file of the bundled model. */
    static byte[] resource(String name) throws IOException {
        try (InputStream in = ModelFiles.class.getResourceAsStream(BUNDLED + name)) {
            if (in == null) throw new IOException("resource " + BUNDLED + name + " is missing from the model jar");
            return in.readAllBytes();
        }
    }

    /** ImageNet's evaluation pipeline for an RGB model; null for other channel counts, which need a preprocessor_config.json. */
    static Preprocessor defaultPreprocessor(BinaryVitConfig config) {
        return config.numChannels() == 3 ? Preprocessor.imagenet(config.imageSize()) : null;
    }

    /**
     * Whether a weight file is a PyTorch checkpoint rather than safetensors, by its first four bytes: a
     * zip ({@code PK\3\4}), or the legacy format's pickle of its magic number ({@code 80 02 8a 0a}).
     * As a safetensors header length, either would be over 67 MB, beyond any weight file's header.
     */
    static boolean isCheckpoint(Path file) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 4) return false;   // too short for either: Safetensors says so
        }
        boolean zip = head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        boolean legacy = (head[0] & 0xff) == 0x80 && head[1] == 2 && (head[2] & 0xff) == 0x8a && head[3] == 0x0a;
        return zip || legacy;
    }
}
