package dev.binaryvit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's operator profile, as {@code OperatorProfile} writes it: per step of the forward pass
 * (embeddings, layer.i, patch_embedN, head) and per operator inside it, the median time over
 * {@code runs} forward passes, with the operator's kind and dimensions, from which {@link Work}
 * counts operations and bytes. Unknown fields are ignored.
 *
 * @param model           e.g. BinaryViT-S
 * @param threads         kernel threads
 * @param batch           images per forward pass
 * @param runs            forward passes behind each median
 * @param vectorBits      the kernels' vector width, 0 for the scalar path
 * @param steps           the steps, in forward order
 * @param forwardMedianNs median of the whole forward pass
 * @param ops             the operators, in forward order
 */
public record Profile(String model, int threads, int batch, int runs, int vectorBits, List<StepTime> steps,
                      double forwardMedianNs, List<OpTime> ops) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One step: {@code kind} is embeddings, layer, merge or head; stage, tokens and channels may be absent (-1). */
    public record StepTime(String step, String kind, int stage, int tokens, int channels, double medianNs) {}

    /**
     * One operator of one step: its kind names the formula of {@link Work}; dims are its sizes;
     * {@code aloneNs} its median when only its layer runs, over and over (NaN when not measured).
     */
    public record OpTime(String step, String op, String kind, Map<String, Double> dims, boolean residual,
                         double medianNs, double aloneNs) {

        public OpTime {
            dims = Map.copyOf(dims);
        }

        /** A dimension, or {@code otherwise} when absent. */
        public double dim(String name, double otherwise) {
            return dims.getOrDefault(name, otherwise);
        }

        /** A dimension that the formula needs. */
        public double dim(String name) {
            Double v = dims.get(name);
            if (v == null) {
                throw new IllegalArgumentException(step + "/" + op + " (" + kind + ") has no dimension '" + name
                        + "' (has " + dims.keySet() + ")");
            }
            return v;
        }
    }

    public Profile {
        steps = List.copyOf(steps);
        ops = List.copyOf(ops);
    }

    public static Profile read(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        if (root == null || !root.isObject()) {
            throw new IOException(file + " is not an operator profile (a JSON object)");
        }
        List<StepTime> steps = new ArrayList<>();
        for (JsonNode s : root.path("steps")) {
            steps.add(new StepTime(s.path("step").asText(""), s.path("kind").asText(""), s.path("stage").asInt(-1),
                    s.path("tokens").asInt(-1), s.path("channels").asInt(-1), s.path("median_ns").asDouble(Double.NaN)));
        }
        List<OpTime> ops = new ArrayList<>();
        for (JsonNode o : root.path("ops")) {
            Map<String, Double> dims = new LinkedHashMap<>();
            o.path("dims").fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    dims.put(e.getKey(), e.getValue().asDouble());
                }
            });
            ops.add(new OpTime(o.path("step").asText(""), o.path("op").asText(""), o.path("kind").asText(""), dims,
                    o.path("residual").asBoolean(false), o.path("median_ns").asDouble(Double.NaN),
                    o.path("alone_median_ns").asDouble(Double.NaN)));
        }
        if (steps.isEmpty() && ops.isEmpty()) {
            throw new IOException(file + " has neither steps nor ops");
        }
        return new Profile(root.path("model").asText("?"), root.path("threads").asInt(1), root.path("batch").asInt(1),
                root.path("runs").asInt(0), root.path("vectorBits").asInt(0), steps,
                root.path("forward_median_ns").asDouble(Double.NaN), ops);
    }

    /** The operators of one step, in order. */
    public List<OpTime> opsOf(String step) {
        return ops.stream().filter(o -> o.step().equals(step)).toList();
    }

    /** The sum of the steps' medians, in ns. */
    public double sumOfStepsNs() {
        return steps.stream().mapToDouble(StepTime::medianNs).filter(Double::isFinite).sum();
    }
}
