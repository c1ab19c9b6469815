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
        return runs;
    }

    @Test
    void writesTheSummaryTables() throws Exception {
        List<RunResult> runs = writeExperiment();
        Path report = Report.write(dir);
        assertEquals(dir.resolve("report.md"), report);
        String md = Files.readString(report);

        assertTrue(md.startsWith("# Experiment synth\n"), md);
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
        assertTrue(md.contains("| precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 1100 / 2200 | 0.50 | 110 / 330 | 0.33 "
                + "| 35.2 / 70.4 | 0.50 |\n"), md);
        // Postcopy at 32 MiB/s: only repetition 1 of livemig succeeded, 1600 / median(2000, 2400).
        assertTrue(md.contains("| postcopy | 64 MiB @ 32 MiB/s | 32 MiB/s | 1600 / 2200 | 0.73 |"), md);

        // Measured vs model: the model of precopy at 8 MiB/s is 4 passes, 340 MiB, 10625 ms, 125 ms.
        assertTrue(md.contains("## Measured vs model"), md);
        assertTrue(md.contains("| precopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 4 / 4 (1.00) | 35.2 / 340.0 (0.10) "
                + "| 1100 / 10625 (0.10) | 110 / 125 (0.88) | yes |\n"), md);
        // Post-copy's model downtime is 0: no ratio.
        assertTrue(md.contains("| postcopy | 64 MiB @ 8 MiB/s | 32 MiB/s | 2 / 1 (2.00) | 52.8 / 320.0 (0.17) "
                + "| 1650 / 10000 (0.17) | 22 / 0 (n/a) | yes |\n"), md);

        assertTrue(md.contains("All 17 runs intact"), md);
        assertTrue(md.contains("- `" + failedId(runs) + "`: failed: guest unreachable after switch-over\n"), md);
        assertFalse(md.contains("stack trace"), md);

        for (String png : Report.PLOTS) {
            assertTrue(md.contains("](plots/" + png + ")"), png);
        }
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
