package dev.binaryvit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.binaryvit.kernels.Kernels;
import dev.binaryvit.model.BinaryVit;
import dev.binaryvit.model.BinaryVitConfig;
import dev.binaryvit.model.Step;
import dev.binaryvit.model.StepObserver;
import dev.binaryvit.model.Trace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Times every step and every kernel call of BinaryViT-S (built-in weights) in the model's real
 * state: after a warm-up until the times are steady ({@link WarmUp}), {@code runs} traced forward passes, medians per step and per operator.
 * Writes the JSON the roofline report reads.
 *
 * <pre>java -cp benchmarks.jar dev.binaryvit.bench.OperatorProfile --out profile.json [--runs 20] [--threads 1] [--batch 1]</pre>
 */
public final class OperatorProfile {

    private OperatorProfile() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        Path out = Path.of(options.getOrDefault("--out", "profile.json"));
        int runs = Integer.parseInt(options.getOrDefault("--runs", "20"));
        int threads = Integer.parseInt(options.getOrDefault("--threads", "1"));
        int batch = Integer.parseInt(options.getOrDefault("--batch", "1"));
        try (BinaryVit model = BinaryVit.builtIn(threads)) {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, new ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(profile(model, batch, runs)));
        }
        System.out.println("operator profile: " + out);
    }

    static ObjectNode profile(BinaryVit model, int batch, int runs) {
        float[] images = new float[batch * model.imageFloats()];
        Random random = new Random(1);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextGaussian();
        }
        float[] logits = new float[batch * model.config().numLabels()];
        WarmUp.Result warm = WarmUp.jvm().run(() -> model.forward(images, batch, logits, StepObserver.NONE), 5, 90);
        Map<String, List<Long>> stepTimes = new LinkedHashMap<>();
        Map<String, Step> steps = new LinkedHashMap<>();
        Map<String, List<Long>> opTimes = new LinkedHashMap<>();
        Map<String, Trace.Op> ops = new LinkedHashMap<>();
        List<Long> forward = new ArrayList<>();
        Trace trace = Trace.recording();
        for (int r = 0; r < runs; r++) {
            trace.clear();
            long start = System.nanoTime();
            model.forward(images, batch, logits, (step, output, length, nanos) -> {
                stepTimes.computeIfAbsent(step.name(), k -> new ArrayList<>()).add(nanos);
                steps.putIfAbsent(step.name(), step);
            }, trace);
            forward.add(System.nanoTime() - start);
            for (Trace.Op op : trace.ops()) {
                String key = op.step() + "/" + op.name();
                opTimes.computeIfAbsent(key, k -> new ArrayList<>()).add(op.nanos());
                ops.putIfAbsent(key, op);
            }
        }
        Map<String, List<Long>> aloneTimes = layersAlone(model, images, batch, runs);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("model", "BinaryViT-S");
        root.put("threads", model.threads());
        root.put("batch", batch);
        root.put("runs", runs);
        root.put("warmup_seconds", warm.seconds());
        root.put("warmup_steady", warm.steady());
        root.put("vectorBits", Kernels.vectorBits());
        root.put("kernels", Kernels.description());
        ArrayNode stepArray = root.putArray("steps");
        BinaryVitConfig c = model.config();
        for (Map.Entry<String, Step> e : steps.entrySet()) {
            Step s = e.getValue();
            ObjectNode node = stepArray.addObject();
            node.put("step", s.name());
            node.put("kind", s.kind().name().toLowerCase());
            int stage = switch (s.kind()) {
                case EMBEDDINGS -> 0;
                case LAYER -> c.stageOfLayer(s.index());
                case MERGE -> s.index() + 1;
                case HEAD -> c.stages() - 1;
            };
            node.put("stage", stage);
            node.put("tokens", c.grid(stage) * c.grid(stage));
            node.put("channels", c.hiddenSize(stage));
            node.put("median_ns", median(stepTimes.get(s.name())));
        }
        root.put("forward_median_ns", median(forward));
        ArrayNode opArray = root.putArray("ops");
        for (Map.Entry<String, Trace.Op> e : ops.entrySet()) {
            Trace.Op op = e.getValue();
            ObjectNode node = opArray.addObject();
            node.put("step", op.step());
            node.put("op", op.name());
            node.put("kind", op.kind().name().toLowerCase());
            ObjectNode dims = node.putObject("dims");
            String[] names = dimNames(op.kind());
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals("residual")) {
                    node.put("residual", op.dims()[i] != 0);
                } else {
                    dims.put(names[i], op.dims()[i]);
                }
            }
            node.put("median_ns", median(opTimes.get(e.getKey())));
            List<Long> alone = aloneTimes.get(e.getKey());
            if (alone != null) {
                node.put("alone_median_ns", median(alone));
            }
        }
        return root;
    }

    /**
     * Each encoder layer (with the patch merging after it) run on its own, {@code runs} times on its
     * input from a pass, after a few untimed runs: per operator, its times when only its layer runs,
     * so its weights and buffers stay in the caches and nothing of the other layers' runs between.
     * Against the operator's time in the whole pass, this shows what the walk through the model costs.
     */
    static Map<String, List<Long>> layersAlone(BinaryVit model, float[] images, int batch, int runs) {
        Map<String, List<Long>> times = new LinkedHashMap<>();
        Trace trace = Trace.recording();
        float[] h = model.embed(images, batch);
        for (int i = 0; i < model.layers(); i++) {
            for (int w = 0; w < 5; w++) {
                model.layer(i, h, batch);
            }
            for (int r = 0; r < runs; r++) {
                trace.clear();
                model.layer(i, h, batch, trace);
                for (Trace.Op op : trace.ops()) {
                    times.computeIfAbsent(op.step() + "/" + op.name(), k -> new ArrayList<>()).add(op.nanos());
                }
            }
            h = model.layer(i, h, batch);
        }
        return times;
    }

    private static String[] dimNames(Trace.Kind kind) {
        return switch (kind) {
            case BINARY_GEMM -> new String[] {"n", "k", "m", "residual"};
            case PACK -> new String[] {"rows", "cols"};
            case ATTENTION -> new String[] {"batch", "n", "nkv", "channels", "heads"};
            case FLOAT_GEMM -> new String[] {"n", "k", "m"};
            case ELEMENTWISE, POOL -> new String[] {"elements", "reads", "writes", "flops_per_element"};
            case MLP -> new String[] {"n", "c", "i", "pool"};
        };
    }

    static long median(List<Long> values) {
        long[] v = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i], args[i + 1]);
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("option " + args[args.length - 1] + " has no value");
        }
        return options;
    }
}
