package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path dir;

    /** The fixture's runs, the postcopy run at 32 MiB/s of repetition 2 failed. */
    private List<RunResult> writeExperiment() {
        List<RunResult> runs = new ArrayList<>();
        for (RunResult r : Fixtures.results()) {
            RunPlan p = r.plan();
            if (!p.baseline() && p.mode().equals("postcopy") && p.dirtyRateMibps() == 32 && p.repetition() == 2) {
                Fixtures.Builder b = Fixtures.builder(p);
                b.status = "failed";
                b.totalMs = 77777;
                b.error = "guest unreachable after switch-over\nstack trace...";
                r = b.build();
            }
            runs.add(r);
            Results.writeRun(dir, r);
        }
        Results.writeSpecCopy(dir, Fixtures.spec(), Fixtures.SEED);
        Results.writeProvenance(dir, new Provenance("scripts/experiments/synth.yaml", Fixtures.SEED,
                "0123456789abcdef0123456789abcdef01234567", false, "livemig 0.1.0 (commit 0123456789ab)",
                "11.3.0", "2026-12-05T10:00:00Z"));
        return runs;
    }

    @Test
    void writesTheSummaryTables() throws Exception {
        List<RunResult> runs = writeExperiment();
        Path report = Report.write(dir);
        assertEquals(dir.resolve("report.md"), report);
        String md = Files.readString(report);

        assertTrue(md.startsWith("# Experiment synth\n"), md);
        assertTrue(md.contains("- Spec file: `scripts/experiments/synth.yaml` (as run, seed filled in: `spec.yaml`)\n"), md);
        assertTrue(md.contains("- Git commit: `0123456789abcdef0123456789abcdef01234567`, no uncommitted changes\n"), md);
        assertTrue(md.contains("- livemig: livemig 0.1.0 (commit 0123456789ab)\n"), md);
        assertTrue(md.contains("- virsh: 11.3.0\n"), md);
        assertTrue(md.contains("- Hosts: lab-a → lab-b\n"), md);
        assertTrue(md.contains("- Guest: 256 MiB, 1 vCPU, random memory\n"), md);
        assertTrue(md.contains("- Seed: 7\n"), md);
        assertTrue(md.contains("- Repetitions: 2\n"), md);
        // 2 workloads x 1 link x (2 modes + 2 baselines) x 2 repetitions + the warm-up.
        assertEquals(17, runs.size());
        assertTrue(md.contains("- Runs: 17 (1 warm-up, excluded from the statistics)\n"), md);

        // Per cell: rep 1 and rep 2 (x1.2); the warm-up (same cell, 99999 everywhere) left out.
        assertTrue(md.contains("| precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 | 2 succeeded | 1100 (1000–1200) | 110 (100–120) "
                + "| 160 (150–170) |"), md);
        assertTrue(md.contains("| virsh precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 | 2 succeeded | 2200 (2000–2400) |"), md);
        // The failed run is counted but its figures are not.
        assertTrue(md.contains("| postcopy | 64 MiB @ 32 MiB/s | 32 MiB/s | 2 | 1 failed, 1 succeeded | 1600 | 25 | 75 |"), md);
        assertFalse(md.contains("99999"), md);
        assertFalse(md.contains("77777"), md);

        // livemig vs virsh, by hand: total 1100 / 2200 = 0.50; downtime 110 / 330 = 0.33;
        // bytes (32 MiB/s x total) 35.2 / 70.4 MiB = 0.50.
        assertTrue(md.contains("## livemig vs virsh migrate"), md);
        // Each side's median with its min–max; the ratio is of the medians.
        assertTrue(md.contains("| precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 1100 (1000–1200) / 2200 (2000–2400) | 0.50 "
                + "| 110 (100–120) / 330 (300–360) | 0.33 | 35.2 (32.0–38.4) / 70.4 (64.0–76.8) | 0.50 |\n"), md);
        // Postcopy at 32 MiB/s: only repetition 1 of livemig succeeded, 1600 / median(2000, 2400).
        assertTrue(md.contains("| postcopy | 64 MiB @ 32 MiB/s | 32 MiB/s | 1600 / 2200 (2000–2400) | 0.73 |"), md);
        // No auto mode: no auto table.
        assertFalse(md.contains("## auto vs virsh migrate"), md);

        // Measured vs model: the model of precopy at 8 MiB/s is 4 passes, 340 MiB, 10625 ms, 125 ms.
        assertTrue(md.contains("## Measured vs model"), md);
        assertTrue(md.contains("Non-zero memory of the 256 MiB guest: not known (no stop-and-copy run), every page taken "
                + "as non-zero."), md);
        assertTrue(md.contains("| precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 4 / 4 (1.00) | 35.2 / 340.0 (0.10) "
                + "| 1100 / 10625 (0.10) | 110 / 125 (0.88) | yes |\n"), md);
        // Post-copy's model downtime is 0: no ratio.
        assertTrue(md.contains("| postcopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 / 1 (2.00) | 52.8 / 320.0 (0.17) "
                + "| 1650 / 10000 (0.17) | 22 / 0 (n/a) | yes |\n"), md);

        // Each run's stored prediction against what it measured (the fixture's model: every page non-zero).
        assertTrue(md.contains("## Predicted before each run vs measured\n"), md);
        assertTrue(md.contains("| precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 | 1100 / 10625 | -89.6 % | 35.2 / 340.0 "
                + "| -89.6 % | yes | yes | yes |\n"), md);
        assertTrue(md.contains("## Auto against the fastest mode within the allowed downtime\n\nSkipped: no auto runs.\n"),
                md);

        assertTrue(md.contains("All 17 runs intact"), md);
        assertTrue(md.contains("- `" + failedId(runs) + "`: failed: guest unreachable after switch-over\n"), md);
        assertFalse(md.contains("stack trace"), md);

        for (String png : Report.PLOTS) {
            assertTrue(md.contains("](plots/" + png + ")"), png);
        }
    }

    /**
     * With stop-and-copy runs (192 and 200 MiB sent) the model counts the guest's non-zero memory
     * as their median, 196 MiB: 60 MiB of zero pages are 15360 headers of 9 bytes, so pass 1 sends
     * 196.13 MiB in 6.129 s. Pre-copy at 8 MiB/s (W=64): V2 = 49.03 MiB, V3 = 12.26, V4 = 3.06
     * fits in 9.6: 260.49 MiB, 8140 ms, 96 ms paused. Post-copy: 196.13 + 49.03 = 245.16 MiB, 7661 ms.
     */
    @Test
    void theModelCountsTheNonZeroMemoryLearnedFromStopAndCopy() throws Exception {
        List<RunResult> runs = writeExperiment();
        Results.writeRun(dir, Fixtures.stopAndCopy(runs.size(), 192 * Fixtures.MIB));
        Results.writeRun(dir, Fixtures.stopAndCopy(runs.size() + 1, 200 * Fixtures.MIB));
        String md = Files.readString(Report.write(dir));
        assertTrue(md.contains("Non-zero memory of the 256 MiB guest: 196.0 MiB, learned from its stop-and-copy runs"), md);
        assertTrue(md.contains("| precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 4 / 4 (1.00) | 35.2 / 260.5 (0.14) "
                + "| 1100 / 8140 (0.14) | 110 / 96 (1.15) | yes |\n"), md);
        assertTrue(md.contains("| postcopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 / 1 (2.00) | 52.8 / 245.2 (0.22) "
                + "| 1650 / 7661 (0.22) |"), md);
        assertTrue(md.contains("| stopcopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 1 / 1 (1.00) | 196.0 / 196.1 (1.00) |"), md);
    }

    @Test
    void settingsShowWhatEachSideWasGivenFromTheRecordedCommands() throws Exception {
        writeExperiment();
        String md = Files.readString(Report.write(dir));
        // timeout, bandwidth, post-copy bandwidth, downtime, what became of it, bytes statistic.
        assertTrue(md.contains("| precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 | 120 | 32 | – | 300 | requested 2/2 "
                + "| data_processed 2 |\n"), md);
        assertTrue(md.contains("| postcopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 | 120 | 32 | 32 | default "
                + "| not requested 2/2 | data_processed 2 |\n"), md);
        assertTrue(md.contains("| virsh postcopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 | 120 | 32 | 32 | default "
                + "| not requested 2/2 | data_processed 2 |\n"), md);
        // The fixture applies the downtime 100 + index ms after start.
        List<Integer> at = Fixtures.results().stream().map(RunResult::plan)
                .filter(p -> p.baseline() && !p.warmup() && p.mode().equals("precopy") && p.dirtyRateMibps() == 8)
                .map(p -> 100 + p.index()).sorted().toList();
        assertTrue(md.contains("| virsh precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 | 120 | 32 | – | 300 | applied 2/2 ("
                + at.get(0) + "–" + at.get(1) + " ms after start) | data_processed 2 |\n"), md);
        assertTrue(md.contains("livemig runs: data_processed 8; virsh runs: data_processed 8. Both sides: "
                + "`data_processed`, compared field for field."), md);
        // Commands: one line per distinct command, per-run file and URI replaced.
        assertTrue(md.contains("- virsh precopy (4 runs): `virsh -c qemu+tcp://lab-a/system migrate --live --persistent "
                + "--unsafe --xml DEST_XML --persistent-xml DEST_XML --timeout 120 --timeout-suspend --bandwidth 32 "
                + "exp-synth qemu+tcp://lab-b/system --migrateuri MIGRATE_URI`, then, once the job runs, "
                + "`virsh -c qemu+tcp://lab-a/system migrate-setmaxdowntime exp-synth 300`\n"), md);
        assertTrue(md.contains("- precopy (4 runs): `StartMigration vm_name=exp-synth target_agent=lab-b:7701 "
                + "options.mode=MIGRATION_MODE_PRECOPY options.max_downtime_ms=300 options.bandwidth_mibps=32 "
                + "options.timeout_s=120`\n"), md);
    }

    @Test
    void aDifferentBytesStatisticOnOneSideIsFlagged() throws Exception {
        for (RunResult r : Fixtures.results()) {
            Fixtures.Builder b = Fixtures.builder(r.plan());
            if (r.plan().baseline() && r.plan().repetition() == 2) {
                b.bytesField = RunResult.MEMORY_PROCESSED;
            }
            Results.writeRun(dir, b.build());
        }
        String md = Files.readString(Report.write(dir));
        assertTrue(md.contains("livemig runs: data_processed 8; virsh runs: data_processed 4, memory_processed 4. "
                + "**The sides did not all use the same statistic: compare bytes with care.**"), md);
        assertTrue(md.contains("- Provenance: experiment.json is missing"), md);
    }

    @Test
    void autoIsComparedWithTheVirshBaselineRatiosComputed() throws Exception {
        ExperimentSpec spec = Fixtures.specWithAuto();
        for (RunPlan p : Matrix.plan(spec, Fixtures.SEED)) {
            Fixtures.Builder b = Fixtures.builder(p);
            if (p.mode().equals("auto") && p.dirtyRateMibps() == 32) {
                b.modeUsed = "postcopy";
            }
            Results.writeRun(dir, b.build());
        }
        Results.writeSpecCopy(dir, spec, Fixtures.SEED);
        String md = Files.readString(Report.write(dir));
        assertTrue(md.contains("## auto vs virsh migrate"), md);
        // By hand. 8 MiB/s: total auto 1200, 1440 -> 1320 vs virsh 2000, 2400 -> 2200: 0.60; downtime 90, 108 -> 99
        // vs 300, 360 -> 330: 0.30; bytes (32 MiB/s x total) 42.2 vs 70.4 MiB: 0.60; auto stayed auto.
        assertTrue(md.contains("| 64 MiB @ 8 MiB/s | 32 MiB/s | virsh precopy | 1320 (1200–1440) / 2200 (2000–2400) | 0.60 "
                + "| 99 (90–108) / 330 (300–360) | 0.30 | 42.2 (38.4–46.1) / 70.4 (64.0–76.8) | 0.60 | auto 2 |\n"), md);
        // 32 MiB/s: 4400 vs 9900: 0.44; downtime 33 vs 2200: 0.015 (two significant digits, not 0.00);
        // bytes 140.8 vs 316.8: 0.44; both auto runs ended in post-copy.
        assertTrue(md.contains("| 64 MiB @ 32 MiB/s | 32 MiB/s | virsh precopy | 4400 (4000–4800) / 9900 (9000–10800) | 0.44 "
                + "| 33 (30–36) / 2200 (2000–2400) | 0.015 | 140.8 (128.0–153.6) / 316.8 (288.0–345.6) | 0.44 "
                + "| postcopy 2 |\n"), md);
        // Against the fastest livemig mode within 300 ms: pre-copy at 8 MiB/s (1320 / 1100 = 1.20, the goal's
        // bound); at 32 MiB/s pre-copy pauses the guest 440 ms and there is no other mode to compare with.
        assertTrue(md.contains("| 64 MiB @ 8 MiB/s | 32 MiB/s | auto (safe) | 300 | 2 of 2 | 1320 (1200–1440) | 99 (90–108) "
                + "| auto 2 | precopy | 1100 | 1.20 | yes | yes | – |\n"), md);
        assertTrue(md.contains("| 64 MiB @ 32 MiB/s | 32 MiB/s | auto (safe) | 300 | 2 of 2 | 4400 (4000–4800) "
                + "| 33 (30–36) | postcopy 2 | none | n/a | n/a | yes | n/a | precopy paused 440 ms |\n"), md);

        // The baseline runs under pre-copy's timeout (45 s), auto under the default (120 s).
        assertTrue(md.contains("| virsh precopy | 64 MiB @ 32 MiB/s | 32 MiB/s | 2 | 45 | 32 |"), md);
        assertTrue(md.contains("| auto | 64 MiB @ 32 MiB/s | 32 MiB/s | 2 | 120 | 32 | 32 | 300 |"), md);
    }

    private static String failedId(List<RunResult> runs) {
        return runs.stream().filter(r -> r.status().equals("failed")).findFirst().orElseThrow().plan().id();
    }

    @Test
    void writesEveryPlotAsAPng() throws Exception {
        writeExperiment();
        Report.write(dir);
        assertEquals(List.of("downtime-vs-dirty-rate.png", "external-downtime-vs-dirty-rate.png",
                "total-time-vs-dirty-rate.png", "bytes-over-memory.png", "remaining-per-iteration.png",
                "guest-throughput.png"), Report.PLOTS);
        byte[] magic = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        for (String png : Report.PLOTS) {
            Path f = dir.resolve("plots").resolve(png);
            assertTrue(Files.isRegularFile(f), png);
            assertTrue(Arrays.equals(magic, Arrays.copyOf(Files.readAllBytes(f), 8)), png);
            BufferedImage image = ImageIO.read(f.toFile());
            assertNotNull(image, png);
            assertTrue(image.getWidth() > 0 && image.getHeight() > 0, png);
        }
    }

    @Test
    void representativeRunsAreTheFirstAtTheHighestDirtyRate() throws Exception {
        List<RunResult> runs = writeExperiment();
        String md = Files.readString(Report.write(dir));
        for (String label : List.of("precopy", "postcopy", "virsh precopy", "virsh postcopy")) {
            RunPlan expected = runs.stream().map(RunResult::plan)
                    .filter(p -> !p.warmup() && p.dirtyRateMibps() == 32 && Stats.modeLabel(p.baseline(), p.mode()).equals(label))
                    .findFirst().orElseThrow();
            assertTrue(md.contains(label + " `" + expected.id() + "`"), label + ": " + md);
        }
    }

    @Test
    void namesRunsThatAreNotIntact() throws Exception {
        List<RunResult> runs = Fixtures.results();
        for (RunResult r : runs) {
            Fixtures.Builder b = Fixtures.builder(r.plan());
            if (r.plan().index() == 5) {
                b.integrity = "corrupted";
            }
            if (r.plan().index() == 9) {
                b.integrity = "unknown";
            }
            Results.writeRun(dir, b.build());
        }
        String md = Files.readString(Report.write(dir));
        assertTrue(md.contains("2 of 17 runs not intact: `" + runs.get(5).plan().id() + "` (corrupted), `"
                + runs.get(9).plan().id() + "` (unknown)."), md);
    }

    @Test
    void worksWithoutTheSpecCopyAndWithoutBaseline() throws Exception {
        Fixtures.results().stream().filter(r -> !r.plan().baseline()).forEach(r -> Results.writeRun(dir, r));
        String md = Files.readString(Report.write(dir));
        assertTrue(md.contains("spec.yaml is missing"), md);
        assertTrue(md.contains("- Guest: 256 MiB\n"), md);
        assertTrue(md.contains("No baseline runs."), md);
        for (String png : Report.PLOTS) {
            assertTrue(Files.isRegularFile(dir.resolve("plots").resolve(png)), png);
        }
    }

    @Test
    void refusesADirectoryThatIsNotAnExperiment() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Report.write(dir));
        assertTrue(e.getMessage().contains("not an experiment directory"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("report.md")));
    }
}
