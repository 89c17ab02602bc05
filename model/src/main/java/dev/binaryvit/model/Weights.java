package dev.binaryvit.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file checked against one {@link BinaryVitConfig}: every required tensor of its
 * {@link WeightCatalogue} is present with the expected shape, a floating-point dtype and finite
 * values (BatchNorm variances not negative), and so is every optional tensor that the file has. Tensors the config does not use are no error; they
 * are listed by {@link #unused()}.
 *
 * <p>Access is by official name; asking for a name that is not in the catalogue is a programming
 * error ({@link IllegalArgumentException}), so a typo in the forward pass fails loudly.
 */
public final class Weights {

    private static final Set<String> FLOAT_DTYPES = Set.of("F32", "F16", "BF16", "F64");

    private final BinaryVitConfig config;
    private final WeightCatalogue catalogue;
    private final Map<String, float[]> data;
    private final List<String> unused;

    private Weights(BinaryVitConfig config, WeightCatalogue catalogue, Map<String, float[]> data, List<String> unused) {
        this.config = config;
        this.catalogue = catalogue;
        this.data = data;
        this.unused = Collections.unmodifiableList(unused);
    }

    /**
     * Checks {@code file} against {@code config}.
     *
     * @throws WeightsException listing every missing required tensor and every tensor with the
     *                          wrong shape or dtype (expected vs found), all in one message
     */
    public static Weights check(Safetensors file, BinaryVitConfig config) throws WeightsException {
        WeightCatalogue cat = WeightCatalogue.of(config);
        Map<String, long[]> required = cat.required();
        Map<String, long[]> optional = cat.optional();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        List<String> mismatchLines = new ArrayList<>();
        Map<String, float[]> data = new HashMap<>();

        for (Map.Entry<String, long[]> e : required.entrySet()) {
            Tensor t = file.tensor(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else {
                accept(t, e.getValue(), data, mismatched, mismatchLines);
            }
        }
        for (Map.Entry<String, long[]> e : optional.entrySet()) {
            Tensor t = file.tensor(e.getKey());
            if (t != null) accept(t, e.getValue(), data, mismatched, mismatchLines);
        }
        List<String> unused = new ArrayList<>();
        for (String name : file.names()) {
            if (!required.containsKey(name) && !optional.containsKey(name) && !name.endsWith("num_batches_tracked")) {
                unused.add(name);
            }
        }

        if (!missing.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder sb = new StringBuilder("weights do not fit the config: ")
                    .append(missing.size()).append(" missing, ")
                    .append(mismatched.size()).append(" of the wrong shape, dtype or values");
            if (!unused.isEmpty()) sb.append(", ").append(unused.size()).append(" unused");
            if (missing.size() + mismatched.size() > required.size() / 2) {
                sb.append(" (most of the config's tensors do not fit: is this the config of these weights?)");
            }
            String prefix = commonPrefix(file, required.keySet(), missing);
            if (prefix != null) {
                sb.append(" (the file's names carry the prefix '").append(prefix)
                        .append("', as in a wrapped state_dict: save the weights without it)");
            }
            sb.append("; config: ").append(config);
            // The first problems name the tensors; a file of another model would otherwise print thousands of lines.
            List<String> missingLines = new ArrayList<>();
            for (String m : missing) missingLines.add("missing: " + m + ' ' + Arrays.toString(required.get(m)));
            appendLines(sb, missingLines, "missing");
            appendLines(sb, mismatchLines, "of the wrong shape, dtype or values");
            throw new WeightsException(sb.toString(), missing, mismatched);
        }
        return new Weights(config, cat, data, unused);
    }

    /**
     * Problems of each kind listed one per line in the message; all of them are in
     * {@link WeightsException#missing()} and {@link WeightsException#mismatched()}.
     */
    static final int MAX_LINES = 12;

    private static void appendLines(StringBuilder sb, List<String> lines, String kind) {
        for (String line : lines.subList(0, Math.min(lines.size(), MAX_LINES))) sb.append("\n  ").append(line);
        if (lines.size() > MAX_LINES) {
            sb.append("\n  ... and ").append(lines.size() - MAX_LINES).append(" more ").append(kind);
        }
    }

    /**
     * The prefix ({@code "module."}, {@code "model."}, ...) that the file puts before most of the
     * missing required names, or null.
     */
    private static String commonPrefix(Safetensors file, Set<String> required, List<String> missing) {
        if (missing.size() <= required.size() / 2) return null;
        String probe = missing.get(0);
        for (String name : file.names()) {
            if (name.length() > probe.length() && name.endsWith("." + probe)) {
                String prefix = name.substring(0, name.length() - probe.length());
                long found = missing.stream().filter(m -> file.tensor(prefix + m) != null).count();
                return found > missing.size() / 2 ? prefix : null;
            }
        }
        return null;
    }

    private static void accept(Tensor t, long[] expected, Map<String, float[]> data,
                               List<String> mismatched, List<String> lines) {
        boolean shapeOk = Arrays.equals(t.shape(), expected)
                // a scalar (att_prob_clip) may also be stored as [1]
                || (expected.length == 0 && t.shape().length == 1 && t.shape()[0] == 1);
        boolean dtypeOk = FLOAT_DTYPES.contains(t.dtype());
        String problem;
        if (!shapeOk) {
            problem = "wrong shape: " + t.name() + " expected " + Arrays.toString(expected)
                    + " found " + Arrays.toString(t.shape());
        } else if (!dtypeOk) {
            problem = "wrong dtype: " + t.name() + " expected a floating-point dtype (F32, F16, BF16, F64) found "
                    + t.dtype();
        } else {
            problem = badValue(t);
        }
        if (problem == null) {
            data.put(t.name(), t.data());
        } else {
            mismatched.add(t.name());
            lines.add(problem);
        }
    }

    /**
     * A value no trained checkpoint holds, as a message line, or null: NaN or infinity anywhere (it
     * would make every logit NaN), or a negative BatchNorm {@code running_var} (its square root).
     */
    private static String badValue(Tensor t) {
        float[] d = t.data();
        boolean variance = t.name().endsWith(".running_var");
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                return "bad value: " + t.name() + index(t, i) + " = " + d[i] + " (every value must be finite)";
            }
            if (variance && d[i] < 0) {
                return "bad value: " + t.name() + index(t, i) + " = " + d[i] + " (a variance cannot be negative)";
            }
        }
        return null;
    }

    private static String index(Tensor t, int flat) {
        long[] shape = t.shape();
        long[] at = new long[shape.length];
        long rest = flat;
        for (int k = shape.length - 1; k >= 0; k--) {
            at[k] = rest % shape[k];
            rest /= shape[k];
        }
        return Arrays.toString(at);
    }

    /** The config these weights were checked against. */
    public BinaryVitConfig config() {
        return config;
    }

    /** The catalogue of that config. */
    public WeightCatalogue catalogue() {
        return catalogue;
    }

    /**
     * The data of a required tensor, or of an optional one that the file has, row-major in
     * PyTorch's layout (shape already checked). Shared, not copied: read-only.
     *
     * @throws IllegalArgumentException if {@code name} is not a tensor of this config, or is an
     *                                  optional tensor that the file lacks
     */
    public float[] get(String name) {
        float[] d = data.get(name);
        if (d != null) return d;
        if (catalogue.isOptional(name)) {
            throw new IllegalArgumentException("optional tensor '" + name + "' is not in the file; use optional()");
        }
        throw new IllegalArgumentException("'" + name + "' is not a tensor of " + config);
    }

    /**
     * The data of a tensor of this config, or null if the file lacks it (only possible for optional ones).
     *
     * @throws IllegalArgumentException if {@code name} is not a tensor of this config
     */
    public float[] optional(String name) {
        if (!catalogue.isRequired(name) && !catalogue.isOptional(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a tensor of " + config);
        }
        return data.get(name);
    }

    /**
     * The value of a one-element tensor such as {@code att_prob_clip}.
     *
     * @throws IllegalArgumentException if it is not a tensor of this config or has more than one element
     */
    public float scalar(String name) {
        float[] d = get(name);
        if (d.length != 1) throw new IllegalArgumentException("'" + name + "' has " + d.length + " elements, not 1");
        return d[0];
    }

    /** Whether the file has {@code name} (a required or optional tensor of this config). */
    public boolean has(String name) {
        return data.containsKey(name);
    }

    /** Tensors in the file that this config does not use, in file order ({@code num_batches_tracked} excluded). */
    public List<String> unused() {
        return unused;
    }
}
