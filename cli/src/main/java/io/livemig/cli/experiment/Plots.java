package io.livemig.cli.experiment;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's charts, as PNG files. The caller makes sure AWT runs headless (see
 * {@link Report}). Every chart is written even without data (JFreeChart then draws "no data"),
 * so the report's list of plots is the same for every experiment.
 */
final class Plots {

    static final String DOWNTIME = "downtime-vs-dirty-rate.png";
    static final String EXTERNAL_DOWNTIME = "external-downtime-vs-dirty-rate.png";
    static final String TOTAL_TIME = "total-time-vs-dirty-rate.png";
    static final String BYTES_OVER_MEMORY = "bytes-over-memory.png";
    static final String REMAINING = "remaining-per-iteration.png";
    static final String THROUGHPUT = "guest-throughput.png";

    /** The plots and their captions, in the order the report lists them. */
    static final Map<String, String> ALL = orderedMap(
            DOWNTIME, "Downtime (hypervisor) vs dirty rate",
            EXTERNAL_DOWNTIME, "Downtime measured by ping vs dirty rate",
            TOTAL_TIME, "Total migration time vs dirty rate",
            BYTES_OVER_MEMORY, "Bytes transferred / guest memory",
            REMAINING, "Bytes remaining per iteration (representative runs)",
            THROUGHPUT, "Guest write throughput over time (representative runs)");

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    /** precopy, stopcopy, postcopy, auto (as {@link ExperimentSpec#MODES}): blue, purple, green, orange. */
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0x9467bd), new Color(0x2ca02c),
        new Color(0xff7f0e)};

    private Plots() {}

    /** Writes every plot into {@code plotsDir}, from the runs outside the warm-up. */
    static void writeAll(Path plotsDir, List<RunResult> measured) {
        try {
            Files.createDirectories(plotsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + plotsDir + ": " + e.getMessage(), e);
        }
        boolean manyLinks = measured.stream().map(r -> r.plan().linkMibps()).distinct().count() > 1;
        save(plotsDir.resolve(DOWNTIME), medianByDirtyRate("Downtime (hypervisor)", "downtime ms", measured, manyLinks,
                r -> r.downtimeMs()));
        save(plotsDir.resolve(EXTERNAL_DOWNTIME), medianByDirtyRate("Downtime (longest ping gap)", "downtime ms",
                measured, manyLinks, Stats::externalDowntimeMs));
        save(plotsDir.resolve(TOTAL_TIME), medianByDirtyRate("Total migration time", "total ms", measured, manyLinks,
                r -> r.totalMs()));
        save(plotsDir.resolve(BYTES_OVER_MEMORY), bytesOverMemory(measured));
        Map<String, RunResult> representatives = representatives(measured);
        save(plotsDir.resolve(REMAINING), remainingPerIteration(representatives));
        save(plotsDir.resolve(THROUGHPUT), guestThroughput(representatives));
    }

    /**
     * One run per mode label to show series of: the first run (by index) of the mode at the
     * highest dirty rate the mode ran at, where the modes differ most. In legend order.
     */
    static Map<String, RunResult> representatives(List<RunResult> measured) {
        Map<String, RunResult> chosen = new TreeMap<>(Stats.LABEL_ORDER);
        Map<String, List<RunResult>> byLabel = measured.stream().collect(Collectors.groupingBy(
                r -> Stats.modeLabel(r.plan().baseline(), r.plan().mode())));
        byLabel.forEach((label, runs) -> runs.stream()
                .min(Comparator.comparingInt((RunResult r) -> -r.plan().dirtyRateMibps())
                        .thenComparingInt(r -> r.plan().index()))
                .ifPresent(r -> chosen.put(label, r)));
        return chosen;
    }

    /** Series label of a run: its mode, with the link when the experiment has several. */
    private static String seriesLabel(RunPlan p, boolean manyLinks) {
        String mode = Stats.modeLabel(p.baseline(), p.mode());
        return manyLinks ? mode + " @ " + (p.linkMibps() == 0 ? "unlimited" : p.linkMibps() + " MiB/s") : mode;
    }

    private static JFreeChart medianByDirtyRate(String title, String yLabel, List<RunResult> measured, boolean manyLinks,
            ToDoubleFunction<RunResult> figure) {
        // label -> dirty rate -> runs; workloads of one rate (different areas) pool into one point.
        Map<String, Map<Integer, List<RunResult>>> groups = new TreeMap<>(Stats.LABEL_ORDER);
        for (RunResult r : measured) {
            groups.computeIfAbsent(seriesLabel(r.plan(), manyLinks), k -> new TreeMap<>())
                    .computeIfAbsent(r.plan().dirtyRateMibps(), k -> new ArrayList<>()).add(r);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        groups.forEach((label, byRate) -> {
            XYSeries series = new XYSeries(label);
            byRate.forEach((rate, runs) -> {
                double median = Stats.ofSucceeded(runs, figure).median();
                if (!Double.isNaN(median)) {
                    series.add(rate.doubleValue(), median);
                }
            });
            data.addSeries(series);
        });
        JFreeChart chart = ChartFactory.createXYLineChart(title + " (median of succeeded runs)", "dirty rate MiB/s", yLabel,
                data, PlotOrientation.VERTICAL, true, false, false);
        styleLines(chart.getXYPlot(), true);
        colourSeries(chart.getXYPlot(), data);
        return chart;
    }

    private static JFreeChart bytesOverMemory(List<RunResult> measured) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Map<String, Map<Integer, List<RunResult>>> groups = new TreeMap<>(Stats.LABEL_ORDER);
        for (RunResult r : measured) {
            groups.computeIfAbsent(Stats.modeLabel(r.plan().baseline(), r.plan().mode()), k -> new TreeMap<>())
                    .computeIfAbsent(r.plan().dirtyRateMibps(), k -> new ArrayList<>()).add(r);
        }
        // Columns in rate order, whichever mode first has them.
        TreeSet<Integer> rates = new TreeSet<>();
        groups.values().forEach(m -> rates.addAll(m.keySet()));
        for (int rate : rates) {
            for (var e : groups.entrySet()) {
                List<RunResult> runs = e.getValue().get(rate);
                double median = runs == null ? Double.NaN : Stats.ofSucceeded(runs, Stats::bytesOverMemory).median();
                if (!Double.isNaN(median)) {
                    data.addValue(median, e.getKey(), rate + " MiB/s");
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Bytes transferred / guest memory (median of succeeded runs)",
                "dirty rate", "bytes / memory", data, PlotOrientation.VERTICAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int i = 0; i < data.getRowCount(); i++) {
            String label = (String) data.getRowKey(i);
            Color c = colour(label);
            // A baseline is the pale version of its technique's colour.
            renderer.setSeriesPaint(i, label.startsWith("virsh ") ? blend(c, Color.WHITE, 0.55) : c);
            renderer.setSeriesOutlinePaint(i, c);
        }
        renderer.setDrawBarOutline(true);
        return chart;
    }

    /** Last sample of each iteration (QEMU's count, 1 during the first pass; 0 is before it). */
    private static JFreeChart remainingPerIteration(Map<String, RunResult> representatives) {
        XYSeriesCollection data = new XYSeriesCollection();
        representatives.forEach((label, r) -> {
            if (r.samples().isEmpty()) {
                return;
            }
            Map<Long, RunResult.Sample> last = new TreeMap<>();
            for (RunResult.Sample s : r.samples()) {
                if (s.iteration() >= 1) {
                    last.put(s.iteration(), s);
                }
            }
            XYSeries series = new XYSeries(label + " (" + r.plan().id() + ")");
            last.forEach((iteration, s) -> series.add(iteration.doubleValue(), s.bytesRemaining() / Stats.MIB));
            data.addSeries(series);
        });
        JFreeChart chart = ChartFactory.createXYLineChart("Bytes remaining at the end of each iteration", "iteration",
                "remaining MiB", data, PlotOrientation.VERTICAL, true, false, false);
        styleLines(chart.getXYPlot(), true);
        colourSeries(chart.getXYPlot(), data);
        ((NumberAxis) chart.getXYPlot().getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return chart;
    }

    /** One panel per run, sharing the time axis, the migration window shaded. */
    private static JFreeChart guestThroughput(Map<String, RunResult> representatives) {
        NumberAxis time = new NumberAxis("host time s (since the run began)");
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(time);
        combined.setGap(8);
        representatives.forEach((label, r) -> {
            XYSeries series = new XYSeries(label + " (" + r.plan().id() + ")", true, true);
            for (RunResult.Heartbeat h : r.heartbeats()) {
                series.add(h.hostMs() / 1000.0, h.writeMibps());
            }
            XYPlot plot = new XYPlot(new XYSeriesCollection(series), null, new NumberAxis("write MiB/s"), null);
            plot.setRenderer(new XYLineAndShapeRenderer(true, false));
            styleLines(plot, false);
            colourSeries(plot, plot.getDataset());
            IntervalMarker window = new IntervalMarker(r.migrationStartMs() / 1000.0, r.migrationEndMs() / 1000.0);
            window.setPaint(new Color(255, 170, 0));
            window.setAlpha(0.25f);
            window.setLabel("migration");
            window.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            window.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(window, Layer.BACKGROUND);
            combined.add(plot);
        });
        if (combined.getSubplots().isEmpty()) {
            combined.add(new XYPlot(new XYSeriesCollection(), null, new NumberAxis("write MiB/s"),
                    new XYLineAndShapeRenderer(true, false)));
        }
        return new JFreeChart("Guest write throughput, migration window shaded", JFreeChart.DEFAULT_TITLE_FONT, combined,
                true);
    }

    private static void styleLines(XYPlot plot, boolean shapes) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (plot.getRenderer() instanceof XYLineAndShapeRenderer renderer) {
            renderer.setDefaultShapesVisible(shapes);
        }
    }

    /**
     * The same colour for a mode in every chart: livemig's modes solid, the virsh baseline of a
     * technique dashed in the technique's colour, so each pair reads as a pair.
     */
    private static void colourSeries(XYPlot plot, XYDataset data) {
        if (!(plot.getRenderer() instanceof XYLineAndShapeRenderer renderer)) {
            return;
        }
        for (int i = 0; i < data.getSeriesCount(); i++) {
            String label = String.valueOf(data.getSeriesKey(i));
            renderer.setSeriesPaint(i, colour(label));
            renderer.setSeriesStroke(i, label.startsWith("virsh ")
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 5f}, 0f)
                    : new BasicStroke(2f));
        }
    }

    /** By the mode a label starts with ("virsh precopy @ 32 MiB/s" is precopy's colour). */
    static Color colour(String label) {
        String mode = label.startsWith("virsh ") ? label.substring(6) : label;
        for (int i = 0; i < ExperimentSpec.MODES.size(); i++) {
            if (mode.equals(ExperimentSpec.MODES.get(i)) || mode.startsWith(ExperimentSpec.MODES.get(i) + " ")) {
                return PALETTE[i];
            }
        }
        return Color.DARK_GRAY;
    }

    private static Color blend(Color a, Color b, double t) {
        return new Color((int) Math.round(a.getRed() * (1 - t) + b.getRed() * t),
                (int) Math.round(a.getGreen() * (1 - t) + b.getGreen() * t),
                (int) Math.round(a.getBlue() * (1 - t) + b.getBlue() * t));
    }

    private static void save(Path file, JFreeChart chart) {
        try {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
