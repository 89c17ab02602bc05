package dev.binaryvit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The results of JMH runs, read from their {@code -rf json} files: an array of
 * {@code {benchmark, mode, params, primaryMetric{score, scoreError, scoreUnit, rawData}}}.
 * Lookups by class simple name, method and parameters; times are taken as the median of the
 * measurement iterations ({@code rawData}) where there are any, else the score.
 */
public final class JmhResults {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One benchmark and parameter combination.
     *
     * @param benchmark  fully qualified {@code package.Class.method}
     * @param mode       JMH mode: avgt, thrpt, sample, ss
     * @param params     the {@code @Param} values
     * @param score      JMH's score (mean over iterations), in {@code unit}
     * @param scoreError JMH's 99.9% half-interval, NaN when there were too few iterations
     * @param unit       e.g. {@code us/op} or {@code ops/s}
     * @param raw        every measurement iteration's score, all forks, in {@code unit}
     */
    public record Result(String benchmark, String mode, Map<String, String> params, double score, double scoreError,
                         String unit, double[] raw) {

        public Result {
            params = Map.copyOf(params);
            raw = raw.clone();
        }

        /** The class's simple name. */
        public String className() {
            String[] parts = benchmark.split("\\.");
            return parts.length >= 2 ? parts[parts.length - 2] : benchmark;
        }

        /** The benchmark method. */
        public String method() {
            int dot = benchmark.lastIndexOf('.');
            return dot < 0 ? benchmark : benchmark.substring(dot + 1);
        }

        /** A parameter value, or null. */
        public String param(String name) {
            return params.get(name);
        }

        /** The median of the iterations, or the score when JMH recorded none, in {@code unit}. */
        public double median() {
            return raw.length == 0 ? score : JmhResults.median(raw);
        }

        /** The median time of one operation in seconds (throughput units are inverted). */
        public double seconds() {
            return secondsPerOp(median(), unit);
        }

        /**
         * The fastest iteration's time of one operation in seconds: for the machine probes, whose
         * purpose is a ceiling (other processes on the cores can only slow an iteration down).
         */
        public double bestSeconds() {
            if (raw.length == 0) {
                return seconds();
            }
            double best = Double.NaN;
            for (double v : raw) {
                double t = secondsPerOp(v, unit);
                best = Double.isFinite(best) ? Math.min(best, t) : t;
            }
            return best;
        }

        /** Number of iterations behind the median. */
        public int samples() {
            return raw.length;
        }
    }

    private final List<Result> results;
    private final List<String> sources;

    private JmhResults(List<Result> results, List<String> sources) {
        this.results = List.copyOf(results);
        this.sources = List.copyOf(sources);
    }

    /** No results. */
    public static JmhResults empty() {
        return new JmhResults(List.of(), List.of());
    }

    /** Reads JMH JSON result files; a missing or empty file contributes nothing, a malformed one throws. */
    public static JmhResults read(List<Path> files) throws IOException {
        List<Result> all = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f) || Files.size(f) == 0) {
                continue;
            }
            JsonNode root = JSON.readTree(f.toFile());
            if (root == null || root.isMissingNode()) {
                continue;
            }
            if (!root.isArray()) {
                throw new IOException(f + " is not a JMH JSON result file (an array of results)");
            }
            for (JsonNode n : root) {
                all.add(parse(n, f));
            }
            sources.add(f.getFileName().toString());
        }
        return new JmhResults(all, sources);
    }

    private static Result parse(JsonNode n, Path file) throws IOException {
        String benchmark = n.path("benchmark").asText(null);
        JsonNode metric = n.path("primaryMetric");
        if (benchmark == null || metric.isMissingNode()) {
            throw new IOException(file + ": a result without benchmark or primaryMetric");
        }
        Map<String, String> params = new LinkedHashMap<>();
        n.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        List<Double> raw = new ArrayList<>();
        for (JsonNode fork : metric.path("rawData")) {
            for (JsonNode v : fork) {
                if (v.isNumber()) {
                    raw.add(v.asDouble());
                }
            }
        }
        double error = metric.path("scoreError").isNumber() ? metric.path("scoreError").asDouble() : Double.NaN;
        return new Result(benchmark, n.path("mode").asText(""), params, metric.path("score").asDouble(Double.NaN),
                error, metric.path("scoreUnit").asText(""), raw.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public List<Result> all() {
        return results;
    }

    /** The file names the results came from. */
    public List<String> sources() {
        return sources;
    }

    public boolean isEmpty() {
        return results.isEmpty();
    }

    /** True when any result belongs to the class with this simple name. */
    public boolean hasClass(String simpleName) {
        return results.stream().anyMatch(r -> r.className().equals(simpleName));
    }

    /** Results of {@code Class.method} (simple class name) whose parameters include all of {@code params} (name, value pairs). */
    public List<Result> find(String className, String method, String... params) {
        if (params.length % 2 != 0) {
            throw new IllegalArgumentException("params come in name, value pairs");
        }
        Predicate<Result> match = r -> r.className().equals(className) && (method == null || r.method().equals(method));
        for (int i = 0; i < params.length; i += 2) {
            String name = params[i];
            String value = params[i + 1];
            match = match.and(r -> value.equals(r.param(name)));
        }
        return results.stream().filter(match).toList();
    }

    /** The one result of {@code Class.method} with these parameters (the last one read, if several). */
    public Optional<Result> one(String className, String method, String... params) {
        List<Result> found = find(className, method, params);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }

    /** Distinct values of one parameter over a class's results, in first-seen order. */
    public List<String> values(String className, String param) {
        return results.stream().filter(r -> r.className().equals(className)).map(r -> r.param(param))
                .filter(v -> v != null).distinct().toList();
    }

    /** Seconds per operation from a value in a JMH unit: {@code s/op, ms/op, us/op, ns/op} or {@code ops/s, ops/ms, ops/us, ops/ns}. */
    static double secondsPerOp(double value, String unit) {
        String u = unit.trim();
        if (u.endsWith("/op")) {
            return value * scale(u.substring(0, u.length() - 3));
        }
        if (u.startsWith("ops/")) {
            return scale(u.substring(4)) / value;
        }
        throw new IllegalArgumentException("unknown JMH unit '" + unit + "'");
    }

    private static double scale(String timeUnit) {
        return switch (timeUnit) {
            case "s" -> 1;
            case "ms" -> 1e-3;
            case "us", "\u00b5s" -> 1e-6;
            case "ns" -> 1e-9;
            case "min" -> 60;
            default -> throw new IllegalArgumentException("unknown time unit '" + timeUnit + "'");
        };
    }

    /** The median of values (the mean of the middle two for an even count); NaN for none. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** Results sorted by class, method, then parameters: a stable order for tables. */
    public List<Result> sorted() {
        return results.stream().sorted(Comparator.comparing(Result::className).thenComparing(Result::method)
                .thenComparing(r -> r.params().toString())).toList();
    }
}
