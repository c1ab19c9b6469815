package io.livemig.cli.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The layout of an experiment directory, written by the runner and read by the report:
 * <pre>
 * DIR/spec.yaml         the spec with its seed filled in: running it again gives the same order
 * DIR/experiment.json   {@link Provenance}: spec file, seed, git commit, livemig and virsh versions
 * DIR/runs/ID.json      one file per run, the whole {@link RunResult} (series included)
 * DIR/results.csv       one row per run, every scalar, for spreadsheets and R
 * DIR/report.md         written by {@link Report}
 * DIR/plots/*.png       likewise
 * </pre>
 * One file per run, written as soon as the run ends, so an experiment that dies half-way keeps
 * what it did. I/O errors are thrown as {@link UncheckedIOException}.
 */
public final class Results {

    public static final String RUNS_DIR = "runs";
    public static final String CSV_FILE = "results.csv";
    public static final String SPEC_FILE = "spec.yaml";
    public static final String PROVENANCE_FILE = "experiment.json";

    /** The columns of results.csv, in order. */
    public static final List<String> CSV_COLUMNS = List.of("index", "id", "warmup", "repetition", "mode", "baseline",
            "mem_mib", "dirty_mib", "dirty_rate_mibps", "link_mibps", "max_downtime_ms", "timeout_s", "objective", "status", "mode_used",
            "total_ms", "downtime_ms", "setup_ms", "bytes_transferred", "bytes_field", "memory_bytes", "iterations",
            "postcopy_requests", "external_downtime_ms", "heartbeat_gap_ms", "integrity", "throughput_before_mibps",
            "throughput_during_mibps", "throughput_after_mibps", "model_passes", "model_bytes", "model_total_ms",
            "model_downtime_ms", "model_converges", "samples", "heartbeats", "max_downtime_applied", "command", "downtime_command",
            "error");

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            // Newer writers may add fields; an older report still reads what it knows.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Results() {}

    /** Writes {@code dir/runs/<id>.json}, replacing an earlier file of the same run. */
    public static void writeRun(Path dir, RunResult r) {
        Path runs = dir.resolve(RUNS_DIR);
        Path file = runs.resolve(r.plan().id() + ".json");
        try {
            Files.createDirectories(runs);
            // Written aside and moved, so a reader never sees half a file.
            Path tmp = runs.resolve(r.plan().id() + ".json.tmp");
            Files.writeString(tmp, JSON.writeValueAsString(r) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code dir/results.csv}: a header, then one row per run in the order given. */
    public static void writeCsv(Path dir, List<RunResult> results) {
        Path file = dir.resolve(CSV_FILE);
        try {
            Files.createDirectories(dir);
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                    CSVPrinter csv = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
                            .setHeader(CSV_COLUMNS.toArray(String[]::new)).setRecordSeparator('\n').get())) {
                for (RunResult r : results) {
                    csv.printRecord(row(r));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<Object> row(RunResult r) {
        RunPlan p = r.plan();
        ModelPrediction m = r.model();
        List<Object> row = new ArrayList<>(CSV_COLUMNS.size());
        row.add(p.index());
        row.add(p.id());
        row.add(p.warmup());
        row.add(p.repetition());
        row.add(p.mode());
        row.add(p.baseline());
        row.add(p.memMib());
        row.add(p.dirtyMib());
        row.add(p.dirtyRateMibps());
        row.add(p.linkMibps());
        row.add(p.maxDowntimeMs());
        row.add(p.timeoutS());
        row.add(p.objective());
        row.add(r.status());
        row.add(r.modeUsed());
        row.add(r.totalMs());
        row.add(r.downtimeMs());
        row.add(r.setupMs());
        row.add(r.bytesTransferred());
        row.add(r.bytesField());
        row.add(r.memoryBytes());
        row.add(r.iterations());
        row.add(r.postcopyRequests());
        row.add(r.externalDowntimeMs());
        row.add(r.heartbeatGapMs());
        row.add(r.integrity());
        row.add(decimal(r.throughputBeforeMibps()));
        row.add(decimal(r.throughputDuringMibps()));
        row.add(decimal(r.throughputAfterMibps()));
        row.add(m == null ? null : m.passes());
        row.add(m == null ? null : m.bytes());
        row.add(m == null ? null : m.totalMs());
        row.add(m == null ? null : m.downtimeMs());
        row.add(m == null ? null : m.converges());
        row.add(r.samples().size());
        row.add(r.heartbeats().size());
        row.add(r.maxDowntimeApplied());
        row.add(String.join(" ", r.command()));
        row.add(String.join(" ", r.downtimeCommand()));
        row.add(r.error());
        return row;
    }

    /** Three decimals, Locale.ROOT; empty for NaN (no data), which spreadsheets read as missing. */
    private static String decimal(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.3f", x) : "";
    }

    /** Writes {@code dir/spec.yaml}: the spec with {@code seed} filled in. */
    public static void writeSpecCopy(Path dir, ExperimentSpec spec, long seed) {
        Path file = dir.resolve(SPEC_FILE);
        try {
            Files.createDirectories(dir);
            Files.writeString(file, "# The spec this experiment ran, seed filled in: run it again for the same order.\n"
                    + spec.withSeed(seed).toYaml(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code dir/experiment.json}. */
    public static void writeProvenance(Path dir, Provenance provenance) {
        Path file = dir.resolve(PROVENANCE_FILE);
        try {
            Files.createDirectories(dir);
            Files.writeString(file, JSON.writeValueAsString(provenance) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code dir/experiment.json}, or empty when there is none (an experiment recorded before it
     * was written).
     *
     * @throws IllegalArgumentException when the file is there but cannot be read as one
     */
    public static Optional<Provenance> readProvenance(Path dir) {
        Path file = dir.resolve(PROVENANCE_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), Provenance.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": " + e.getOriginalMessage().lines().findFirst().orElse("invalid"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The runs of an experiment directory, by index.
     *
     * @throws IllegalArgumentException when {@code dir} is not an experiment directory (no
     *                                  runs/*.json) or a run file cannot be read; one line
     */
    public static List<RunResult> readRuns(Path dir) {
        Path runs = dir.resolve(RUNS_DIR);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.isDirectory(runs) ? Files.list(runs) : Stream.empty()) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runs + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dir + ": not an experiment directory (no " + RUNS_DIR + "/*.json)");
        }
        List<RunResult> results = new ArrayList<>(files.size());
        for (Path f : files) {
            results.add(readRun(f));
        }
        results.sort(Comparator.comparingInt(r -> r.plan().index()));
        return List.copyOf(results);
    }

    private static RunResult readRun(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            RunResult r = JSON.readValue(text, RunResult.class);
            if (r == null || r.plan() == null || r.plan().id() == null) {
                throw new IllegalArgumentException(file + ": not a run result (no plan)");
            }
            return r;
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage().lines().findFirst().orElse("invalid");
            String at = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ": " : ":" + e.getLocation().getLineNr() + ": ";
            throw new IllegalArgumentException(file + at + why);
        }
    }
}
