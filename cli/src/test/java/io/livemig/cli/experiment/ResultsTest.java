package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsTest {

    @TempDir
    Path dir;

    @Test
    void runsRoundTripWholeAndComeBackInIndexOrder() {
        List<RunResult> all = new ArrayList<>(Fixtures.results());
        // Not-measured figures are NaN; they must survive JSON too.
        Fixtures.Builder b = Fixtures.builder(all.get(3).plan());
        b.during = Double.NaN;
        b.error = "line one\nline \"two\", with a comma";
        all.set(3, b.build());
        List<RunResult> reversed = new ArrayList<>(all);
        Collections.reverse(reversed);
        reversed.forEach(r -> Results.writeRun(dir, r));

        List<RunResult> back = Results.readRuns(dir);
        assertEquals(all, back);
        assertTrue(Double.isNaN(back.get(3).throughputDuringMibps()));
        assertFalse(back.get(1).samples().isEmpty());
        assertTrue(Files.exists(dir.resolve("runs").resolve(all.get(0).plan().id() + ".json")));
    }

    @Test
    void jsonIsSnakeCaseAndPretty() throws Exception {
        RunResult r = Fixtures.results().get(1);
        Results.writeRun(dir, r);
        String json = Files.readString(dir.resolve("runs/" + r.plan().id() + ".json"));
        assertTrue(json.contains("\"external_downtime_ms\" : "), json);
        assertTrue(json.contains("\"dirty_rate_mibps\" : "), json);
        assertTrue(json.contains("\"bytes_remaining\" : "), json);
        assertTrue(json.lines().count() > 50);
    }

    @Test
    void rewritingARunReplacesIt() {
        RunPlan p = Fixtures.results().get(1).plan();
        Fixtures.Builder b = Fixtures.builder(p);
        Results.writeRun(dir, b.build());
        b.status = "failed";
        Results.writeRun(dir, b.build());
        List<RunResult> back = Results.readRuns(dir);
        assertEquals(1, back.size());
        assertEquals("failed", back.get(0).status());
    }

    @Test
    void csvHasAHeaderAndEveryScalarOfEveryRun() throws Exception {
        List<RunResult> all = new ArrayList<>(Fixtures.results());
        Fixtures.Builder b = Fixtures.builder(all.get(2).plan());
        b.during = Double.NaN;
        b.error = "line one\nline \"two\", with a comma";
        b.model = null;
        all.set(2, b.build());
        Results.writeCsv(dir, all);

        List<CSVRecord> rows;
        List<String> header;
        try (Reader in = Files.newBufferedReader(dir.resolve("results.csv"));
                CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
            header = csv.getHeaderNames();
            rows = csv.getRecords();
        }
        assertEquals(Results.CSV_COLUMNS, header);
        assertEquals(40, header.size());
        assertEquals(all.size(), rows.size());

        RunResult warm = all.get(0);
        CSVRecord w = rows.get(0);
        assertEquals("0", w.get("index"));
        assertEquals(warm.plan().id(), w.get("id"));
        assertEquals("true", w.get("warmup"));
        assertEquals("0", w.get("repetition"));
        assertEquals("precopy", w.get("mode"));
        assertEquals("false", w.get("baseline"));
        assertEquals("256", w.get("mem_mib"));
        assertEquals("64", w.get("dirty_mib"));
        assertEquals("8", w.get("dirty_rate_mibps"));
        assertEquals("32", w.get("link_mibps"));
        assertEquals("300", w.get("max_downtime_ms"));
        assertEquals("succeeded", w.get("status"));
        assertEquals("99999", w.get("total_ms"));
        assertEquals(String.valueOf(256 * Fixtures.MIB), w.get("memory_bytes"));
        assertEquals("4", w.get("iterations"));
        assertEquals("ok", w.get("integrity"));
        assertEquals("8.000", w.get("throughput_before_mibps"));
        assertEquals("6.500", w.get("throughput_during_mibps"));
        assertEquals("4", w.get("model_passes"));
        assertEquals(String.valueOf(340 * Fixtures.MIB), w.get("model_bytes"));
        assertEquals("10625", w.get("model_total_ms"));
        assertEquals("125", w.get("model_downtime_ms"));
        assertEquals("true", w.get("model_converges"));
        assertEquals("8", w.get("samples"));
        assertEquals("21", w.get("heartbeats"));
        assertEquals("", w.get("error"));
        assertEquals("120", w.get("timeout_s"));
        assertEquals("", w.get("objective"));
        assertEquals("data_processed", w.get("bytes_field"));
        assertEquals("requested", w.get("max_downtime_applied"));
        assertEquals("StartMigration vm_name=exp-synth target_agent=lab-b:7701 options.mode=MIGRATION_MODE_PRECOPY "
                + "options.max_downtime_ms=300 options.bandwidth_mibps=32 options.timeout_s=120", w.get("command"));
        assertEquals("", w.get("downtime_command"));
        RunResult base = all.stream().filter(r -> r.plan().baseline() && r.plan().mode().equals("precopy")).findFirst()
                .orElseThrow();
        CSVRecord b0 = rows.get(all.indexOf(base));
        assertTrue(b0.get("command").startsWith("virsh -c qemu+tcp://lab-a/system migrate --live "), b0.get("command"));
        assertTrue(b0.get("command").contains(" --timeout 120 --timeout-suspend --bandwidth 32 "), b0.get("command"));
        assertEquals("virsh -c qemu+tcp://lab-a/system migrate-setmaxdowntime exp-synth 300", b0.get("downtime_command"));

        CSVRecord odd = rows.get(2);
        assertEquals("", odd.get("throughput_during_mibps"));
        assertEquals("", odd.get("model_passes"));
        assertEquals("line one\nline \"two\", with a comma", odd.get("error"));
    }

    @Test
    void specCopyCarriesTheSeed() throws Exception {
        ExperimentSpec spec = Fixtures.spec();
        Results.writeSpecCopy(dir, new ExperimentSpec(spec.name(), spec.source(), spec.target(),
                java.util.OptionalLong.empty(), spec.repetitions(), spec.warmup(), spec.guest(), spec.workloads(),
                spec.linksMibps(), spec.modes(), spec.baseline(), spec.pingIntervalMs()), 1234);
        String yaml = Files.readString(dir.resolve("spec.yaml"));
        assertTrue(yaml.contains("seed: 1234"), yaml);
        assertEquals(spec.withSeed(1234), ExperimentSpec.load(dir.resolve("spec.yaml")));
    }

    @Test
    void provenanceRoundTripsAndIsOptional() {
        assertTrue(Results.readProvenance(dir).isEmpty());
        Provenance p = new Provenance("scripts/experiments/classic.yaml", 2026, "abc123", true, "livemig 0.1.0", null,
                "2026-12-05T10:00:00Z");
        Results.writeProvenance(dir, p);
        assertEquals(p, Results.readProvenance(dir).orElseThrow());
    }

    @Test
    void aRunRecordedBeforeTheSettingsFieldsReadsBackWithThemEmpty() throws Exception {
        RunResult r = Fixtures.results().get(1);
        Results.writeRun(dir, r);
        Path file = dir.resolve("runs/" + r.plan().id() + ".json");
        String old = Files.readString(file).replaceAll("(?s),\\s*\"command\" : \\[.*?]", "")
                .replaceAll(",\\s*\"timeout_s\" : \\d+", "");
        assertFalse(old.contains("\"command\""), old);
        Files.writeString(file, old);
        RunResult back = Results.readRuns(dir).get(0);
        assertEquals(List.of(), back.command());
        assertEquals(0, back.plan().timeoutS());
        assertEquals(r.totalMs(), back.totalMs());
    }

    @Test
    void theObjectiveIsRecordedAndAnAutoRunRecordedBeforeItReadsBackAsSafe() throws Exception {
        RunPlan p = Matrix.plan(Fixtures.specWithAuto(), Fixtures.SEED).stream()
                .filter(x -> x.mode().equals("auto") && !x.warmup()).findFirst().orElseThrow();
        RunPlan fastest = new RunPlan(p.index(), p.id(), p.warmup(), p.repetition(), p.mode(), p.baseline(), p.memMib(),
                p.dirtyMib(), p.dirtyRateMibps(), p.linkMibps(), p.maxDowntimeMs(), p.timeoutS(), "fastest");
        RunResult r = Fixtures.builder(fastest).build();
        Results.writeRun(dir, r);
        Results.writeCsv(dir, List.of(r));
        assertTrue(Files.readString(dir.resolve("results.csv")).lines().skip(1).findFirst().orElseThrow()
                .contains(",120,fastest,succeeded,"));
        Path file = dir.resolve("runs/" + p.id() + ".json");
        String json = Files.readString(file);
        assertTrue(json.contains("\"objective\" : \"fastest\""), json);
        assertEquals("fastest", Results.readRuns(dir).get(0).plan().objective());

        // Written before the objective was kept: auto ran with the agent's default.
        Files.writeString(file, json.replaceAll(",\\s*\"objective\" : \"fastest\"", ""));
        assertEquals("safe", Results.readRuns(dir).get(0).plan().objective());
    }

    @Test
    void aDirectoryWithoutRunsIsNotAnExperiment() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Results.readRuns(dir));
        assertEquals(dir + ": not an experiment directory (no runs/*.json)", e.getMessage());
        Files.createDirectories(dir.resolve("runs"));
        assertThrows(IllegalArgumentException.class, () -> Results.readRuns(dir));
        e = assertThrows(IllegalArgumentException.class, () -> Results.readRuns(dir.resolve("nope")));
        assertEquals(dir.resolve("nope") + ": no such directory", e.getMessage());
    }

    @Test
    void aBrokenRunFileIsNamed() throws Exception {
        Results.writeRun(dir, Fixtures.results().get(0));
        Path bad = dir.resolve("runs/r999-bad.json");
        Files.writeString(bad, "{\"plan\": {\"index\": \n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Results.readRuns(dir));
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
