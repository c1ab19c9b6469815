package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code livemig experiment run scripts/experiments/quick.yaml} on the lab, then the report's
 * invariants: every run has a series (livemig runs), a downtime measured from outside the guest,
 * an integrity verdict, and the baseline has its rows.
 */
@RequiresRoot
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ExperimentIT {

    private static Lab lab;

    @TempDir
    Path out;

    @BeforeAll
    static void startLab() {
        Lab.Up up = Lab.upForTests(2);
        lab = up == null ? null : up.lab();
    }

    @AfterAll
    static void stopLab() {
        Lab.downAfterTests(lab);
    }

    @Test
    void theQuickExperimentRecordsEveryRunWithItsSeriesExternalDowntimeIntegrityAndBaseline() throws IOException {
        Path spec = lab.root().resolve("scripts/experiments/quick.yaml");
        Lab.Result r = lab.livemig(Duration.ofMinutes(12), "--cluster", "/var/lib/livemig-lab/cluster.yaml",
                "experiment", "run", spec.toString(), "--out", out.toString(), "--lab-script",
                lab.root().resolve("scripts/lab.sh").toString());
        assertEquals(0, r.exitCode(), r::describe);
        assertFalse(r.output().contains("invariant:"), r::describe);

        List<CSVRecord> rows = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(out.resolve("results.csv"))) {
            CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in).forEach(rows::add);
        }
        // quick.yaml: a warm-up, pre-copy and post-copy through livemig, each beside virsh migrate
        assertEquals(5, rows.size(), rows.toString());
        int baselines = 0;
        for (CSVRecord row : rows) {
            String what = row.get("id");
            assertEquals("succeeded", row.get("status"), what);
            assertEquals("ok", row.get("integrity"), what);
            long external = Long.parseLong(row.get("external_downtime_ms"));
            assertTrue(external >= 0 && external < 30_000, what + ": external downtime " + external);
            // the guest was pinged every 10 ms: the gap covers at least the hypervisor's downtime
            assertTrue(external + 20 >= Long.parseLong(row.get("downtime_ms")), what + ": " + row.toMap());
            assertTrue(Long.parseLong(row.get("heartbeat_gap_ms")) >= 0, what);
            if (Boolean.parseBoolean(row.get("baseline"))) {
                baselines++;
            } else {
                assertTrue(Long.parseLong(row.get("samples")) > 0, what + ": no flight-recorder series");
            }
            assertTrue(Long.parseLong(row.get("model_bytes")) > 0, what + ": no model prediction");
            // Both sides ran under the cell's timeout (quick.yaml: 60 s for both modes), and say how they were run.
            assertEquals("60", row.get("timeout_s"), what);
            String command = row.get("command");
            assertTrue(Boolean.parseBoolean(row.get("baseline"))
                    ? command.startsWith("virsh ") && command.contains(" --timeout 60 ")
                    : command.startsWith("StartMigration ") && command.contains("options.timeout_s=60"), what + ": " + command);
        }
        assertEquals(2, baselines, "one baseline per technique");

        try (Stream<Path> runs = Files.list(out.resolve("runs"))) {
            List<Path> files = runs.toList();
            assertEquals(5, files.size());
            for (Path f : files) {
                JsonNode run = new ObjectMapper().readTree(f.toFile());
                assertFalse(run.path("heartbeats").isEmpty(), f + ": no heartbeats");
                assertFalse(run.path("command").isEmpty(), f + ": no command recorded");
            }
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("livemig vs virsh migrate") && report.contains("Measured vs model"), report);
        assertTrue(report.contains("## Settings") && report.contains("### Commands"), report);
        assertTrue(Files.isRegularFile(out.resolve("experiment.json")), "the provenance is recorded");
        try (Stream<Path> plots = Files.list(out.resolve("plots"))) {
            List<Path> pngs = plots.filter(p -> p.toString().endsWith(".png")).toList();
            assertEquals(6, pngs.size(), pngs.toString());
            for (Path png : pngs) {
                assertTrue(ImageIO.read(png.toFile()).getWidth() > 0, png.toString());
            }
        }
        assertTrue(Files.readString(out.resolve("spec.yaml")).contains("seed: 7"), "the seed is recorded");
    }
}
