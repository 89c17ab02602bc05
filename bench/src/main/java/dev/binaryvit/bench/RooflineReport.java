package dev.binaryvit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes {@code ROOFLINE.md} and {@code roofline.svg} from the raw files of one bench run:
 * {@code raw/run.json} (the command), {@code raw/machine.json} ({@link Machine}),
 * {@code raw/jmh-*.json} (JMH results), {@code raw/operator-profile.json} ({@link Profile}) and
 * {@code raw/against.json} ({@link AgainstResults}, when {@code --against} ran).
 * Every figure in the report comes from those files; whatever is missing is said, never guessed.
 */
public final class RooflineReport {

    public static final String MARKDOWN = "ROOFLINE.md";
    public static final String SVG = "roofline.svg";
    public static final String RAW = "raw";
    public static final String RUN_FILE = "run.json";
    public static final String MACHINE_FILE = "machine.json";
    public static final String PROFILE_FILE = "operator-profile.json";
    public static final String JMH_PREFIX = "jmh-";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Everything the report is made from.
     *
     * @param command  the command line that produced the raw files
     * @param started  when the run started (ISO-8601), or null
     * @param seconds  how long the run took, NaN when unknown
     * @param machine  the machine, or null when missing
     * @param jmh      the JMH results (possibly empty)
     * @param profile  the operator profile, or null when missing
     * @param notes    what is missing or went wrong, one sentence each
     * @param rawFiles the raw file names, for the list at the end
     * @param load     the 1-minute load average at the start and end of the run ("4.1 / 3.9"), or null
     * @param against  the float models timed against BinaryViT-S, or null when none were
     */
    public record Inputs(String command, String started, double seconds, Machine machine, JmhResults jmh,
                         Profile profile, List<String> notes, List<String> rawFiles, String load,
                         AgainstResults against) {

        public Inputs {
            notes = List.copyOf(notes);
            rawFiles = List.copyOf(rawFiles);
        }
    }

    /** The two figures of the last line of {@code bench}: milliseconds per image, and the GEMM's fraction of the binary peak. */
    public record Summary(double modelSeconds, double gemmPeakFraction, String modelSource) {

        /** {@code bench: model_ms=<x> gemm_peak_fraction=<x> report=reports/ROOFLINE.md} */
        public String line(String reportPath) {
            String fraction = Double.isFinite(gemmPeakFraction)
                    ? String.format(Locale.ROOT, "%.3f", gemmPeakFraction) : "n/a";
            return "bench: model_ms=" + Fmt.ms(modelSeconds) + " gemm_peak_fraction=" + fraction + " report=" + reportPath;
        }
    }

    private RooflineReport() {}

    /** Reads the raw files of a run from {@code rawDir}; what is missing becomes a note. */
    public static Inputs load(Path rawDir) throws IOException {
        List<String> notes = new ArrayList<>();
        String command = "(unknown: " + RUN_FILE + " is missing)";
        String started = null;
        double seconds = Double.NaN;
        String load = null;
        Path run = rawDir.resolve(RUN_FILE);
        if (Files.isRegularFile(run)) {
            JsonNode r = JSON.readTree(run.toFile());
            command = r.path("command").asText(command);
            started = r.path("started").asText(null);
            seconds = r.path("seconds").asDouble(Double.NaN);
            if (r.has("load_start")) {
                load = r.path("load_start").asText() + " at the start, " + r.path("load_end").asText("unknown") + " at the end";
            }
            for (JsonNode n : r.path("notes")) {
                notes.add(n.asText());
            }
        }
        Machine machine = null;
        Path m = rawDir.resolve(MACHINE_FILE);
        if (Files.isRegularFile(m)) {
            machine = Machine.read(m);
        } else {
            notes.add("The machine description (" + RAW + "/" + MACHINE_FILE + ") is missing: cache sizes are "
                    + "assumed (32 KiB / 1 MiB / 32 MiB) and the machine table is empty.");
        }
        List<Path> jmhFiles = new ArrayList<>();
        List<String> rawFiles = new ArrayList<>();
        if (Files.isDirectory(rawDir)) {
            try (Stream<Path> files = Files.list(rawDir)) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".json")) {
                        rawFiles.add(name);
                    }
                    if (name.startsWith(JMH_PREFIX) && name.endsWith(".json")) {
                        jmhFiles.add(f);
                    }
                }
            }
        }
        JmhResults jmh = JmhResults.read(jmhFiles);
        if (jmh.isEmpty()) {
            notes.add("No JMH results (" + RAW + "/" + JMH_PREFIX + "*.json): no probes, kernels or baselines.");
        }
        Profile profile = null;
        Path p = rawDir.resolve(PROFILE_FILE);
        if (Files.isRegularFile(p)) {
            try {
                profile = Profile.read(p);
            } catch (IOException | RuntimeException e) {
                notes.add("The operator profile (" + RAW + "/" + PROFILE_FILE + ") could not be read: " + e.getMessage());
            }
        } else if (notes.stream().noneMatch(n -> n.startsWith("Operator profile"))) {
            notes.add("Operator profile missing (" + RAW + "/" + PROFILE_FILE + "): no per-layer or per-operator tables.");
        }
        AgainstResults against = null;
        Path ag = rawDir.resolve(AgainstResults.FILE);
        if (Files.isRegularFile(ag)) {
            try {
                against = AgainstResults.read(ag);
            } catch (IOException | RuntimeException e) {
                notes.add("The float models' times (" + RAW + "/" + AgainstResults.FILE + ") could not be read: "
                        + e.getMessage());
            }
        }
        return new Inputs(command, started, seconds, machine, jmh, profile, notes, rawFiles, load, against);
    }

    /** Writes ROOFLINE.md and roofline.svg into {@code reportsDir}; returns the summary for the last line. */
    public static Summary write(Inputs in, Path reportsDir) throws IOException {
        Files.createDirectories(reportsDir);
        Analysis a = new Analysis(in);
        String chartError = null;
        try {
            RooflineChart.write(a.roofline, a.stepPoints, a.opPoints, a.gemmPoints, reportsDir.resolve(SVG));
        } catch (IOException | RuntimeException | Error e) {
            chartError = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        Files.writeString(reportsDir.resolve(MARKDOWN), markdown(a, chartError), StandardCharsets.UTF_8);
        return a.summary();
    }

    /** The Markdown of a report (for tests: no file is written, the chart is assumed written). */
    public static String markdown(Inputs in) {
        return markdown(new Analysis(in), null);
    }

    /** The summary for the last line, without writing anything. */
    public static Summary summary(Inputs in) {
        return new Analysis(in).summary();
    }

    /**
     * ModelBenchmark.forward at this many threads and images, at the widest vector width run (the
     * kernels' default), or empty.
     */
    static Optional<JmhResults.Result> modelForward(JmhResults jmh, int threads, int batch) {
        return jmh.find("ModelBenchmark", "forward", "threads", Integer.toString(threads), "batch", Integer.toString(batch))
                .stream().max(Comparator.comparingInt(r -> r.param("vectorBits") == null ? Integer.MAX_VALUE
                        : Integer.parseInt(r.param("vectorBits"))));
    }

    // ------------------------------------------------------------------------------------------------
    // Analysis: the numbers, computed once.

    /** A stage of the forward pass for the prose: a name and its steps. */
    private record Group(String name, List<String> steps) {}

    static final class Analysis {
        final Inputs in;
        final Probes probes;
        final int width;
        final String widthSource;
        final Roofline roofline;
        final List<Roofline.Point> stepPoints = new ArrayList<>();
        final List<Roofline.Point> opPoints = new ArrayList<>();
        /** Per operator point's name: its seconds when only its layer runs (absent when not measured). */
        final Map<String, Double> aloneSeconds = new LinkedHashMap<>();
        final List<Roofline.Point> gemmPoints = new ArrayList<>();
        final Map<String, Roofline.Point> stepByName = new LinkedHashMap<>();
        final List<String> formulaProblems = new ArrayList<>();

        Analysis(Inputs in) {
            this.in = in;
            this.probes = Probes.from(in.jmh(), in.machine());
            if (in.profile() != null && in.profile().vectorBits() > 0) {
                width = in.profile().vectorBits();
                widthSource = "the width the operator profile ran at";
            } else if (in.machine() != null && in.machine().vectorBits() > 0) {
                width = in.machine().vectorBits();
                widthSource = "the kernels' width on this machine";
            } else {
                width = probes.widestMeasured();
                widthSource = "the widest probed";
            }
            roofline = probes.roofline(width);
            if (in.profile() != null) {
                profilePoints(in.profile());
            }
            gemmKernelPoints();
        }

        private void profilePoints(Profile profile) {
            Map<String, Work> stepWork = new LinkedHashMap<>();
            Map<String, Double> stepSet = new LinkedHashMap<>();
            for (Profile.OpTime op : profile.ops()) {
                Work w;
                try {
                    w = Work.of(op);
                } catch (IllegalArgumentException e) {
                    formulaProblems.add(e.getMessage());
                    w = Work.NONE;
                }
                if (w == Work.NONE) {
                    formulaProblems.add(op.step() + "/" + op.op() + ": no formula for kind '" + op.kind()
                            + "'; counted as no work");
                }
                stepWork.merge(op.step(), w, Work::plus);
                stepSet.merge(op.step(), w.bytes(), Math::max);
                opPoints.add(roofline.evaluate(op.step() + "/" + op.op(), op.kind(), w, op.medianNs() * 1e-9, w.bytes()));
                if (Double.isFinite(op.aloneNs())) {
                    aloneSeconds.put(op.step() + "/" + op.op(), op.aloneNs() * 1e-9);
                }
            }
            for (Profile.StepTime s : profile.steps()) {
                Work w = stepWork.getOrDefault(s.step(), Work.NONE);
                // Operators run one after another: a step's working set is its largest operator's.
                double set = stepSet.getOrDefault(s.step(), w.bytes());
                Roofline.Point p = roofline.evaluate(s.step(), s.kind(), w, s.medianNs() * 1e-9, set);
                stepPoints.add(p);
                stepByName.put(s.step(), p);
            }
        }

        /** The binary GEMM kernel benchmarks as points: the best method per shape at the roofline's width. */
        private void gemmKernelPoints() {
            for (String shape : in.jmh().values("BinaryGemmBenchmark", "shape")) {
                bestGemm(shape, width).ifPresent(r -> {
                    int[] s = Shapes.parse(shape, 3);
                    Work w = Work.binaryGemm(s[0], s[1], s[2], false);
                    gemmPoints.add(roofline.evaluate(shape, "binary_gemm kernel", w, r.seconds(), w.bytes()));
                });
            }
        }

        /** The fastest vector GEMM result (vector or vectorPacked) of a shape at a width (any width when 0). */
        Optional<JmhResults.Result> bestGemm(String shape, int bits) {
            return in.jmh().find("BinaryGemmBenchmark", null, "shape", shape).stream()
                    .filter(r -> !r.method().equals("reference"))
                    .filter(r -> bits == 0 || Integer.toString(bits).equals(r.param("vectorBits")))
                    .min(Comparator.comparingDouble(JmhResults.Result::seconds));
        }

        /** ModelBenchmark.forward, batch 1, 1 thread: seconds per image; else the profile's forward median. */
        Summary summary() {
            double model = Double.NaN;
            String source = "missing";
            Optional<JmhResults.Result> fwd = modelForward(in.jmh(), 1, 1);
            if (fwd.isPresent()) {
                model = fwd.get().seconds();
                source = "ModelBenchmark.forward at batch 1 and 1 thread, JMH median";
            } else if (in.profile() != null && Double.isFinite(in.profile().forwardMedianNs())) {
                model = in.profile().forwardMedianNs() * 1e-9 / Math.max(1, in.profile().batch());
                source = "the operator profile's forward median (ModelBenchmark missing)";
            }
            double best = Double.NaN;
            for (String shape : in.jmh().values("BinaryGemmBenchmark", "shape")) {
                int[] s = Shapes.parse(shape, 3);
                Optional<JmhResults.Result> r = bestGemm(shape, 0);
                if (r.isPresent()) {
                    double rate = (double) s[0] * s[1] * s[2] / r.get().seconds();
                    best = Double.isFinite(best) ? Math.max(best, rate) : rate;
                }
            }
            return new Summary(model, best / probes.binaryPeak(0), source);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Markdown

    private static String markdown(Analysis a, String chartError) {
        StringBuilder md = new StringBuilder();
        Inputs in = a.in;
        md.append("# Roofline report\n\n");
        md.append("Produced by `").append(in.command()).append('`');
        if (in.started() != null) {
            md.append(", started ").append(in.started());
        }
        if (Double.isFinite(in.seconds())) {
            md.append(", in ").append(duration(in.seconds()));
        }
        md.append(". Every figure below is computed from the result files in [`raw/`](raw/) of that run; "
                + "times are medians of the measurement iterations (JMH) or of the profiled forward passes, except "
                + "the machine probes, which report their fastest iteration (a ceiling).");
        if (in.load() != null) {
            int cpus = in.machine() == null ? 0 : in.machine().logicalCpus();
            md.append(" Load average ").append(in.load()).append(cpus > 0 ? " (" + cpus + " CPUs)" : "")
                    .append(": a load above the one core a benchmark uses means other processes shared the cores, "
                            + "and the figures are noisier and slower than on an idle machine.");
        }
        md.append("\n\n");
        Summary summary = a.summary();
        md.append("**Model:** ").append(Fmt.ms(summary.modelSeconds())).append(" ms per image (")
                .append(summary.modelSource()).append("). **Best binary GEMM:** ")
                .append(Fmt.pct(summary.gemmPeakFraction())).append(" of the peak binary probe rate.\n\n");

        machine(md, in.machine());
        List<Roofline.Point> over = Stream.of(a.stepPoints, a.opPoints, a.gemmPoints).flatMap(List::stream)
                .filter(p -> p.fraction() > 1.0).toList();
        if (!in.notes().isEmpty() || !a.formulaProblems.isEmpty() || !over.isEmpty()) {
            md.append("## Missing inputs and caveats\n\n");
            for (String n : in.notes()) {
                md.append("- ").append(n).append('\n');
            }
            for (String n : a.formulaProblems) {
                md.append("- Operator profile: ").append(n).append('\n');
            }
            if (!over.isEmpty()) {
                Roofline.Point worst = over.stream().max(Comparator.comparingDouble(Roofline.Point::fraction)).get();
                md.append("- ").append(over.size()).append(over.size() == 1 ? " point runs above its" : " points run above their")
                        .append(" roofline bound (up to ").append(Fmt.pct(worst.fraction())).append(", `")
                        .append(worst.name()).append("`): a ceiling was measured low (probes slowed by other processes "
                                + "on the cores, or a probe short of the true peak), or the formula over-counts the "
                                + "work or under-counts the bytes that reach memory (data reused from a cache level "
                                + "nearer than the working set suggests).\n");
            }
            md.append('\n');
        }
        probes(md, a);
        md.append("## Roofline chart\n\n");
        if (chartError != null) {
            md.append("The chart could not be drawn: ").append(Fmt.cell(chartError)).append("\n\n");
        } else {
            md.append("![roofline](").append(SVG).append(")\n\n");
            md.append("Log-log: operations per byte across, operations per second up. Diagonals: the bandwidth of each "
                    + "level; horizontals: the binary peak (binary MAC/s, for binary points) and the float32 FMA peak "
                    + "(FLOP/s, for float points). One labelled point per step (");
            md.append("`L<i>` = layer.i, `M<s>` = patch_embed<s>, `emb`, `head`), one small point per operator "
                    + "(shape by kind, the slowest few labelled), and the binary GEMM kernel benchmarks.\n\n");
        }
        layers(md, a);
        operators(md, a);
        speedups(md, a);
        against(md, in.against());
        bounds(md, a);
        method(md, a);
        md.append("## Raw files\n\n");
        if (in.rawFiles().isEmpty()) {
            md.append("None.\n");
        } else {
            for (String f : in.rawFiles()) {
                md.append("- [`raw/").append(f).append("`](raw/").append(f).append(")\n");
            }
        }
        return md.toString();
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }

    private static void table(StringBuilder md, List<String> header, List<List<String>> rows) {
        md.append('|');
        for (String h : header) {
            md.append(' ').append(h.startsWith("_") ? h.substring(1) : h).append(" |");
        }
        md.append("\n|");
        for (String h : header) {
            md.append(h.startsWith("_") ? " --- |" : " ---: |");
        }
        md.append('\n');
        for (List<String> row : rows) {
            md.append('|');
            for (String c : row) {
                md.append(' ').append(Fmt.cell(c)).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static void machine(StringBuilder md, Machine m) {
        md.append("## Machine\n\n");
        if (m == null) {
            md.append("Not recorded.\n\n");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("CPU", m.cpuModel() + " (" + m.logicalCpus() + " logical CPUs)"));
        rows.add(List.of("SIMD flags", m.cpuFlags().isEmpty() ? Fmt.NONE : String.join(" ", m.cpuFlags())));
        rows.add(List.of("Caches (cpu0)", m.caches().isEmpty() ? "unknown" : m.caches().stream()
                .map(c -> "L" + c.level() + (c.type().equals("Data") ? "d" : "") + " " + Fmt.size(c.bytes())
                        + (c.sharedBy() > 1 ? " (shared by " + c.sharedBy() + ")" : ""))
                .collect(Collectors.joining(", "))));
        rows.add(List.of("Memory", m.memoryBytes() > 0 ? Fmt.size(m.memoryBytes()) : "unknown"));
        rows.add(List.of("OS", m.os()));
        rows.add(List.of("JDK", m.jdk()));
        rows.add(List.of("Kernels", m.kernels() + (m.vectorBits() > 0 ? "" : " (no vector width)")));
        Map<String, String> b = m.openblas();
        String blas;
        if (m.openblasLoaded()) {
            blas = "OpenBLAS " + b.getOrDefault("version", "?") + ", " + b.getOrDefault("threads", "?") + " thread(s), kernels "
                    + b.getOrDefault("runtime_corename", b.getOrDefault("build_corename", "?"));
            String env = b.entrySet().stream().filter(e -> e.getKey().startsWith("env "))
                    .map(e -> e.getKey().substring(4) + "=" + e.getValue()).sorted().collect(Collectors.joining(" "));
            if (!env.isEmpty()) {
                blas += "; environment " + env;
            }
        } else {
            blas = "not loaded: " + b.getOrDefault("error", "not tried");
        }
        rows.add(List.of("Float baseline", blas));
        table(md, List.of("_", "_"), rows); // an empty header row: a two-column fact sheet
    }

    private static void probes(StringBuilder md, Analysis a) {
        md.append("## Machine probes (one core)\n\n");
        Probes p = a.probes;
        if (!p.hasCompute() && p.bandwidth().isEmpty()) {
            md.append("No probe results: the roofline has no ceilings, and no bound can be computed.\n\n");
            return;
        }
        md.append("Compute: register-resident loops, no memory traffic ([PeakBinaryProbe](../bench/src/main/java/dev/"
                + "binaryvit/bench/PeakBinaryProbe.java): the GEMM's XOR + popcount + add on a 4-token block, `ints` as "
                + "VectorGemm does it, `longs` on 64-bit lanes; [PeakFmaProbe](../bench/src/main/java/dev/binaryvit/"
                + "bench/PeakFmaProbe.java): 12 FMA chains, an FMA counted as 2 FLOP).\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (Probes.Rate r : concat(p.binary(), p.fma())) {
            String unit = r.probe().startsWith("binary") ? "MAC/s" : "FLOP/s";
            rows.add(List.of(r.probe(), r.form(), Integer.toString(r.vectorBits()), Fmt.time(r.seconds()),
                    Fmt.si(r.opsPerCall(), ""), Fmt.si(r.rate(), unit)));
        }
        if (!rows.isEmpty()) {
            table(md, List.of("_probe", "_form", "vector bits", "time per call", "ops per call", "rate"), rows);
        }
        if (!p.bandwidth().isEmpty()) {
            md.append("Bandwidth ([BandwidthProbe](../bench/src/main/java/dev/binaryvit/bench/BandwidthProbe.java)): "
                    + "`read` sums one array, `triad` does `a[i] = b[i] + s*c[i]` (bytes = 2 reads + 1 write, as STREAM; "
                    + "the write-allocate read is not counted).\n\n");
            rows = new ArrayList<>();
            for (Probes.Bandwidth b : p.bandwidth()) {
                rows.add(List.of(b.stream(), Fmt.size(b.kib() * 1024.0), b.level(), Fmt.time(b.seconds()),
                        Fmt.si(b.rate(), "B/s")));
            }
            table(md, List.of("_stream", "working set", "_level", "time per pass", "bandwidth"), rows);
        }
        md.append("### Ceilings used\n\n");
        Roofline r = a.roofline;
        md.append("At ").append(a.width > 0 ? a.width + "-bit vectors (" + a.widthSource + ")" : "an unknown width")
                .append("; each bandwidth is the better of read and triad in that level.\n\n");
        rows = new ArrayList<>();
        rows.add(List.of("binary peak", Fmt.si(r.binaryPeak(), "MAC/s"), "binary GEMMs, attention, and the steps that contain them"));
        rows.add(List.of("float32 peak", Fmt.si(r.floatPeak(), "FLOP/s"), "float GEMMs, packing, elementwise, pooling"));
        for (Roofline.Level l : r.levels()) {
            String holds = l.capacityBytes() == Long.MAX_VALUE ? "larger working sets" : "working sets up to " + Fmt.size(l.capacityBytes());
            String ridge = l.measured()
                    ? "ridge: " + Fmt.sig3(Roofline.ridge(r.binaryPeak(), l.bytesPerSecond())) + " MAC/B, "
                    + Fmt.sig3(Roofline.ridge(r.floatPeak(), l.bytesPerSecond())) + " FLOP/B"
                    : "not measured";
            rows.add(List.of(l.name() + " bandwidth", Fmt.si(l.bytesPerSecond(), "B/s"), holds + "; " + ridge));
        }
        table(md, List.of("_ceiling", "value", "_applies to"), rows);
    }

    @SafeVarargs
    private static <T> List<T> concat(List<? extends T>... lists) {
        List<T> all = new ArrayList<>();
        for (List<? extends T> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    private static List<String> pointCells(Roofline.Point p) {
        return List.of(Fmt.si(p.work().binaryMacs(), ""), Fmt.si(p.work().floatOps(), ""), Fmt.si(p.work().bytes(), "B"),
                p.type() == Roofline.Type.MEMORY ? Fmt.NONE : Fmt.sig3(p.intensity()) + " " + p.type().opUnit + "/B",
                Fmt.si(p.achieved(), p.type().rateUnit), Fmt.si(p.bound(), p.type().rateUnit), Fmt.pct(p.fraction()),
                boundText(p));
    }

    private static String boundText(Roofline.Point p) {
        return switch (p.boundBy()) {
            case "binary peak", "float peak" -> "compute (" + p.boundBy() + ")";
            case "unknown" -> Fmt.NONE;
            default -> "memory (" + p.boundBy() + ")";
        };
    }

    private static void layers(StringBuilder md, Analysis a) {
        md.append("## Per step (layers)\n\n");
        Profile prof = a.in.profile();
        if (prof == null) {
            md.append("Operator profile missing: no per-layer table.\n\n");
            return;
        }
        md.append(prof.model()).append(", batch ").append(prof.batch()).append(", ").append(prof.threads())
                .append(" thread(s), ").append(prof.vectorBits() > 0 ? prof.vectorBits() + "-bit vectors" : "scalar kernels")
                .append(", medians of ").append(prof.runs()).append(" forward passes. A step's counts are the sums of its "
                        + "operators'; it is held against the binary peak when it does binary work. Its working set, which "
                        + "picks the bandwidth, is that of its largest operator.\n\n");
        double total = prof.sumOfStepsNs() * 1e-9;
        List<List<String>> rows = new ArrayList<>();
        for (Roofline.Point p : a.stepPoints) {
            List<String> row = new ArrayList<>();
            row.add(p.name());
            row.add(Fmt.time(p.seconds()));
            row.add(Fmt.pct(p.seconds() / total));
            row.addAll(pointCells(p));
            row.add(topOperator(a, p.name()));
            rows.add(row);
        }
        table(md, List.of("_step", "time", "share", "binary MACs", "float ops", "bytes", "intensity", "achieved",
                "bound", "% of bound", "_bound by", "_slowest operator"), rows);
    }

    private static String topOperator(Analysis a, String step) {
        return a.opPoints.stream().filter(o -> o.name().startsWith(step + "/"))
                .max(Comparator.comparingDouble(Roofline.Point::seconds))
                .map(o -> o.name().substring(step.length() + 1) + " (" + Fmt.time(o.seconds()) + ")").orElse(Fmt.NONE);
    }

    private static void operators(StringBuilder md, Analysis a) {
        md.append("## Per operator\n\n");
        if (a.in.profile() == null) {
            md.append("Operator profile missing: no per-operator table.\n\n");
            return;
        }
        if (a.opPoints.isEmpty()) {
            md.append("The operator profile lists no operators.\n\n");
            return;
        }
        md.append("Summed over all steps, by operator name and kind (an operator that runs in 19 layers is one row); "
                + "the roofline columns hold the sums (total ops over total time, largest working set). "
                + "_Alone_: the same calls when only their layer runs, over and over on its input (its weights and "
                + "buffers stay in the caches, no other layer runs between); _in pass / alone_ above 1 is what the "
                + "walk through the whole model costs the operator, the rest of its gap to the bound is its own.\n\n");
        Map<String, List<Roofline.Point>> byName = new LinkedHashMap<>();
        for (Roofline.Point p : a.opPoints) {
            String op = p.name().substring(p.name().indexOf('/') + 1);
            byName.computeIfAbsent(op + "\u0000" + p.kind(), k -> new ArrayList<>()).add(p);
        }
        double total = a.opPoints.stream().mapToDouble(Roofline.Point::seconds).filter(Double::isFinite).sum();
        /** alone: the sum of the rows' alone times, NaN when a row has none. */
        record Agg(String op, String kind, int count, Roofline.Point sum, double alone) {}
        List<Agg> aggs = new ArrayList<>();
        for (Map.Entry<String, List<Roofline.Point>> e : byName.entrySet()) {
            String[] key = e.getKey().split("\u0000", 2);
            Work w = Work.NONE;
            double seconds = 0;
            double set = 0;
            double alone = 0;
            for (Roofline.Point p : e.getValue()) {
                w = w.plus(p.work());
                seconds += p.seconds();
                set = Math.max(set, p.work().bytes());
                alone += a.aloneSeconds.getOrDefault(p.name(), Double.NaN);
            }
            aggs.add(new Agg(key[0], key[1], e.getValue().size(), a.roofline.evaluate(key[0], key[1], w, seconds, set),
                    alone));
        }
        aggs.sort(Comparator.comparingDouble((Agg g) -> g.sum().seconds()).reversed());
        List<List<String>> rows = new ArrayList<>();
        for (Agg g : aggs) {
            List<String> row = new ArrayList<>();
            row.add(g.op());
            row.add(g.kind());
            row.add(Integer.toString(g.count()));
            row.add(Fmt.time(g.sum().seconds()));
            row.add(Fmt.pct(g.sum().seconds() / total));
            double alone = g.alone();
            row.add(Double.isFinite(alone) ? Fmt.time(alone) : "–");
            row.add(Double.isFinite(alone) ? Fmt.sig3(g.sum().seconds() / alone) + "x" : "–");
            row.addAll(pointCells(g.sum()));
            rows.add(row);
        }
        table(md, List.of("_operator", "_kind", "steps", "time", "share", "alone", "in pass / alone", "binary MACs",
                "float ops", "bytes", "intensity", "achieved", "bound", "% of bound", "_bound by"), rows);

        md.append("<details><summary>Every operator of every step (").append(a.opPoints.size())
                .append(" rows)</summary>\n\n");
        rows = new ArrayList<>();
        for (Roofline.Point p : a.opPoints) {
            List<String> row = new ArrayList<>();
            row.add(p.name());
            row.add(p.kind());
            row.add(Fmt.time(p.seconds()));
            Double alone = a.aloneSeconds.get(p.name());
            row.add(alone != null ? Fmt.time(alone) : "–");
            row.add(alone != null ? Fmt.sig3(p.seconds() / alone) + "x" : "–");
            row.addAll(pointCells(p));
            rows.add(row);
        }
        table(md, List.of("_step/operator", "_kind", "time", "alone", "in pass / alone", "binary MACs", "float ops",
                "bytes", "intensity", "achieved", "bound", "% of bound", "_bound by"), rows);
        md.append("</details>\n\n");
    }

    // ------------------------------------------------------------------------------------------------
    // Speed-ups

    private static void speedups(StringBuilder md, Analysis a) {
        md.append("## Speed-ups\n\n");
        JmhResults jmh = a.in.jmh();
        vectorVsReference(md, jmh);
        gemmVsBlas(md, a);
        forwardVsSteps(md, a);
        threads(md, jmh);
        widths(md, jmh);
    }

    // ------------------------------------------------------------------------------------------------
    // Against float models

    private static void against(StringBuilder md, AgainstResults r) {
        md.append("## Against float models\n\n");
        if (r == null) {
            md.append("Not run: `./binaryvit bench --against MODEL.onnx` times ONNX models with ONNX Runtime "
                    + "against BinaryViT-S.\n\n");
            return;
        }
        Against.Settings s = r.settings();
        md.append(r.binaryVit()).append(r.vectorBits() > 0 ? ", " + r.vectorBits() + "-bit vectors" : "")
                .append(", against each ONNX model run by ONNX Runtime ").append(r.onnxRuntime())
                .append(" (CPU, all graph optimisations, sequential execution, 1 inter-op thread, intra-op threads "
                        + "as the table says) in one JVM, alternating: ")
                .append(s.rounds()).append(s.rounds() == 1 ? " round" : " rounds").append(", in each of which every "
                        + "contender ran ").append(s.imagesPerRound()).append(s.imagesPerRound() == 1 ? " image" : " images")
                .append(" back to back after a pause of ").append(s.pauseMillis()).append(" ms and one untimed image, "
                        + "the order rotating from round to round; before the rounds each contender ran alone until "
                        + "its times were steady (the JIT quiet and the median of one second within 3% of the second "
                        + "before), at least ")
                .append(Fmt.num(s.binaryVitWarmupSeconds())).append(" s for BinaryViT-S and ")
                .append(Fmt.num(s.onnxWarmupSeconds())).append(" s for an ONNX Runtime session")
                .append(r.unsteady().isEmpty() ? "" : "; NOT steady when the cap of " + Fmt.num(Against.MAX_WARMUP_SECONDS)
                        + " s ended the warm-up: " + String.join("; ", r.unsteady()))
                .append(". Times are the medians over the rounds of ms per "
                        + "image; ratio = BinaryViT-S's time / the model's at the same number of threads: below 1.0, "
                        + "BinaryViT-S is faster. BinaryViT-S runs synthetic weights (its time does not depend on them).\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (AgainstResults.Model m : r.models()) {
            String input = m.inputName() + " " + m.declaredShape()
                    + (m.declaredShape().equals(m.shape()) ? "" : ", run at " + m.shape());
            for (int t : r.threads()) {
                rows.add(List.of(m.file(), input, Integer.toString(t), Fmt.sig3(m.median(t)),
                        Fmt.sig3(r.binaryVitMedian(t)), Fmt.sig3(r.ratio(m, t))));
            }
        }
        table(md, List.of("_model", "_input", "threads", "model ms/image", "BinaryViT-S ms/image", "ratio"), rows);
        List<String> cores = r.threads().stream().filter(t -> Double.isFinite(r.coresAt(t)))
                .map(t -> Fmt.sig3(r.coresAt(t)) + " at " + t + (t == 1 ? " thread" : " threads")).toList();
        if (!cores.isEmpty()) {
            md.append("Cores the process got while the contenders ran (its CPU time over the wall time of the timed "
                    + "blocks): ").append(String.join(", ", cores)).append(". On an idle machine these are about the "
                            + "thread counts; fewer means other processes held the cores, and the times above are "
                            + "slowed by them, not by the contenders (the ratios less so, as the contenders alternate, "
                            + "but a starved JIT or a slow spell within a block still skews them).\n\n");
        }
    }

    private static String paramText(Map<String, String> params, String... skip) {
        List<String> s = List.of(skip);
        return params.entrySet().stream().filter(e -> !s.contains(e.getKey())).map(e -> e.getKey() + "=" + e.getValue())
                .sorted().collect(Collectors.joining(" "));
    }

    private static void vectorVsReference(StringBuilder md, JmhResults jmh) {
        md.append("### Vector kernels against the scalar reference\n\n");
        List<List<String>> rows = new ArrayList<>();
        List<String> classes = jmh.all().stream().map(JmhResults.Result::className).distinct().sorted().toList();
        for (String cls : classes) {
            for (JmhResults.Result ref : jmh.find(cls, "reference")) {
                for (JmhResults.Result fast : jmh.find(cls, null)) {
                    if (fast.method().equals("reference") || !agrees(fast, ref)) {
                        continue;
                    }
                    if (fast.param("threads") != null && !fast.param("threads").equals("1")
                            && ref.param("threads") == null) {
                        continue; // one core against one core
                    }
                    rows.add(List.of(cls, fast.method(), paramText(fast.params()), Fmt.time(ref.seconds()),
                            Fmt.time(fast.seconds()), Fmt.times(ref.seconds() / fast.seconds())));
                }
            }
        }
        // The whole model's scalar path has a class of its own: one image, one thread.
        for (JmhResults.Result ref : jmh.find("ModelReferenceBenchmark", "reference")) {
            modelForward(jmh, 1, 1).ifPresent(fast -> rows.add(List.of("ModelBenchmark", fast.method(),
                    paramText(fast.params()), Fmt.time(ref.seconds()), Fmt.time(fast.seconds()),
                    Fmt.times(ref.seconds() / fast.seconds()))));
        }
        if (rows.isEmpty()) {
            md.append("No reference results in this run.\n\n");
        } else {
            table(md, List.of("_benchmark", "_vector method", "_params", "reference", "vector", "speed-up"), rows);
        }
    }

    /** True when every parameter of {@code ref} has the same value in {@code r}. */
    private static boolean agrees(JmhResults.Result r, JmhResults.Result ref) {
        for (Map.Entry<String, String> e : ref.params().entrySet()) {
            if (!e.getValue().equals(r.param(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static void gemmVsBlas(StringBuilder md, Analysis a) {
        md.append("### Binary GEMM against OpenBLAS sgemm (float32, one thread)\n\n");
        JmhResults jmh = a.in.jmh();
        Machine m = a.in.machine();
        boolean blas = jmh.hasClass("FloatGemmBaseline");
        if (!blas) {
            md.append(m != null && !m.openblasLoaded()
                    ? "No OpenBLAS results: the natives did not load (" + Fmt.cell(m.openblas().getOrDefault("error", "?")) + ").\n\n"
                    : "No OpenBLAS results in this run.\n\n");
        }
        List<String> shapes = new ArrayList<>(jmh.values("BinaryGemmBenchmark", "shape"));
        for (String s : jmh.values("FloatGemmBaseline", "shape")) {
            if (!shapes.contains(s)) {
                shapes.add(s);
            }
        }
        if (shapes.isEmpty()) {
            md.append("No GEMM results in this run.\n\n");
            return;
        }
        md.append("Same logical shape N x K x M: the binary GEMM multiplies K-bit rows, sgemm K-float rows. Binary: the "
                + "fastest vector method (`vector` = int dots, `vectorPacked` = fused epilogue to sign bits) at each width. "
                + "% of bound is against the roofline at ").append(a.width).append(" bits.\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (String shape : shapes) {
            int[] s = Shapes.parse(shape, 3);
            double macs = (double) s[0] * s[1] * s[2];
            Optional<JmhResults.Result> b512 = a.bestGemm(shape, 512);
            Optional<JmhResults.Result> b256 = a.bestGemm(shape, 256);
            Optional<JmhResults.Result> best = a.bestGemm(shape, 0);
            Optional<JmhResults.Result> sg = jmh.one("FloatGemmBaseline", "sgemm", "shape", shape);
            double bt = best.map(JmhResults.Result::seconds).orElse(Double.NaN);
            double st = sg.map(JmhResults.Result::seconds).orElse(Double.NaN);
            Roofline.Point point = a.gemmPoints.stream().filter(p -> p.name().equals(shape)).findFirst().orElse(null);
            rows.add(List.of(shape, b512.map(r -> Fmt.time(r.seconds()) + " (" + r.method() + ")").orElse(Fmt.NONE),
                    b256.map(r -> Fmt.time(r.seconds()) + " (" + r.method() + ")").orElse(Fmt.NONE),
                    Fmt.time(st), Fmt.times(st / bt), Fmt.si(macs / bt, "MAC/s"), Fmt.si(2 * macs / st, "FLOP/s"),
                    point == null ? Fmt.NONE : Fmt.pct(point.fraction()),
                    point == null ? Fmt.NONE : boundText(point)));
        }
        table(md, List.of("_shape NxKxM", "_binary 512-bit", "_binary 256-bit", "sgemm", "speed-up", "binary rate",
                "sgemm rate", "binary % of bound", "_bound by"), rows);
    }

    private static void forwardVsSteps(StringBuilder md, Analysis a) {
        md.append("### Forward pass against the sum of its steps\n\n");
        Profile p = a.in.profile();
        Optional<JmhResults.Result> fwd = modelForward(a.in.jmh(), 1, 1);
        if (p == null && fwd.isEmpty()) {
            md.append("Neither the operator profile nor ModelBenchmark ran: nothing to compare.\n\n");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        double steps = p == null ? Double.NaN : p.sumOfStepsNs() * 1e-9 / Math.max(1, p.batch());
        if (p != null) {
            double forward = p.forwardMedianNs() * 1e-9 / Math.max(1, p.batch());
            rows.add(List.of("operator profile: forward median", Fmt.time(forward), Fmt.time(steps),
                    Fmt.times(forward / steps)));
            double ops = p.ops().stream().mapToDouble(Profile.OpTime::medianNs).filter(Double::isFinite).sum() * 1e-9
                    / Math.max(1, p.batch());
            rows.add(List.of("operator profile: sum of operators", Fmt.time(ops), Fmt.time(steps), Fmt.times(ops / steps)));
        }
        fwd.ifPresent(r -> rows.add(List.of("ModelBenchmark.forward (batch 1, 1 thread)", Fmt.time(r.seconds()),
                Fmt.time(steps), Fmt.times(r.seconds() / steps))));
        table(md, List.of("_measured", "time per image", "sum of step medians", "ratio"), rows);
        md.append("A ratio above 1 is time outside the steps (or, for the operators, inside a step but outside "
                + "its operators: copies, the timing itself); below 1, the medians of separate steps do not add up "
                + "to one run's median.\n\n");
        if (!a.in.jmh().hasClass("ModelBenchmark")) {
            md.append("ModelBenchmark missing from this run.\n\n");
        }
    }

    private static void threads(StringBuilder md, JmhResults jmh) {
        md.append("### 2 threads against 1\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (JmhResults.Result one : jmh.find("ModelBenchmark", "forward", "threads", "1")) {
            String batch = one.param("batch");
            List<String> pairs = new ArrayList<>();
            for (Map.Entry<String, String> e : one.params().entrySet()) {
                if (!e.getKey().equals("threads")) {
                    pairs.add(e.getKey());
                    pairs.add(e.getValue());
                }
            }
            pairs.add("threads");
            pairs.add("2");
            jmh.one("ModelBenchmark", "forward", pairs.toArray(String[]::new)).ifPresent(two -> {
                double images = batch == null ? 1 : Double.parseDouble(batch);
                rows.add(List.of("ModelBenchmark.forward", paramText(one.params(), "threads"),
                        Fmt.time(one.seconds() / images), Fmt.time(two.seconds() / images),
                        Fmt.times(one.seconds() / two.seconds())));
            });
        }
        if (rows.isEmpty()) {
            md.append("No 1- and 2-thread pair of ModelBenchmark.forward in this run.\n\n");
        } else {
            table(md, List.of("_benchmark", "_params", "1 thread, per image", "2 threads, per image", "speed-up"), rows);
        }
    }

    private static void widths(StringBuilder md, JmhResults jmh) {
        md.append("### 256-bit against 512-bit vectors\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (JmhResults.Result w512 : jmh.sorted()) {
            if (!"512".equals(w512.param("vectorBits")) || w512.method().equals("reference")) {
                continue;
            }
            List<String> pairs = new ArrayList<>();
            for (Map.Entry<String, String> e : w512.params().entrySet()) {
                pairs.add(e.getKey());
                pairs.add(e.getKey().equals("vectorBits") ? "256" : e.getValue());
            }
            jmh.one(w512.className(), w512.method(), pairs.toArray(String[]::new)).ifPresent(w256 -> {
                double ratio = w256.seconds() / w512.seconds();
                String note = w512.className().startsWith("Peak") ? "probe: same work per call scaled by width" : "";
                if (w512.className().startsWith("Peak")) {
                    // The probes do width-proportional work per call: compare rates.
                    double r512 = w512.className().equals("PeakFmaProbe") ? PeakFmaProbe.flops(512) / w512.seconds()
                            : PeakBinaryProbe.binaryMacs(512) / w512.seconds();
                    double r256 = w512.className().equals("PeakFmaProbe") ? PeakFmaProbe.flops(256) / w256.seconds()
                            : PeakBinaryProbe.binaryMacs(256) / w256.seconds();
                    ratio = r512 / r256;
                    note = "rates: " + Fmt.si(r256, "") + " / " + Fmt.si(r512, "") + " per s";
                }
                rows.add(List.of(w512.className() + "." + w512.method(), paramText(w512.params(), "vectorBits"),
                        Fmt.time(w256.seconds()), Fmt.time(w512.seconds()), Fmt.times(ratio), note));
            });
        }
        if (rows.isEmpty()) {
            md.append("No 256/512-bit pairs in this run.\n\n");
        } else {
            md.append("Speed-up of 512-bit over 256-bit vectors (above 1: 512 is faster). On Zen 4 a 512-bit "
                    + "instruction runs as two 256-bit halves, so the two can be close.\n\n");
            table(md, List.of("_benchmark", "_params", "256-bit", "512-bit", "512 over 256", "_note"), rows);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Prose

    private static List<Group> groups(Profile p) {
        Map<String, List<String>> g = new LinkedHashMap<>();
        for (Profile.StepTime s : p.steps()) {
            String name = switch (s.kind()) {
                case "layer" -> "Stage " + (s.stage() >= 0 ? s.stage() : "?") + " layers";
                case "merge" -> "Patch merging";
                case "embeddings" -> "Patch embedding";
                case "head" -> "Head";
                default -> s.kind();
            };
            g.computeIfAbsent(name, k -> new ArrayList<>()).add(s.step());
        }
        return g.entrySet().stream().map(e -> new Group(e.getKey(), e.getValue())).toList();
    }

    private static void bounds(StringBuilder md, Analysis a) {
        md.append("## What bounds each stage\n\n");
        Profile p = a.in.profile();
        if (p == null) {
            md.append("Operator profile missing: the stages cannot be analysed.\n\n");
            return;
        }
        double total = p.sumOfStepsNs() * 1e-9;
        for (Group g : groups(p)) {
            List<Roofline.Point> steps = g.steps().stream().map(a.stepByName::get).filter(x -> x != null).toList();
            double time = steps.stream().mapToDouble(Roofline.Point::seconds).filter(Double::isFinite).sum();
            List<Roofline.Point> ops = a.opPoints.stream()
                    .filter(o -> g.steps().contains(o.name().substring(0, Math.max(0, o.name().indexOf('/')))))
                    .toList();
            Profile.StepTime first = p.steps().stream().filter(s -> s.step().equals(g.steps().get(0))).findFirst().orElse(null);
            md.append("- **").append(g.name()).append("** (").append(g.steps().size()).append(g.steps().size() == 1 ? " step" : " steps");
            if (first != null && first.tokens() > 0 && first.channels() > 0) {
                md.append(", ").append(first.tokens()).append(" tokens x ").append(first.channels()).append(" channels");
            }
            md.append("): ").append(Fmt.time(time)).append(", ").append(Fmt.pct(time / total)).append(" of the steps. ");
            Map<String, Long> verdicts = steps.stream().collect(Collectors.groupingBy(s -> boundText(s),
                    LinkedHashMap::new, Collectors.counting()));
            md.append("Roofline: ").append(verdicts.entrySet().stream().map(e -> e.getKey()
                    + (steps.size() > 1 ? " for " + e.getValue() + " of " + steps.size() : ""))
                    .collect(Collectors.joining(", ")));
            double fracMed = median(steps.stream().mapToDouble(Roofline.Point::fraction).filter(Double::isFinite).toArray());
            md.append(", reached ").append(Fmt.pct(fracMed)).append(steps.size() > 1 ? " of it (median). " : ". ");
            if (!ops.isEmpty()) {
                double opTime = ops.stream().mapToDouble(Roofline.Point::seconds).filter(Double::isFinite).sum();
                md.append("Its operators account for ").append(Fmt.pct(opTime / time)).append(" of that time. ");
                Map<String, Double> byKind = ops.stream().collect(Collectors.groupingBy(Roofline.Point::kind,
                        LinkedHashMap::new, Collectors.summingDouble(Roofline.Point::seconds)));
                md.append("Time by kind: ").append(byKind.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .map(e -> e.getKey() + " " + Fmt.pct(e.getValue() / opTime))
                        .collect(Collectors.joining(", "))).append(". ");
                Map<String, Double> byOp = ops.stream().collect(Collectors.groupingBy(
                        o -> o.name().substring(o.name().indexOf('/') + 1), LinkedHashMap::new,
                        Collectors.summingDouble(Roofline.Point::seconds)));
                md.append("Slowest operators: ").append(byOp.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(3)
                        .map(e -> "`" + e.getKey() + "` " + Fmt.pct(e.getValue() / opTime))
                        .collect(Collectors.joining(", "))).append(". ");
                List<Roofline.Point> binary = ops.stream().filter(o -> Work.BINARY_KINDS.contains(o.kind())).toList();
                if (!binary.isEmpty()) {
                    double bf = median(binary.stream().mapToDouble(Roofline.Point::fraction).filter(Double::isFinite).toArray());
                    Map<String, Long> bb = binary.stream().collect(Collectors.groupingBy(RooflineReport::boundText,
                            LinkedHashMap::new, Collectors.counting()));
                    md.append("Its binary operators (GEMMs, attention) reach ").append(Fmt.pct(bf))
                            .append(" of their bound (median); bound by ").append(bb.entrySet().stream()
                                    .map(e -> e.getKey() + " for " + e.getValue() + " of " + binary.size())
                                    .collect(Collectors.joining(", "))).append(". ");
                }
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static double median(double[] v) {
        return JmhResults.median(v);
    }

    private static void method(StringBuilder md, Analysis a) {
        md.append("## How the numbers are made\n\n");
        md.append("""
                Operations and bytes are counted by formula from each operator's kind and dimensions (`Work`):

                | kind | binary MACs | float ops | bytes |
                | --- | --- | --- | --- |
                | `binary_gemm` (n, k bits, m) | n k m | 6 n m (epilogue) | 8 n ceil(k/64) + 8 m ceil(k/64) + 4 n m, + 4 n m with a residual |
                | `mlp` (n, c, i, pool): fc1 (c bits to i) and fc2 (i bits to c) | 2 n c i | 7 n i + 6 n c (epilogues, pool) | 8 n ceil(c/64) + 8 i ceil(c/64) + 8 c ceil(i/64) + 8 n ceil(i/64) + 16 n c |
                | `pack` (rows, cols) | 0 | rows cols | 4 rows cols + 8 rows ceil(cols/64) |
                | `attention` (batch, n, nkv, channels, heads; d = channels/heads) | batch heads (n nkv d + n nkv d) (XNOR scores, AND values) | 0 (softmax not counted) | batch (n channels/8 + 2 nkv channels/8 + 4 n channels) |
                | `float_gemm` (n, k, m) | 0 | 2 n k m | 4 (n k + k m + n m) |
                | `elementwise`, `pool` (elements, reads, writes, flops_per_element) | 0 | elements flops_per_element | 4 elements (reads + writes) |

                A step (layer) is the sum of its operators. Then, per point:

                - **type**: binary if it does binary MACs, else float; its ops are the binary MACs or the float ops, and the other kind of work is listed but not held against a ceiling;
                - **intensity** = ops / bytes;
                - **level**: the smallest cache that holds the working set (the operator's bytes; for a step, its largest operator's), with the cache sizes of cpu0 (DRAM beyond L3);
                - **bound** = min(peak of the type, intensity x bandwidth of the level): the roofline;
                - **achieved** = ops / median time, and **% of bound** = achieved / bound;
                - **bound by**: compute when the peak is the smaller term, else memory at that level.

                Peaks and bandwidths are one core's, measured by the probes in the same run; binary MAC/s and FLOP/s are
                different units, so each point is held only against the ceiling of its own type.
                `gemm_peak_fraction` (last line of `bench`) = the best binary GEMM rate of `BinaryGemmBenchmark`
                (n k m / median time, any shape, method and width) / the best binary probe rate (any form and width).
                `model_ms` = `ModelBenchmark.forward` at batch 1 and 1 thread, median ms per image.

                """);
    }
}
