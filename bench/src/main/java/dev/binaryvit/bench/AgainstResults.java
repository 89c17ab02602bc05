package dev.binaryvit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Against} measured, as written to {@code reports/raw/against.json}: per contender and
 * thread count, the milliseconds per image of every round. Medians and ratios are computed from
 * these when read, like {@link JmhResults} computes its medians from JMH's raw iterations.
 *
 * @param onnxRuntime    the ONNX Runtime version
 * @param binaryVit      what BinaryViT ran (model, weights, batch, input)
 * @param vectorBits     the kernels' vector width in that run
 * @param settings       rounds, images per round, warm-ups, pause
 * @param threads        the thread counts, in the order run
 * @param binaryVitMs    BinaryViT-S: threads -> ms per image, one value per round
 * @param models         the ONNX models, in the order given
 * @param cores          threads -> the process's CPU time over the wall time of the timed blocks at
 *                       that thread count (NaN when unknown): the cores it got
 * @param unsteady       the contenders whose warm-up ended at the time cap, not steady (names as printed)
 */
record AgainstResults(String onnxRuntime, String binaryVit, int vectorBits, Against.Settings settings,
                      List<Integer> threads, Map<Integer, double[]> binaryVitMs, List<Model> models,
                      Map<Integer, Double> cores, List<String> unsteady) {

    static final String FILE = "against.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One ONNX model's times.
     *
     * @param file          the file name
     * @param path          the path it was given as
     * @param inputName     its input's name
     * @param declaredShape the input's shape as declared, dynamic dimensions by name
     * @param shape         the shape it ran at
     * @param ms            threads -> ms per image, one value per round
     */
    record Model(String file, String path, String inputName, String declaredShape, String shape,
                 Map<Integer, double[]> ms) {

        Model {
            ms = Map.copyOf(ms);
        }

        double median(int threads) {
            double[] v = ms.get(threads);
            return v == null ? Double.NaN : JmhResults.median(v);
        }
    }

    AgainstResults {
        threads = List.copyOf(threads);
        binaryVitMs = Map.copyOf(binaryVitMs);
        models = List.copyOf(models);
        cores = Map.copyOf(cores);
        unsteady = List.copyOf(unsteady);
    }

    /** The cores the process got at a thread count, NaN when unknown. */
    double coresAt(int threads) {
        return cores.getOrDefault(threads, Double.NaN);
    }

    /** BinaryViT-S's median ms per image at a thread count. */
    double binaryVitMedian(int threads) {
        double[] v = binaryVitMs.get(threads);
        return v == null ? Double.NaN : JmhResults.median(v);
    }

    /** BinaryViT-S's median time / the model's median time at a thread count: below 1, BinaryViT-S is faster. */
    double ratio(Model m, int threads) {
        return binaryVitMedian(threads) / m.median(threads);
    }

    /** One stdout line per model and thread count: {@code bench: against m.onnx threads=1 onnx_ms=7.62 binaryvit_ms=16.3 ratio=2.14}. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (Model m : models) {
            for (int t : threads) {
                lines.add("bench: against " + m.file() + " threads=" + t + " onnx_ms=" + Fmt.sig3(m.median(t))
                        + " binaryvit_ms=" + Fmt.sig3(binaryVitMedian(t)) + " ratio=" + Fmt.sig3(ratio(m, t)));
            }
        }
        return lines;
    }

    void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("onnxruntime", onnxRuntime);
        ObjectNode s = root.putObject("settings");
        s.put("rounds", settings.rounds());
        s.put("images_per_round", settings.imagesPerRound());
        s.put("binaryvit_warmup_seconds", settings.binaryVitWarmupSeconds());
        s.put("onnx_warmup_seconds", settings.onnxWarmupSeconds());
        s.put("pause_ms", settings.pauseMillis());
        ArrayNode t = root.putArray("threads");
        threads.forEach(t::add);
        ObjectNode b = root.putObject("binaryvit");
        b.put("model", binaryVit);
        b.put("vector_bits", vectorBits);
        putTimes(b, binaryVitMs);
        ObjectNode cn = root.putObject("cores_used");
        for (int th : threads) {
            double c = coresAt(th);
            if (Double.isFinite(c)) {
                cn.put(Integer.toString(th), c);
            }
        }
        ArrayNode un = root.putArray("unsteady");
        unsteady.forEach(un::add);
        ArrayNode ms = root.putArray("models");
        for (Model m : models) {
            ObjectNode n = ms.addObject();
            n.put("file", m.file());
            n.put("path", m.path());
            n.put("input_name", m.inputName());
            n.put("declared_shape", m.declaredShape());
            n.put("shape", m.shape());
            putTimes(n, m.ms());
        }
        JSON.writeValue(file.toFile(), root);
    }

    private void putTimes(ObjectNode n, Map<Integer, double[]> times) {
        ObjectNode per = n.putObject("ms_per_image");
        for (int t : threads) {
            double[] v = times.get(t);
            if (v != null) {
                ArrayNode a = per.putArray(Integer.toString(t));
                for (double x : v) {
                    a.add(x);
                }
            }
        }
    }

    /** Reads {@code against.json}; throws when it is not one. */
    static AgainstResults read(Path file) throws IOException {
        JsonNode r = JSON.readTree(file.toFile());
        if (r == null || !r.isObject() || !r.path("binaryvit").isObject() || !r.path("models").isArray()) {
            throw new IOException(file + " is not an against.json (no binaryvit or models)");
        }
        JsonNode s = r.path("settings");
        Against.Settings settings = new Against.Settings(s.path("rounds").asInt(0), s.path("images_per_round").asInt(0),
                s.path("binaryvit_warmup_seconds").asDouble(Double.NaN), s.path("onnx_warmup_seconds").asDouble(Double.NaN),
                s.path("pause_ms").asLong(0));
        List<Integer> threads = new ArrayList<>();
        r.path("threads").forEach(t -> threads.add(t.asInt()));
        JsonNode b = r.path("binaryvit");
        List<Model> models = new ArrayList<>();
        for (JsonNode m : r.path("models")) {
            models.add(new Model(m.path("file").asText(""), m.path("path").asText(""), m.path("input_name").asText(""),
                    m.path("declared_shape").asText(""), m.path("shape").asText(""), times(m)));
        }
        Map<Integer, Double> cores = new LinkedHashMap<>();
        r.path("cores_used").fields().forEachRemaining(e -> cores.put(Integer.parseInt(e.getKey()), e.getValue().asDouble()));
        List<String> unsteady = new ArrayList<>();
        r.path("unsteady").forEach(u -> unsteady.add(u.asText()));
        return new AgainstResults(r.path("onnxruntime").asText("unknown"), b.path("model").asText("BinaryViT-S"),
                b.path("vector_bits").asInt(0), settings, threads, times(b), models, cores, unsteady);
    }

    private static Map<Integer, double[]> times(JsonNode n) {
        Map<Integer, double[]> out = new LinkedHashMap<>();
        n.path("ms_per_image").fields().forEachRemaining(e -> {
            double[] v = new double[e.getValue().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = e.getValue().get(i).asDouble(Double.NaN);
            }
            out.put(Integer.parseInt(e.getKey()), v);
        });
        return out;
    }
}
