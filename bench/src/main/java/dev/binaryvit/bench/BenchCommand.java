package dev.binaryvit.bench;

import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.incubator.vector.VectorShape;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./binaryvit bench [--quick] [--against MODEL.onnx ...]}: the machine probes, the kernel,
 * baseline and model benchmarks (JMH, one JSON result file per group), the float models given with
 * {@code --against} timed against BinaryViT-S ({@link Against}), the model's operator profile, then
 * the roofline report. Writes {@code reports/ROOFLINE.md}, {@code reports/roofline.svg} and the raw
 * files behind them in {@code reports/raw/}; JMH's own logs go to {@code reports/tmp/} (not
 * committed). Before the last line, one line per float model and thread count
 * ({@code bench: against m.onnx threads=1 onnx_ms=<x> binaryvit_ms=<x> ratio=<x>}). The last line
 * is {@code bench: model_ms=<x> gemm_peak_fraction=<x> report=reports/ROOFLINE.md}. Bad options and
 * unusable models are one line on stderr ({@code bench: ...}) and exit code 2, before anything runs.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the JMH probes and benchmarks and the operator profile; write reports/ROOFLINE.md.")
public final class BenchCommand implements Callable<Integer> {

    static final String PACKAGE = "dev.binaryvit.bench.";
    static final String MODEL_BENCHMARK = "ModelBenchmark";
    static final String MODEL_REFERENCE = "ModelReferenceBenchmark";
    static final String OPERATOR_PROFILE = "OperatorProfile";
    static final String AGAINST = "against";

    /** A problem with the command line or its files: one line on stderr, exit code 2. */
    static final class BadInput extends Exception {
        BadInput(String message) {
            super(message);
        }
    }

    @Option(names = "--quick", description = "Fewer iterations, shapes and widths: under 5 minutes on 2 cores.")
    boolean quick;

    @Option(names = "--reports", paramLabel = "DIR", description = "Where to write (default: reports/ at the repository root).")
    Path reports;

    @Option(names = "--only", split = ",", paramLabel = "GROUP",
            description = "Run only the groups whose names start with these (a partial report, for development): "
                    + "probes, openblas, gemm, attention, pooling, model, against, profile.")
    List<String> only;

    @Option(names = "--against", paramLabel = "MODEL.onnx",
            description = "Time this ONNX model (one float input [1, 3, 224, 224]) with ONNX Runtime on the CPU, "
                    + "at 1 and 2 intra-op threads, alternating with BinaryViT-S at 1 and 2 threads, and report "
                    + "BinaryViT-S's time / the model's. May be given several times.")
    List<Path> against;

    @Option(names = "--against-rounds", paramLabel = "N",
            description = "Measured rounds of --against (default 20, --quick 10).")
    Integer againstRounds;

    @Option(names = "--against-images", paramLabel = "N",
            description = "Images each contender of --against runs back to back in a round (default 8, --quick 4).")
    Integer againstImages;

    @Option(names = "--against-warmup", paramLabel = "SECONDS",
            description = "How long each BinaryViT-S runs alone before the rounds of --against (default 8, "
                    + "--quick 5); each ONNX Runtime session a quarter of it.")
    Double againstWarmup;

    @Option(names = "--report-only", description = "Rewrite the report from the raw files of the last run; run nothing.")
    boolean reportOnly;

    private final PrintStream out;

    BenchCommand(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(execute(System.out, System.err, args));
    }

    /** Runs a command line, printing results to {@code out} and problems to {@code err}; returns the exit code. */
    static int execute(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = new CommandLine(new BenchCommand(out));
        PrintWriter errors = new PrintWriter(err, true);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(errors);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            // The user's to fix: one clear line, no stack trace.
            if (e instanceof BadInput) {
                line.getErr().println("bench: " + e.getMessage());
                line.getErr().flush();
                return 2;
            }
            throw e;
        });
        int code = cli.execute(args);
        errors.flush();
        out.flush();
        return code;
    }

    /** One JMH run: the benchmarks it includes, parameter overrides, and its own iteration settings. */
    record Group(String name, List<String> includes, Map<String, String[]> params, int warmups, double warmupSeconds,
                 int iterations, double iterationSeconds, String why) {}

    /** The groups of a quick or full run on a machine whose widest vectors have {@code widest} bits (128, 256 or 512). */
    static List<Group> plan(boolean quick, Machine machine, boolean modelBenchmark, int widest) {
        // Quick: two short warmups, so the measured iterations run C2 code (a single 1 s warmup of a
        // large kernel can end before C2 has compiled it).
        int wi = quick ? 2 : 3;
        double w = quick ? 0.75 : 1;
        int i = quick ? 3 : 5;
        double r = quick ? 0.5 : 1;
        // The kernels at the widest width and the next narrower one; the probes at every width the machine has.
        String top = Integer.toString(widest);
        String[] widths = widest > 128 ? new String[] {top, Integer.toString(widest / 2)} : new String[] {top};
        String[] probeWidths = Stream.of("128", "256", "512").filter(b -> Integer.parseInt(b) <= widest)
                .toArray(String[]::new);
        List<Group> g = new ArrayList<>();
        // The probes report their fastest iteration: many short ones give a ceiling the best chance
        // of an iteration that no other process on the cores slowed down.
        // Their loops are small and compile at once: one warmup is enough.
        int pw = quick ? 1 : 2;
        int pi = 10;
        double pr = quick ? 0.2 : 0.5;
        g.add(new Group("probes-compute", List.of(bench("PeakBinaryProbe", "ints|longs"), bench("PeakFmaProbe", "fma")),
                Map.of("vectorBits", probeWidths), pw, w, pi, pr, "peak binary and FMA rates"));
        g.add(new Group("probes-bandwidth", List.of(bench("BandwidthProbe", "read|triad")),
                Map.of("kib", bandwidthSizes(machine)), pw, w, pi, pr, "read and triad bandwidth per level"));
        g.add(new Group("openblas", List.of(bench("FloatGemmBaseline", "sgemm")), Map.of(), wi, w, i, r,
                "OpenBLAS sgemm, one thread"));
        if (quick) {
            // Every shape once at each width; the reference and the fused form on two shapes (the
            // reference is width-independent: it is paired with the vector result of the same width).
            g.add(new Group("gemm", List.of(bench("BinaryGemmBenchmark", "vector")),
                    Map.of("vectorBits", widths), wi, w, i, r, "binary GEMM, every shape, both widths"));
            g.add(new Group("gemm-reference", List.of(bench("BinaryGemmBenchmark", "reference|vectorPacked")),
                    Map.of("vectorBits", new String[] {top}, "shape", new String[] {"3136x64x64", "49x512x2048"}),
                    wi, w, i, r, "binary GEMM reference and fused forms, two shapes"));
            g.add(new Group("attention", List.of(bench("AttentionBenchmark", "vector")),
                    Map.of("vectorBits", new String[] {top}), wi, w, i, r, "attention, every shape"));
            g.add(new Group("attention-256", List.of(bench("AttentionBenchmark", "vector|reference")),
                    Map.of("vectorBits", new String[] {"256"}, "shape", new String[] {"196x196x4"}), wi, w, i, r,
                    "attention reference and 256-bit, one shape"));
            g.add(new Group("pooling", List.of(bench("PoolingBenchmark", "vector|reference")),
                    Map.of("vectorBits", new String[] {top}, "shape", new String[] {"56x56x64"}), wi, w, i, r,
                    "strip pooling, one shape"));
        } else {
            g.add(new Group("gemm", List.of(bench("BinaryGemmBenchmark", "vector|vectorPacked|reference")),
                    Map.of("vectorBits", widths), wi, w, i, r, "binary GEMM"));
            g.add(new Group("attention", List.of(bench("AttentionBenchmark", "vector|reference")),
                    Map.of("vectorBits", widths), wi, w, i, r, "attention"));
            g.add(new Group("pooling", List.of(bench("PoolingBenchmark", "vector|reference")),
                    Map.of("vectorBits", widths), wi, w, i, r, "strip pooling"));
        }
        if (modelBenchmark) {
            // The whole forward pass: 1 and 2 threads, and (full) 8 images per call; the scalar
            // reference path (ModelReferenceBenchmark, single shots) and the narrower kernels for one
            // case. Its first call runs for seconds in the interpreter, and C2 then compiles the
            // model's many kernels one by one: here the times settle 15 to 20 s into a fork (WarmUp),
            // so it gets a warmup of its own: 12 s (quick) or 20 s.
            int mw = quick ? 6 : 10;
            int mi = quick ? 3 : 5;
            double mr = quick ? 1 : 2;
            Map<String, String[]> p = quick
                    ? Map.of("threads", new String[] {"1", "2"}, "batch", new String[] {"1"}, "vectorBits", new String[] {top})
                    : Map.of("threads", new String[] {"1", "2"}, "batch", new String[] {"1", "8"},
                            "vectorBits", new String[] {top});
            g.add(new Group("model", List.of(bench(MODEL_BENCHMARK, "forward"), bench(MODEL_REFERENCE, "reference")),
                    p, mw, 2, mi, mr, "whole forward pass, and its scalar reference"));
            String narrow = widths[widths.length - 1];
            g.add(new Group("model-" + narrow, List.of(bench(MODEL_BENCHMARK, "forward")),
                    Map.of("threads", new String[] {"1"}, "batch", new String[] {"1"}, "vectorBits", new String[] {narrow}),
                    mw, 2, mi, mr, "whole forward pass on " + narrow + "-bit vectors"));
        }
        return g;
    }

    private static String bench(String cls, String methods) {
        return "^" + PACKAGE.replace(".", "\\.") + cls + "\\.(" + methods + ")$";
    }

    /**
     * Working sets (KiB) for the bandwidth probe: half of L1, half of L2, a quarter of L3 (each
     * above the level below), and 256 MiB or 8 x L3 for DRAM.
     */
    static String[] bandwidthSizes(Machine machine) {
        long[] c = Probes.capacities(machine);
        long l1 = c[0] / 2;
        long l2 = Math.max(c[1] / 2, 2 * c[0]);
        long l3 = Math.max(c[2] / 4, 2 * c[1]);
        long dram = Math.max(256L << 20, 8 * c[2]);
        return Stream.of(l1, l2, l3, dram).map(b -> Long.toString(Math.max(1, b / 1024))).toArray(String[]::new);
    }

    @Override
    public Integer call() throws Exception {
        Path root = findRoot();
        Path reportsDir = reports != null ? reports.toAbsolutePath() : root.resolve("reports");
        Path raw = reportsDir.resolve(RooflineReport.RAW);
        Path tmp = reportsDir.resolve("tmp");
        String reportPath = reportsDir.equals(root.resolve("reports"))
                ? "reports/" + RooflineReport.MARKDOWN : reportsDir.resolve(RooflineReport.MARKDOWN).toString();
        List<Path> models = against == null ? List.of() : against;
        boolean againstWanted = !models.isEmpty() && (only == null || only.stream().anyMatch(AGAINST::startsWith));
        Against.Settings againstSettings = checkAgainst(models, againstWanted);
        if (reportOnly) {
            RooflineReport.Summary s = RooflineReport.write(RooflineReport.load(raw), reportsDir);
            out.println(s.line(reportPath));
            return 0;
        }
        Instant start = Instant.now();
        Files.createDirectories(raw);
        Files.createDirectories(tmp);
        clearRaw(raw);
        List<String> notes = new ArrayList<>();
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode run = json.createObjectNode();
        String command = "./binaryvit bench" + (quick ? " --quick" : "")
                + (reports != null ? " --reports " + reports : "")
                + (only != null ? " --only " + String.join(",", only) : "")
                + models.stream().map(m -> " --against " + m).reduce("", String::concat)
                + (againstRounds != null ? " --against-rounds " + againstRounds : "")
                + (againstImages != null ? " --against-images " + againstImages : "")
                + (againstWarmup != null ? " --against-warmup " + againstWarmup : "");
        run.put("command", command);
        run.put("mode", quick ? "quick" : "full");
        run.put("started", start.truncatedTo(ChronoUnit.SECONDS).toString());
        run.put("load_start", loadAverage());
        if (only != null) {
            notes.add("Partial run (--only " + String.join(",", only) + "): the other groups were not run.");
        }

        Machine machine = Machine.detect();
        machine.write(raw.resolve(RooflineReport.MACHINE_FILE));
        out.println("bench: " + machine.cpuModel() + ", " + machine.logicalCpus() + " CPUs, " + machine.kernels()
                + (machine.openblasLoaded() ? ", OpenBLAS " + machine.openblas().get("version") : ", OpenBLAS not loaded"));
        if (!machine.openblasLoaded()) {
            notes.add("OpenBLAS did not load, so there is no float baseline: " + machine.openblas().get("error"));
        }

        boolean hasModelBenchmark = classExists(PACKAGE + MODEL_BENCHMARK);
        if (!hasModelBenchmark) {
            notes.add("ModelBenchmark missing: the class " + PACKAGE + MODEL_BENCHMARK + " is not in this build, so "
                    + "there is no whole-model JMH time (model_ms falls back to the operator profile) and no 2-thread figure.");
        }
        int widest = VectorShape.preferredShape().vectorBitSize();
        List<Group> groups = plan(quick, machine, hasModelBenchmark, widest).stream()
                .filter(g -> only == null || only.stream().anyMatch(o -> g.name().startsWith(o))).toList();
        boolean profileWanted = only == null || only.contains("profile");
        ArrayNode groupLog = run.putArray("groups");
        int step = 0;
        int steps = groups.size() + (againstWanted ? 1 : 0) + (profileWanted ? 1 : 0);
        for (Group g : groups) {
            step++;
            Instant t0 = Instant.now();
            out.printf("bench: [%d/%d] %s (%s)...%n", step, steps, g.name(), g.why());
            out.flush();
            Path result = raw.resolve(RooflineReport.JMH_PREFIX + g.name() + ".json");
            Path log = tmp.resolve(RooflineReport.JMH_PREFIX + g.name() + ".log");
            int count = 0;
            String error = null;
            try {
                count = runJmh(g, result, log);
            } catch (RunnerException | RuntimeException e) {
                error = e.getMessage() == null ? e.toString() : e.getMessage();
                notes.add("JMH group " + g.name() + " failed: " + firstLine(error) + " (log: reports/tmp/" + log.getFileName() + ")");
            }
            if (error == null && Files.exists(log) && Files.readString(log).contains("<failure>")) {
                notes.add("JMH group " + g.name() + ": some benchmarks failed and are missing (see reports/tmp/"
                        + log.getFileName() + ")");
            }
            double secs = seconds(t0);
            out.printf("bench:        %d results in %.0f s%n", count, secs);
            ObjectNode gn = groupLog.addObject();
            gn.put("name", g.name());
            gn.put("includes", String.join(" ", g.includes()));
            ObjectNode pn = gn.putObject("params");
            g.params().forEach((k, v) -> pn.put(k, String.join(",", v)));
            gn.put("forks", 1);
            gn.put("warmup", g.warmups() + " x " + g.warmupSeconds() + " s");
            gn.put("measurement", g.iterations() + " x " + g.iterationSeconds() + " s");
            gn.put("results", count);
            gn.put("seconds", Math.round(secs));
            if (error != null) {
                gn.put("error", error);
            }
        }
        AgainstResults againstResults = null;
        if (againstWanted) {
            step++;
            out.printf("bench: [%d/%d] %s (%s against BinaryViT-S, ONNX Runtime, 1 and 2 threads, %d rounds)...%n",
                    step, steps, AGAINST, models.stream().map(m -> m.getFileName().toString())
                            .reduce((x, y) -> x + ", " + y).orElse(""), againstSettings.rounds());
            out.flush();
            Instant t0 = Instant.now();
            String error = null;
            try {
                againstResults = Against.run(models, againstSettings, out);
                againstResults.write(raw.resolve(AgainstResults.FILE));
            } catch (OnnxModel.Unusable | OrtException | IOException | RuntimeException e) {
                error = OnnxModel.oneLine(e);
                notes.add("The float models (--against) were not timed: " + error);
            }
            double secs = seconds(t0);
            out.printf("bench:        %s in %.0f s%n", error == null ? "done" : "failed", secs);
            ObjectNode gn = groupLog.addObject();
            gn.put("name", AGAINST);
            gn.put("models", models.stream().map(Path::toString).reduce((x, y) -> x + " " + y).orElse(""));
            gn.put("rounds", againstSettings.rounds());
            gn.put("images_per_round", againstSettings.imagesPerRound());
            gn.put("seconds", Math.round(secs));
            if (error != null) {
                gn.put("error", error);
            }
        }
        if (profileWanted) {
            out.printf("bench: [%d/%d] operator profile...%n", steps, steps);
            out.flush();
            Instant t0 = Instant.now();
            String problem = runProfile(raw.resolve(RooflineReport.PROFILE_FILE), tmp.resolve("operator-profile.log"));
            if (problem != null) {
                notes.add(problem);
            }
            out.printf("bench:        %s in %.0f s%n", problem == null ? "done" : "missing", seconds(t0));
        }
        run.put("seconds", Math.round(seconds(start)));
        run.put("load_end", loadAverage());
        ArrayNode nn = run.putArray("notes");
        notes.forEach(nn::add);
        json.writeValue(raw.resolve(RooflineReport.RUN_FILE).toFile(), run);

        RooflineReport.Summary s = RooflineReport.write(RooflineReport.load(raw), reportsDir);
        if (againstResults != null) {
            againstResults.lines().forEach(out::println);
        }
        out.println(s.line(reportPath));
        return 0;
    }

    /**
     * Checks the {@code --against} options and, when they will run, opens each model once (one
     * thread, one inference), so that a missing file or an unusable model stops the command before
     * anything has run or been deleted. Returns the settings of the rounds.
     */
    private Against.Settings checkAgainst(List<Path> models, boolean wanted) throws BadInput {
        if (againstRounds != null && againstRounds < 1) {
            throw new BadInput("--against-rounds must be at least 1, not " + againstRounds);
        }
        if (againstImages != null && againstImages < 1) {
            throw new BadInput("--against-images must be at least 1, not " + againstImages);
        }
        if (againstWarmup != null && !(againstWarmup >= 0)) {
            throw new BadInput("--against-warmup must be a number of seconds >= 0, not " + againstWarmup);
        }
        if (models.isEmpty() && only != null && only.contains(AGAINST)) {
            throw new BadInput("--only against needs one or more --against MODEL.onnx");
        }
        if (!models.isEmpty() && reportOnly) {
            throw new BadInput("--report-only runs nothing, so --against cannot be timed; drop one of them");
        }
        if (wanted) {
            for (Path m : models) {
                try (OnnxModel model = OnnxModel.open(m, 1)) {
                    // opened, checked and run once: usable
                } catch (OnnxModel.Unusable e) {
                    throw new BadInput("--against " + e.getMessage());
                }
            }
        }
        return Against.Settings.of(quick, againstRounds, againstImages, againstWarmup);
    }

    private static double seconds(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }

    /** The 1-minute load average from /proc/loadavg, or "unknown": other processes on the cores make figures noisy. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Removes the files a previous run left in raw/, so no figure of an old run can reach the new report. */
    private static void clearRaw(Path raw) throws IOException {
        try (Stream<Path> files = Files.list(raw)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.endsWith(".json") && (n.startsWith(RooflineReport.JMH_PREFIX) || n.equals(RooflineReport.RUN_FILE)
                        || n.equals(RooflineReport.MACHINE_FILE) || n.equals(RooflineReport.PROFILE_FILE)
                        || n.equals(AgainstResults.FILE))) {
                    Files.delete(f);
                }
            }
        }
    }

    /** Runs one group through the JMH Runner API; returns how many results it recorded. */
    private static int runJmh(Group g, Path result, Path log) throws RunnerException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .forks(1)
                .warmupIterations(g.warmups())
                .warmupTime(TimeValue.milliseconds(Math.round(g.warmupSeconds() * 1000)))
                .measurementIterations(g.iterations())
                .measurementTime(TimeValue.milliseconds(Math.round(g.iterationSeconds() * 1000)))
                .timeout(TimeValue.minutes(5))
                .jvmArgsAppend("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "--sun-misc-unsafe-memory-access=allow", "-Djava.awt.headless=true")
                .resultFormat(ResultFormatType.JSON)
                .result(result.toString())
                .output(log.toString())
                .shouldFailOnError(false);
        for (String include : g.includes()) {
            o.include(include);
        }
        g.params().forEach(o::param);
        Collection<RunResult> results = new Runner(o.build()).run();
        return results.size();
    }

    /**
     * Runs {@code OperatorProfile} (the model-side profiler) in its own JVM, so that its JIT state and
     * any exit it makes stay its own. Returns null on success, else what is missing or went wrong.
     */
    private String runProfile(Path outFile, Path log) {
        String cls = PACKAGE + OPERATOR_PROFILE;
        if (!classExists(cls)) {
            return "Operator profile missing: the class " + cls + " is not in this build, so there are no per-layer "
                    + "and per-operator tables.";
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), cls,
                "--out", outFile.toString(), "--runs", quick ? "20" : "50", "--threads", "1", "--batch", "1"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return "Operator profile missing: " + OPERATOR_PROFILE + " did not finish in 15 minutes (log: reports/tmp/"
                        + log.getFileName() + ").";
            }
            if (p.exitValue() != 0) {
                return "Operator profile missing: " + OPERATOR_PROFILE + " exited with " + p.exitValue()
                        + " (log: reports/tmp/" + log.getFileName() + ").";
            }
            if (!Files.isRegularFile(outFile)) {
                return "Operator profile missing: " + OPERATOR_PROFILE + " wrote no " + outFile.getFileName() + ".";
            }
            return null;
        } catch (IOException e) {
            return "Operator profile missing: could not start " + OPERATOR_PROFILE + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Operator profile missing: interrupted.";
        }
    }

    static boolean classExists(String name) {
        try {
            Class.forName(name, false, BenchCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * The repository root: the directory above {@code bench/target/benchmarks.jar} (where this class
     * runs from), else the first directory upwards from the working directory that holds the
     * launcher and {@code pom.xml}, else the working directory.
     */
    static Path findRoot() {
        try {
            Path code = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path d = code.getParent(); d != null; d = d.getParent()) {
                if (isRoot(d)) {
                    return d;
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall through to the working directory
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path d = cwd; d != null; d = d.getParent()) {
            if (isRoot(d)) {
                return d;
            }
        }
        return cwd;
    }

    private static boolean isRoot(Path d) {
        return Files.isRegularFile(d.resolve("pom.xml")) && Files.isRegularFile(d.resolve("binaryvit"))
                && Files.isDirectory(d.resolve("bench"));
    }
}
