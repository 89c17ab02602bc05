package dev.binaryvit.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Draws the roofline as SVG with JFreeChart onto JFreeSVG's Graphics2D, headless: log-log,
 * intensity (ops/byte) across and rate (ops/s) up; a bandwidth diagonal per memory level, the
 * binary and float peaks as horizontals, a labelled point per step, a small point per operator
 * (shape and colour by kind; the slowest few labelled) and the binary GEMM kernel benchmarks.
 */
public final class RooflineChart {

    static final int WIDTH = 1200;
    static final int HEIGHT = 800;
    /** Operators labelled by name: the slowest ones. */
    static final int LABELLED_OPERATORS = 5;

    private static final Color[] LEVEL_COLORS = {new Color(0x1f77b4), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0xd62728), new Color(0x9467bd)};
    private static final Color[] KIND_COLORS = {new Color(0x17becf), new Color(0xbcbd22), new Color(0x8c564b),
        new Color(0xe377c2), new Color(0x7f7f7f), new Color(0x9467bd), new Color(0x1f77b4), new Color(0xff7f0e)};

    private RooflineChart() {}

    /** Writes the chart; points with no finite intensity or rate are left out. */
    public static void write(Roofline roofline, List<Roofline.Point> steps, List<Roofline.Point> ops,
                             List<Roofline.Point> kernels, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        JFreeChart chart = chart(roofline, steps, ops, kernels);
        SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g2, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
        Files.writeString(file, g2.getSVGDocument(), StandardCharsets.UTF_8);
    }

    static boolean plottable(Roofline.Point p) {
        return p.type() != Roofline.Type.MEMORY && Double.isFinite(p.intensity()) && p.intensity() > 0
                && Double.isFinite(p.achieved()) && p.achieved() > 0;
    }

    /** {@code layer.3} -> {@code L3}, {@code patch_embed2} -> {@code M2}, {@code embeddings} -> {@code emb}. */
    static String shortName(String step) {
        if (step.startsWith("layer.")) {
            return "L" + step.substring("layer.".length());
        }
        if (step.startsWith("patch_embed")) {
            return "M" + step.substring("patch_embed".length());
        }
        if (step.equals("embeddings")) {
            return "emb";
        }
        return step;
    }

    static JFreeChart chart(Roofline roofline, List<Roofline.Point> steps, List<Roofline.Point> ops,
                            List<Roofline.Point> kernels) {
        List<Roofline.Point> all = new ArrayList<>();
        for (List<Roofline.Point> l : List.of(steps, ops, kernels)) {
            l.stream().filter(RooflineChart::plottable).forEach(all::add);
        }
        double peakMax = max(roofline.binaryPeak(), roofline.floatPeak());
        double peakMin = min(roofline.binaryPeak(), roofline.floatPeak());
        // x: the points and the ridges, padded; y: the points and the peaks, padded.
        double xMin = Double.NaN;
        double xMax = Double.NaN;
        double yMin = Double.NaN;
        double yMax = peakMax;
        for (Roofline.Point p : all) {
            xMin = min(xMin, p.intensity());
            xMax = max(xMax, p.intensity());
            yMin = min(yMin, p.achieved());
            yMax = max(yMax, p.achieved());
        }
        for (Roofline.Level l : roofline.levels()) {
            if (l.measured()) {
                xMax = max(xMax, Roofline.ridge(peakMax, l.bytesPerSecond()));
                xMin = min(xMin, Roofline.ridge(peakMin, l.bytesPerSecond()));
            }
        }
        if (!Double.isFinite(xMin)) {
            xMin = 0.01;
            xMax = 1000;
        }
        if (!Double.isFinite(yMin)) {
            yMin = Double.isFinite(peakMin) ? peakMin / 1000 : 1e6;
            yMax = Double.isFinite(peakMax) ? peakMax : 1e12;
        }
        xMin = decadeBelow(xMin / 2);
        xMax = decadeAbove(xMax * 2);
        yMin = decadeBelow(yMin / 2);
        yMax = decadeAbove(yMax * 2);

        XYSeriesCollection ceilings = new XYSeriesCollection();
        XYLineAndShapeRenderer ceilingRenderer = new XYLineAndShapeRenderer(true, false);
        List<XYTextAnnotation> labels = new ArrayList<>();
        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        Font tiny = new Font(Font.SANS_SERIF, Font.PLAIN, 9);
        int s = 0;
        for (Roofline.Level l : roofline.levels()) {
            if (!l.measured()) {
                continue;
            }
            double bw = l.bytesPerSecond();
            // The diagonal from the left edge up to where it meets the highest peak.
            double x1 = Double.isFinite(peakMax) ? Math.min(xMax, peakMax / bw) : xMax;
            XYSeries d = new XYSeries(l.name() + " " + Fmt.si(bw, "B/s"), false, true);
            d.add(xMin, xMin * bw);
            d.add(x1, x1 * bw);
            ceilings.addSeries(d);
            ceilingRenderer.setSeriesPaint(s, LEVEL_COLORS[s % LEVEL_COLORS.length]);
            ceilingRenderer.setSeriesStroke(s, new BasicStroke(1.5f));
            // Labels staggered up the chart, so that levels of similar bandwidth do not overprint.
            double ly = yMin * 4 * Math.pow(3, s);
            double lx = Math.min(x1 / 2, Math.max(xMin * 2, ly / bw));
            XYTextAnnotation t = new XYTextAnnotation(l.name() + " " + Fmt.si(bw, "B/s"), lx, lx * bw);
            t.setFont(small);
            t.setPaint(LEVEL_COLORS[s % LEVEL_COLORS.length]);
            t.setTextAnchor(TextAnchor.BOTTOM_RIGHT);
            labels.add(t);
            s++;
        }
        for (Roofline.Type type : new Roofline.Type[] {Roofline.Type.BINARY, Roofline.Type.FLOAT}) {
            double peak = roofline.peak(type);
            if (!Double.isFinite(peak)) {
                continue;
            }
            String name = (type == Roofline.Type.BINARY ? "binary peak " : "float32 FMA peak ") + Fmt.si(peak, type.rateUnit);
            XYSeries h = new XYSeries(name, false, true);
            h.add(xMin, peak);
            h.add(xMax, peak);
            ceilings.addSeries(h);
            ceilingRenderer.setSeriesPaint(s, Color.BLACK);
            ceilingRenderer.setSeriesStroke(s, type == Roofline.Type.BINARY ? new BasicStroke(2.5f)
                    : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f));
            XYTextAnnotation t = new XYTextAnnotation(name, xMax / 1.3, peak * 1.08);
            t.setFont(small);
            t.setTextAnchor(TextAnchor.BOTTOM_RIGHT);
            labels.add(t);
            s++;
        }

        XYSeriesCollection points = new XYSeriesCollection();
        XYLineAndShapeRenderer pointRenderer = new XYLineAndShapeRenderer(false, true);
        int ps = 0;
        // Steps: a series per type, labelled.
        for (Roofline.Type type : new Roofline.Type[] {Roofline.Type.BINARY, Roofline.Type.FLOAT}) {
            XYSeries series = new XYSeries("steps (" + type.rateUnit + ")", false, true);
            List<Roofline.Point> typed = steps.stream().filter(p -> plottable(p) && p.type() == type).toList();
            typed.forEach(p -> series.add(p.intensity(), p.achieved()));
            // Layers of one stage do the same work and land on top of each other: one label per cluster.
            for (List<Roofline.Point> cluster : clusters(typed)) {
                Roofline.Point top = cluster.stream().max(Comparator.comparingDouble(Roofline.Point::achieved)).get();
                XYTextAnnotation t = new XYTextAnnotation(clusterName(cluster.stream().map(p -> shortName(p.name())).toList()),
                        top.intensity() * 1.12, top.achieved());
                t.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 10));
                t.setTextAnchor(TextAnchor.CENTER_LEFT);
                labels.add(t);
            }
            if (series.getItemCount() > 0) {
                points.addSeries(series);
                pointRenderer.setSeriesPaint(ps, type == Roofline.Type.BINARY ? new Color(0xd62728) : new Color(0x1f77b4));
                pointRenderer.setSeriesShape(ps, type == Roofline.Type.BINARY ? new Ellipse2D.Double(-5, -5, 10, 10)
                        : new Rectangle2D.Double(-5, -5, 10, 10));
                ps++;
            }
        }
        // Operators: a series per kind.
        Map<String, XYSeries> byKind = new LinkedHashMap<>();
        for (Roofline.Point p : ops) {
            if (plottable(p)) {
                byKind.computeIfAbsent(p.kind(), k -> new XYSeries("operators: " + k, false, true))
                        .add(p.intensity(), p.achieved());
            }
        }
        Shape[] shapes = DefaultDrawingSupplier.createStandardSeriesShapes();
        int k = 0;
        for (XYSeries series : byKind.values()) {
            points.addSeries(series);
            Color c = KIND_COLORS[k % KIND_COLORS.length];
            pointRenderer.setSeriesPaint(ps, new Color(c.getRed(), c.getGreen(), c.getBlue(), 170));
            pointRenderer.setSeriesShape(ps, scaled(shapes[(k + 2) % shapes.length], 0.6));
            ps++;
            k++;
        }
        // The slowest operators by name, summed over the steps they run in; one label per name and cluster.
        Map<String, Double> byName = new LinkedHashMap<>();
        ops.stream().filter(RooflineChart::plottable).forEach(p -> byName.merge(opName(p), p.seconds(), Double::sum));
        List<String> slowest = byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(LABELLED_OPERATORS).map(Map.Entry::getKey).toList();
        for (String name : slowest) {
            List<Roofline.Point> same = ops.stream().filter(p -> plottable(p) && opName(p).equals(name)).toList();
            // Only the cluster with the most time: one label per operator name keeps the chart readable.
            List<Roofline.Point> cluster = clusters(same).stream().max(Comparator.comparingDouble(
                    c -> c.stream().mapToDouble(Roofline.Point::seconds).sum())).orElse(List.of());
            if (!cluster.isEmpty()) {
                Roofline.Point top = cluster.stream().max(Comparator.comparingDouble(Roofline.Point::seconds)).get();
                String where = clusterName(cluster.stream().map(p -> shortName(stepOf(p))).toList());
                XYTextAnnotation t = new XYTextAnnotation(name + " " + where, top.intensity() / 1.1, top.achieved());
                t.setFont(tiny);
                t.setPaint(Color.DARK_GRAY);
                t.setTextAnchor(TextAnchor.CENTER_RIGHT);
                labels.add(t);
            }
        }
        XYSeries gemm = new XYSeries("binary GEMM kernel benchmarks", false, true);
        kernels.stream().filter(RooflineChart::plottable).forEach(p -> gemm.add(p.intensity(), p.achieved()));
        if (gemm.getItemCount() > 0) {
            points.addSeries(gemm);
            pointRenderer.setSeriesPaint(ps, new Color(0x2ca02c));
            pointRenderer.setSeriesShape(ps, ShapeUtils.createDiamond(5));
            ps++;
        }

        LogAxis x = logAxis("intensity (binary MAC or FLOP per byte moved)", xMin, xMax);
        LogAxis y = logAxis("rate (binary MAC/s or FLOP/s)", yMin, yMax);
        XYPlot plot = new XYPlot(points, x, y, pointRenderer);
        plot.setDataset(1, ceilings);
        plot.setRenderer(1, ceilingRenderer);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        for (XYTextAnnotation t : labels) {
            plot.addAnnotation(t);
        }
        JFreeChart chart = new JFreeChart("Roofline, one core", new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static String opName(Roofline.Point p) {
        int slash = p.name().indexOf('/');
        return slash < 0 ? p.name() : p.name().substring(slash + 1);
    }

    private static String stepOf(Roofline.Point p) {
        int slash = p.name().indexOf('/');
        return slash < 0 ? p.name() : p.name().substring(0, slash);
    }

    /** Points within 10% of each other in both intensity and rate, in order of first appearance. */
    static List<List<Roofline.Point>> clusters(List<Roofline.Point> points) {
        List<List<Roofline.Point>> clusters = new ArrayList<>();
        for (Roofline.Point p : points) {
            List<Roofline.Point> home = null;
            for (List<Roofline.Point> c : clusters) {
                Roofline.Point q = c.get(0);
                if (Math.abs(Math.log(p.intensity() / q.intensity())) < 0.1
                        && Math.abs(Math.log(p.achieved() / q.achieved())) < 0.1) {
                    home = c;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                clusters.add(home);
            }
            home.add(p);
        }
        return clusters;
    }

    /** {@code [L7, L8, L9]} -> {@code L7-9}; up to three others joined with commas; more: first..last (count). */
    static String clusterName(List<String> names) {
        if (names.size() == 1) {
            return names.get(0);
        }
        boolean layers = names.stream().allMatch(n -> n.matches("L\\d+"));
        if (layers) {
            int[] ids = names.stream().mapToInt(n -> Integer.parseInt(n.substring(1))).sorted().toArray();
            if (ids[ids.length - 1] - ids[0] == ids.length - 1) {
                return "L" + ids[0] + "-" + ids[ids.length - 1];
            }
        }
        return names.size() <= 3 ? String.join(",", names)
                : names.get(0) + ".." + names.get(names.size() - 1) + " (" + names.size() + ")";
    }

    private static LogAxis logAxis(String label, double lo, double hi) {
        LogAxis a = new LogAxis(label);
        a.setBase(10);
        a.setSmallestValue(1e-12);
        a.setRange(lo, hi);
        a.setTickUnit(new NumberTickUnit(1));
        a.setNumberFormatOverride(new DecimalFormat("0.#E0"));
        a.setMinorTickCount(9);
        a.setMinorTickMarksVisible(true);
        return a;
    }

    private static Shape scaled(Shape shape, double f) {
        return java.awt.geom.AffineTransform.getScaleInstance(f, f).createTransformedShape(shape);
    }

    private static double decadeBelow(double v) {
        return Math.pow(10, Math.floor(Math.log10(v)));
    }

    private static double decadeAbove(double v) {
        return Math.pow(10, Math.ceil(Math.log10(v)));
    }

    private static double min(double a, double b) {
        return Double.isFinite(a) ? (Double.isFinite(b) ? Math.min(a, b) : a) : b;
    }

    private static double max(double a, double b) {
        return Double.isFinite(a) ? (Double.isFinite(b) ? Math.max(a, b) : a) : b;
    }
}
