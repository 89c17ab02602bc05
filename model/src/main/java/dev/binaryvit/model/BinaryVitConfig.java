package dev.binaryvit.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The architecture of one BinaryViT: an official {@code config.json} (Hugging Face {@code ViTConfig}
 * format with per-stage lists), read, defaulted and validated. Immutable.
 *
 * <p>The model always has four stages; stage {@code s} works on a {@code grid(s) x grid(s)} token
 * grid with {@code hiddenSize(s)} channels, and three patch mergings halve the grid between them.
 *
 * <p>Keys read (all others, such as {@code hidden_act}, {@code drop_path} or {@code label2id}, are
 * ignored; a JSON {@code null} counts as absent):
 * <table>
 * <caption>config.json keys</caption>
 * <tr><th>key</th><th>type</th><th>absent</th></tr>
 * <tr><td>{@code hidden_size}, {@code depths}, {@code num_attention_heads},
 *     {@code reduction_ratio}, {@code intermediate_size}</td><td>4 positive integers</td><td>error</td></tr>
 * <tr><td>{@code image_size}</td><td>integer</td><td>224 (the {@code ViTConfig} default)</td></tr>
 * <tr><td>{@code patch_size}</td><td>integer</td><td>4 (the official code hard-codes 4 whatever the config says)</td></tr>
 * <tr><td>{@code num_channels}</td><td>integer</td><td>3</td></tr>
 * <tr><td>{@code num_labels}</td><td>integer</td><td>size of {@code id2label}, else 1000</td></tr>
 * <tr><td>{@code id2label}</td><td>object "index" -&gt; string</td><td>no labels</td></tr>
 * <tr><td>{@code layer_norm_eps}</td><td>number &gt; 0</td><td>1e-5</td></tr>
 * <tr><td>{@code avg_res3}, {@code avg_res5}</td><td>boolean</td><td>true</td></tr>
 * <tr><td>{@code disable_layerscale}, {@code some_fp}</td><td>boolean</td><td>false</td></tr>
 * <tr><td>{@code norm}</td><td>string, only {@code "batchnorm"}</td><td>"batchnorm"</td></tr>
 * <tr><td>{@code att_prob_quantizer_type}</td><td>string, only {@code "bit"}</td><td>"bit"</td></tr>
 * <tr><td>{@code weight_bits}, {@code input_bits}</td><td>integer, only 1</td><td>1</td></tr>
 * </table>
 * The training flags ({@code avg_res3} ... {@code input_bits}) are not in the official configs (the
 * training script passes them on its command line); their defaults are BinaryViT's, or, with
 * {@link #fromJson(Path, Map)}, the values in an official checkpoint's {@code args}.
 *
 * <p>Every violation throws a {@link ConfigException} whose message names the field.
 */
public final class BinaryVitConfig {

    /** Number of stages, fixed by the architecture (three patch mergings between four stages). */
    public static final int STAGES = 4;

    // Generous caps that keep every derived count (tokens, elements) far from int overflow.
    private static final int MAX_IMAGE_SIZE = 1 << 14;
    private static final int MAX_HIDDEN = 1 << 16;
    private static final int MAX_INTERMEDIATE = 1 << 20;
    private static final int MAX_DEPTH = 1 << 10;
    private static final int MAX_LABELS = 1 << 20;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final int imageSize;
    private final int patchSize;
    private final int numChannels;
    private final int[] hiddenSize;
    private final int[] depths;
    private final int[] heads;
    private final int[] reductionRatio;
    private final int[] intermediateSize;
    private final int numLabels;
    private final String[] labels;        // null when the config has no id2label; entries may be null
    private final boolean avgRes3;
    private final boolean avgRes5;
    private final boolean layerScale;
    private final boolean someFp;
    private final float layerNormEps;
    private final int[] stageOfLayer;     // derived

    private BinaryVitConfig(int imageSize, int patchSize, int numChannels, int[] hiddenSize, int[] depths,
                            int[] heads, int[] reductionRatio, int[] intermediateSize, int numLabels,
                            String[] labels, boolean avgRes3, boolean avgRes5, boolean layerScale,
                            boolean someFp, float layerNormEps) {
        this.imageSize = imageSize;
        this.patchSize = patchSize;
        this.numChannels = numChannels;
        this.hiddenSize = hiddenSize;
        this.depths = depths;
        this.heads = heads;
        this.reductionRatio = reductionRatio;
        this.intermediateSize = intermediateSize;
        this.numLabels = numLabels;
        this.labels = labels;
        this.avgRes3 = avgRes3;
        this.avgRes5 = avgRes5;
        this.layerScale = layerScale;
        this.someFp = someFp;
        this.layerNormEps = layerNormEps;
        validate();
        int total = 0;
        for (int d : depths) total += d;
        this.stageOfLayer = new int[total];
        for (int s = 0, l = 0; s < STAGES; s++) {
            for (int i = 0; i < depths[s]; i++) stageOfLayer[l++] = s;
        }
    }

    // ---------------------------------------------------------------- construction

    /**
     * Reads an official {@code config.json}.
     *
     * @throws IOException      if the file cannot be read
     * @throws ConfigException  if its content is not a valid configuration (the message names the file and field)
     */
    public static BinaryVitConfig fromJson(Path file) throws IOException {
        return fromJson(file, Map.of());
    }

    /**
     * As {@link #fromJson(Path)}, taking each training flag that the file lacks from the training
     * script's arguments ({@code args} of an official checkpoint: {@code avg_res3}, {@code avg_res5},
     * {@code disable_layerscale}, {@code some_fp}, {@code replace_ln_bn}, {@code weight_bits},
     * {@code input_bits}, {@code nb_classes}); a flag in the file wins.
     */
    public static BinaryVitConfig fromJson(Path file, Map<String, ?> trainingArgs) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return parse(bytes, file.toString(), trainingArgs);
    }

    /** Parses the text of a {@code config.json}; see {@link #fromJson(Path)}. */
    public static BinaryVitConfig fromJson(String json) {
        Objects.requireNonNull(json, "json");
        return parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), null, Map.of());
    }

    /**
     * BinaryViT-S ({@code binaryvit-small-patch4-224}): 224 x 224 images, 4 x 4 patches, hidden sizes
     * 64/128/256/512, depths 3/4/8/4, heads 1/2/4/8, reduction ratios 8/4/1/1, MLP sizes
     * 512/1024/1024/2048, 1000 labels (no label names), BinaryViT's training flags.
     */
    public static BinaryVitConfig small() {
        return new BinaryVitConfig(224, 4, 3,
                new int[] {64, 128, 256, 512}, new int[] {3, 4, 8, 4}, new int[] {1, 2, 4, 8},
                new int[] {8, 4, 1, 1}, new int[] {512, 1024, 1024, 2048}, 1000, null,
                true, true, true, false, 1e-5f);
    }

    private static BinaryVitConfig parse(byte[] bytes, String source, Map<String, ?> trainingArgs) {
        try {
            return parse(bytes, trainingArgs);
        } catch (ConfigException e) {
            throw source == null ? e : e.in(source);
        }
    }

    /** config.json keys that the official training script takes on its command line, by argument name. */
    private static final Map<String, String> TRAINING_FLAGS = Map.of(
            "avg_res3", "avg_res3", "avg_res5", "avg_res5", "disable_layerscale", "disable_layerscale",
            "some_fp", "some_fp", "weight_bits", "weight_bits", "input_bits", "input_bits", "nb_classes", "num_labels");

    /** Adds to {@code o} each training flag it lacks and {@code args} has; {@code replace_ln_bn} becomes {@code norm}. */
    private static void addTrainingFlags(ObjectNode o, Map<String, ?> args) {
        for (Map.Entry<String, String> e : TRAINING_FLAGS.entrySet()) {
            if (present(o, e.getValue()) == null && args.get(e.getKey()) != null) {
                if (e.getKey().equals("nb_classes") && present(o, "id2label") != null) continue;
                o.set(e.getValue(), JSON.valueToTree(args.get(e.getKey())));
            }
        }
        if (present(o, "norm") == null && args.get("replace_ln_bn") instanceof Boolean bn) {
            o.put("norm", bn ? "batchnorm" : "layernorm");
        }
    }

    private static BinaryVitConfig parse(byte[] bytes, Map<String, ?> trainingArgs) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JacksonException e) {
            throw new ConfigException(null, null, "not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(null, null, "not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ConfigException(null, null, "empty document (expected a JSON object)", null);
        }
        if (!root.isObject()) {
            throw new ConfigException(null, null, "expected a JSON object, found " + kind(root), null);
        }
        ObjectNode o = (ObjectNode) root;
        addTrainingFlags(o, trainingArgs);

        int[] hidden = stageList(o, "hidden_size", 1, MAX_HIDDEN);
        int[] depths = stageList(o, "depths", 1, MAX_DEPTH);
        int[] heads = stageList(o, "num_attention_heads", 1, MAX_HIDDEN);
        int[] ratios = stageList(o, "reduction_ratio", 1, MAX_IMAGE_SIZE);
        int[] inter = stageList(o, "intermediate_size", 1, MAX_INTERMEDIATE);
        int imageSize = intField(o, "image_size", 224, MAX_IMAGE_SIZE);
        int patchSize = intField(o, "patch_size", 4, MAX_IMAGE_SIZE);
        int numChannels = intField(o, "num_channels", 3, 1 << 12);

        String norm = stringField(o, "norm", "batchnorm");
        if (!norm.equalsIgnoreCase("batchnorm")) {
            throw new ConfigException("norm", "\"" + norm + "\" is not supported: only BatchNorm BinaryViT"
                    + " (norm = \"batchnorm\", trained with --replace-ln-bn) is supported");
        }
        String quantizer = stringField(o, "att_prob_quantizer_type", "bit");
        if (!quantizer.equals("bit")) {
            throw new ConfigException("att_prob_quantizer_type", "\"" + quantizer
                    + "\" is not supported: only \"bit\" (one learned att_prob_clip per layer) is supported");
        }
        for (String bits : new String[] {"weight_bits", "input_bits"}) {
            int b = intField(o, bits, 1, Integer.MAX_VALUE);
            if (b != 1) {
                throw new ConfigException(bits, b + " is not supported: only binary (1-bit) BinaryViT is supported");
            }
        }
        boolean avgRes3 = boolField(o, "avg_res3", true);
        boolean avgRes5 = boolField(o, "avg_res5", true);
        boolean disableLayerScale = boolField(o, "disable_layerscale", false);
        boolean someFp = boolField(o, "some_fp", false);
        float eps = epsField(o);

        String[] labels = null;
        JsonNode id2label = present(o, "id2label");
        int labelCount = -1;
        if (id2label != null) {
            if (!id2label.isObject()) {
                throw new ConfigException("id2label", "expected an object of \"index\": \"label\", found " + kind(id2label));
            }
            labelCount = id2label.size();
        }
        JsonNode numLabelsNode = present(o, "num_labels");
        int numLabels;
        if (numLabelsNode != null) {
            numLabels = intField(o, "num_labels", 0, MAX_LABELS);
            if (labelCount >= 0 && labelCount != numLabels) {
                throw new ConfigException("num_labels", numLabels + " does not match the " + labelCount
                        + " entries of id2label");
            }
        } else {
            numLabels = labelCount >= 0 ? labelCount : 1000;
            if (numLabels < 1) throw new ConfigException("id2label", "is empty: the classifier needs at least one label");
            if (numLabels > MAX_LABELS) throw new ConfigException("id2label", "has more than " + MAX_LABELS + " entries");
        }
        if (id2label != null) {
            labels = new String[numLabels];
            for (Iterator<Map.Entry<String, JsonNode>> it = id2label.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String field = "id2label[\"" + e.getKey() + "\"]";
                int index;
                try {
                    index = Integer.parseInt(e.getKey().strip());
                } catch (NumberFormatException nfe) {
                    throw new ConfigException(field, "key is not a label index (a decimal integer)");
                }
                if (index < 0 || index >= numLabels) {
                    throw new ConfigException(field, "index " + index + " is out of range for " + numLabels + " labels");
                }
                if (!e.getValue().isTextual()) {
                    throw new ConfigException(field, "expected a string, found " + kind(e.getValue()));
                }
                if (labels[index] != null) {
                    throw new ConfigException(field, "index " + index + " is given twice");
                }
                labels[index] = e.getValue().textValue();
            }
        }
        return new BinaryVitConfig(imageSize, patchSize, numChannels, hidden, depths, heads, ratios, inter,
                numLabels, labels, avgRes3, avgRes5, !disableLayerScale, someFp, eps);
    }

    private void validate() {
        for (int s = 0; s < STAGES; s++) {
            if (hiddenSize[s] % heads[s] != 0) {
                throw new ConfigException("num_attention_heads[" + s + "]", "hidden_size[" + s + "] = " + hiddenSize[s]
                        + " is not divisible by " + heads[s] + " heads");
            }
            if (intermediateSize[s] % hiddenSize[s] != 0) {
                throw new ConfigException("intermediate_size[" + s + "]", intermediateSize[s]
                        + " is not a multiple of hidden_size[" + s + "] = " + hiddenSize[s]
                        + " (the MLP residual tiles and pools channels by their ratio)");
            }
            if (s > 0 && hiddenSize[s] % hiddenSize[s - 1] != 0) {
                throw new ConfigException("hidden_size[" + s + "]", hiddenSize[s] + " is not a multiple of hidden_size["
                        + (s - 1) + "] = " + hiddenSize[s - 1] + " (the patch-merge residual tiles channels)");
            }
        }
        if (imageSize % patchSize != 0) {
            throw new ConfigException("image_size", imageSize + " is not a multiple of patch_size " + patchSize);
        }
        int grid0 = imageSize / patchSize;
        if (grid0 % (1 << (STAGES - 1)) != 0) {
            throw new ConfigException("image_size", "the token grid image_size/patch_size = " + grid0
                    + " is not divisible by 8 (three 2x2 patch mergings)");
        }
        for (int s = 0; s < STAGES; s++) {
            int g = grid0 >> s;
            if (g % reductionRatio[s] != 0) {
                throw new ConfigException("reduction_ratio[" + s + "]", "the stage grid " + g + " x " + g
                        + " is not divisible by " + reductionRatio[s]);
            }
        }
        if (!(layerNormEps > 0f) || !Float.isFinite(layerNormEps)) {
            throw new ConfigException("layer_norm_eps", "must be a positive finite number, found " + layerNormEps);
        }
        if (numLabels < 1 || numLabels > MAX_LABELS) {
            throw new ConfigException("num_labels", "must be in [1, " + MAX_LABELS + "], found " + numLabels);
        }
    }

    // ---------------------------------------------------------------- JSON helpers

    private static JsonNode present(ObjectNode o, String name) {
        JsonNode n = o.get(name);
        return n == null || n.isNull() ? null : n;
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case NUMBER -> n.isIntegralNumber() ? "the integer " + n.asText() : "the number " + n.asText();
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static int toInt(JsonNode n, String field, int min, int max) {
        if (!n.isIntegralNumber()) {
            throw new ConfigException(field, "expected an integer, found " + kind(n));
        }
        if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw new ConfigException(field, "must be in [" + min + ", " + max + "], found " + n.asText());
        }
        return (int) n.longValue();
    }

    private static int intField(ObjectNode o, String name, int dflt, int max) {
        JsonNode n = present(o, name);
        return n == null ? dflt : toInt(n, name, 1, max);
    }

    private static boolean boolField(ObjectNode o, String name, boolean dflt) {
        JsonNode n = present(o, name);
        if (n == null) return dflt;
        if (!n.isBoolean()) throw new ConfigException(name, "expected true or false, found " + kind(n));
        return n.booleanValue();
    }

    private static String stringField(ObjectNode o, String name, String dflt) {
        JsonNode n = present(o, name);
        if (n == null) return dflt;
        if (!n.isTextual()) throw new ConfigException(name, "expected a string, found " + kind(n));
        return n.textValue();
    }

    private static float epsField(ObjectNode o) {
        JsonNode n = present(o, "layer_norm_eps");
        if (n == null) return 1e-5f;
        if (!n.isNumber()) throw new ConfigException("layer_norm_eps", "expected a number, found " + kind(n));
        double d = n.doubleValue();
        float f = (float) d;
        if (!(f > 0f) || !Float.isFinite(f)) {
            throw new ConfigException("layer_norm_eps", "must be a positive finite number, found " + n.asText());
        }
        return f;
    }

    private static int[] stageList(ObjectNode o, String name, int min, int max) {
        JsonNode n = present(o, name);
        if (n == null) throw new ConfigException(name, "missing (expected a list of " + STAGES + " integers, one per stage)");
        if (!n.isArray()) {
            throw new ConfigException(name, "expected a list of " + STAGES + " integers (one per stage), found " + kind(n));
        }
        if (n.size() != STAGES) {
            throw new ConfigException(name, "expected " + STAGES + " entries (one per stage), found " + n.size());
        }
        int[] v = new int[STAGES];
        for (int s = 0; s < STAGES; s++) v[s] = toInt(n.get(s), name + "[" + s + "]", min, max);
        return v;
    }

    // ---------------------------------------------------------------- accessors

    /** Side of the square input image in pixels. */
    public int imageSize() { return imageSize; }

    /** Side of the square patches of the embedding convolution. */
    public int patchSize() { return patchSize; }

    /** Channels of the input image (3). */
    public int numChannels() { return numChannels; }

    /** Always {@value #STAGES}. */
    public int stages() { return STAGES; }

    /** Channels of stage {@code stage}. */
    public int hiddenSize(int stage) { return hiddenSize[checkStage(stage)]; }

    /** Number of encoder layers in stage {@code stage}. */
    public int depth(int stage) { return depths[checkStage(stage)]; }

    /** Attention heads of stage {@code stage}. */
    public int heads(int stage) { return heads[checkStage(stage)]; }

    /** Channels per attention head of stage {@code stage}: {@code hiddenSize / heads}. */
    public int headDim(int stage) { return hiddenSize[checkStage(stage)] / heads[stage]; }

    /** Key/value token reduction of stage {@code stage} (AvgPool2d kernel and stride); 1 for none. */
    public int reductionRatio(int stage) { return reductionRatio[checkStage(stage)]; }

    /** MLP width of stage {@code stage}. */
    public int intermediateSize(int stage) { return intermediateSize[checkStage(stage)]; }

    /** Tokens per side of stage {@code stage}: {@code imageSize / patchSize >> stage}. */
    public int grid(int stage) { return (imageSize / patchSize) >> checkStage(stage); }

    /** Tokens of stage {@code stage}: {@code grid(stage)^2}. */
    public int tokens(int stage) { int g = grid(stage); return g * g; }

    /** Key/value tokens per side of stage {@code stage}: {@code grid(stage) / reductionRatio(stage)}. */
    public int keyGrid(int stage) { return grid(stage) / reductionRatio[stage]; }

    /** Total encoder layers: the sum of the depths. */
    public int numLayers() { return stageOfLayer.length; }

    /** The stage of encoder layer {@code layer} (0-based over all stages). */
    public int stageOfLayer(int layer) {
        Objects.checkIndex(layer, stageOfLayer.length);
        return stageOfLayer[layer];
    }

    /** The index of the first encoder layer of stage {@code stage}. */
    public int firstLayer(int stage) {
        checkStage(stage);
        int l = 0;
        for (int s = 0; s < stage; s++) l += depths[s];
        return l;
    }

    /** Classes of the classifier. */
    public int numLabels() { return numLabels; }

    /** Whether each layer has the 3-wide strip branches ({@code layerscale_h3/w3}). */
    public boolean avgRes3() { return avgRes3; }

    /** Whether each layer has the 5-wide strip branches ({@code layerscale_h5/w5}). */
    public boolean avgRes5() { return avgRes5; }

    /** Whether the attention and MLP outputs end in a LayerScale ({@code = !disable_layerscale}). */
    public boolean layerScale() { return layerScale; }

    /** Whether the patch mergings are full-precision convolutions ({@code PatchEmbed}) instead of binary ones. */
    public boolean someFp() { return someFp; }

    /** Epsilon of every BatchNorm except the patch-merge ones ({@code norm0}, {@code norm}), which use 1e-5. */
    public float layerNormEps() { return layerNormEps; }

    /** The name of class {@code index} from {@code id2label}, when the config has one for it. */
    public Optional<String> label(int index) {
        Objects.checkIndex(index, numLabels);
        return labels == null ? Optional.empty() : Optional.ofNullable(labels[index]);
    }

    /** Whether the config carries an {@code id2label} map. */
    public boolean hasLabels() { return labels != null; }

    private static int checkStage(int stage) {
        return Objects.checkIndex(stage, STAGES);
    }

    // ---------------------------------------------------------------- JSON out, equality

    /**
     * This configuration as a {@code config.json} in the official format plus the training flags;
     * {@code fromJson(c.toJson())} equals {@code c}.
     */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("model_type", "vit");
        o.put("image_size", imageSize);
        o.put("patch_size", patchSize);
        o.put("num_channels", numChannels);
        putList(o, "hidden_size", hiddenSize);
        putList(o, "depths", depths);
        putList(o, "num_attention_heads", heads);
        putList(o, "reduction_ratio", reductionRatio);
        putList(o, "intermediate_size", intermediateSize);
        o.put("layer_norm_eps", (double) layerNormEps);
        o.put("num_labels", numLabels);
        if (labels != null) {
            ObjectNode m = o.putObject("id2label");
            for (int i = 0; i < labels.length; i++) if (labels[i] != null) m.put(Integer.toString(i), labels[i]);
            if (m.size() != numLabels) o.remove("id2label");   // a partial map would change num_labels on reading
        }
        o.put("avg_res3", avgRes3);
        o.put("avg_res5", avgRes5);
        o.put("disable_layerscale", !layerScale);
        o.put("some_fp", someFp);
        o.put("norm", "batchnorm");
        try {
            return JSON.writeValueAsString(o);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putList(ObjectNode o, String name, int[] v) {
        ArrayNode a = o.putArray(name);
        for (int x : v) a.add(x);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BinaryVitConfig c
                && imageSize == c.imageSize && patchSize == c.patchSize && numChannels == c.numChannels
                && Arrays.equals(hiddenSize, c.hiddenSize) && Arrays.equals(depths, c.depths)
                && Arrays.equals(heads, c.heads) && Arrays.equals(reductionRatio, c.reductionRatio)
                && Arrays.equals(intermediateSize, c.intermediateSize) && numLabels == c.numLabels
                && Arrays.equals(labels, c.labels) && avgRes3 == c.avgRes3 && avgRes5 == c.avgRes5
                && layerScale == c.layerScale && someFp == c.someFp
                && Float.floatToIntBits(layerNormEps) == Float.floatToIntBits(c.layerNormEps);
    }

    @Override
    public int hashCode() {
        return Objects.hash(imageSize, patchSize, numChannels, Arrays.hashCode(hiddenSize), Arrays.hashCode(depths),
                Arrays.hashCode(heads), Arrays.hashCode(reductionRatio), Arrays.hashCode(intermediateSize),
                numLabels, Arrays.hashCode(labels), avgRes3, avgRes5, layerScale, someFp, layerNormEps);
    }

    @Override
    public String toString() {
        return "BinaryVitConfig[image " + imageSize + ", patch " + patchSize + ", hidden " + Arrays.toString(hiddenSize)
                + ", depths " + Arrays.toString(depths) + ", heads " + Arrays.toString(heads)
                + ", reduction " + Arrays.toString(reductionRatio) + ", intermediate " + Arrays.toString(intermediateSize)
                + ", labels " + numLabels + (avgRes3 ? ", avg_res3" : "") + (avgRes5 ? ", avg_res5" : "")
                + (layerScale ? ", layerscale" : "") + (someFp ? ", some_fp" : "") + ", eps " + layerNormEps + "]";
    }
}
