package io.livemig.cli.experiment.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.experiment.runner.VirshMigrator.DowntimeStep;
import io.livemig.cli.experiment.runner.VirshMigrator.Figure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VirshMigratorTest {

    /** `virsh domjobinfo VM --completed --rawstats` after a post-copy migration (libvirt 11.3, lab). */
    private static final String RAW = """
            Job type: 3

            operation: 4
            time_elapsed: 3775
            time_elapsed_net: 3773
            downtime: 4
            downtime_net: 2
            setup_time: 1
            memory_total: 135012352
            memory_processed: 133698296
            memory_iteration: 3
            memory_postcopy_requests: 712
            """;

    @Test
    void readsLibvirtsTypedParameters() {
        Map<String, Long> stats = VirshMigrator.rawStats(RAW);
        assertEquals(3775L, stats.get("time_elapsed"));
        assertEquals(4L, stats.get("downtime"));
        assertEquals(133698296L, stats.get("memory_processed"));
        assertEquals(712L, stats.get("memory_postcopy_requests"));
        assertFalse(stats.containsKey("Job type"), "the header is not a statistic");
    }

    private static final String SRC = "qemu+tcp://10.0.0.1/system";
    private static final String DST = "qemu+tcp://10.0.0.2/system";

    @Test
    void precopyArgvCarriesTheCellsTimeoutWithSuspendAndTheBandwidth() {
        assertEquals(List.of("virsh", "-c", SRC, "migrate", "--live", "--persistent", "--unsafe", "--xml", "/tmp/d.xml",
                "--persistent-xml", "/tmp/d.xml", "--timeout", "45", "--timeout-suspend", "--bandwidth", "32", "exp-classic",
                DST, "--migrateuri", "tcp://10.0.0.2:49152"),
                VirshMigrator.migrateArgv(SRC, "exp-classic", DST, "tcp://10.0.0.2:49152", "precopy", 32, 45, "/tmp/d.xml"));
    }

    @Test
    void postcopyArgvSwitchesAfterThePassForcesItAtTheTimeoutAndLimitsBothPhases() {
        List<String> argv = VirshMigrator.migrateArgv(SRC, "vm", DST, "tcp://x:1", "postcopy", 64, 120, "/tmp/d.xml");
        assertEquals(List.of("virsh", "-c", SRC, "migrate", "--live", "--persistent", "--unsafe", "--xml", "/tmp/d.xml",
                "--persistent-xml", "/tmp/d.xml", "--postcopy", "--postcopy-after-precopy", "--timeout", "120",
                "--timeout-postcopy", "--bandwidth", "64", "--postcopy-bandwidth", "64", "vm", DST, "--migrateuri",
                "tcp://x:1"), argv);
        assertFalse(argv.contains("--timeout-suspend"));
    }

    @Test
    void anUnlimitedLinkHasNoBandwidthFlagsAndNoTimeoutMeansNoTimeoutFlags() {
        List<String> argv = VirshMigrator.migrateArgv(SRC, "vm", DST, "tcp://x:1", "postcopy", 0, 0, "/tmp/d.xml");
        assertFalse(argv.contains("--bandwidth"), argv.toString());
        assertFalse(argv.contains("--postcopy-bandwidth"), argv.toString());
        assertFalse(argv.contains("--timeout"), argv.toString());
        assertFalse(argv.contains("--timeout-postcopy"), argv.toString());
        assertTrue(argv.contains("--postcopy-after-precopy"), argv.toString());
    }

    @Test
    void modesWithoutABaselineAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> VirshMigrator.migrateArgv(SRC, "vm", DST, "tcp://x:1", "auto", 32, 120, "/tmp/d.xml"));
        assertThrows(IllegalArgumentException.class,
                () -> VirshMigrator.migrateArgv(SRC, "vm", DST, "tcp://x:1", "stopcopy", 32, 120, "/tmp/d.xml"));
    }

    @Test
    void theDowntimeCommandIsLibvirtsSetMaxDowntimeOnTheSource() {
        assertEquals(List.of("virsh", "-c", SRC, "migrate-setmaxdowntime", "exp-classic", "300"),
                VirshMigrator.setMaxDowntimeArgv(SRC, "exp-classic", 300));
    }

    @Test
    void theDowntimeIsSetOnceTheJobShowsAndNotAfterVirshEndedOrTheLimit() {
        assertEquals(DowntimeStep.WAIT, VirshMigrator.nextDowntimeStep(true, false, 100, 30_000));
        assertEquals(DowntimeStep.SET, VirshMigrator.nextDowntimeStep(true, true, 100, 30_000));
        // Seen active at the limit: still set, it is what the look found.
        assertEquals(DowntimeStep.SET, VirshMigrator.nextDowntimeStep(true, true, 30_000, 30_000));
        assertEquals(DowntimeStep.GAVE_UP, VirshMigrator.nextDowntimeStep(true, false, 30_000, 30_000));
        assertEquals(DowntimeStep.ENDED, VirshMigrator.nextDowntimeStep(false, true, 100, 30_000));
        assertEquals(DowntimeStep.ENDED, VirshMigrator.nextDowntimeStep(false, false, 40_000, 30_000));
    }

    @Test
    void aJobIsActiveWhenDomjobinfoShowsOneUnderWay() {
        assertTrue(VirshMigrator.jobActive("""
                Job type:         Unbounded
                Operation:        Outgoing migration
                Time elapsed:     412          ms
                """));
        assertTrue(VirshMigrator.jobActive("Job type: 2\noperation: 5\n"));
        assertFalse(VirshMigrator.jobActive("Job type:         None        \n"));
        assertFalse(VirshMigrator.jobActive("Job type:         Completed\n"));
        assertFalse(VirshMigrator.jobActive("error: failed to get domain 'vm'\n"));
        assertFalse(VirshMigrator.jobActive(""));
    }

    @Test
    void theDowntimeOutcomeSaysWhetherItWasAppliedWhileTheJobRan() {
        assertEquals("applied 140 ms after start", VirshMigrator.downtimeOutcome(0, "", true, 140));
        assertEquals("set 900 ms after start, but the job had ended by the next look",
                VirshMigrator.downtimeOutcome(0, "", false, 900));
        assertEquals("not applied: error: Requested operation is not valid: domain is not running",
                VirshMigrator.downtimeOutcome(1, "error: failed to set\nerror: Requested operation is not valid: "
                        + "domain is not running\n", true, 50));
        assertEquals("not applied: exit 1", VirshMigrator.downtimeOutcome(1, "  \n", false, 50));
    }

    @Test
    void bytesAreDataProcessedAsLivemigsAgentReportsThem() {
        Map<String, Long> stats = VirshMigrator.rawStats(RAW + "data_total: 140000000\ndata_processed: 138912345\n");
        assertEquals(new Figure("data_processed", 138912345L), VirshMigrator.bytes(stats));
        // Without data_processed: memory_processed, named as such.
        assertEquals(new Figure("memory_processed", 133698296L), VirshMigrator.bytes(VirshMigrator.rawStats(RAW)));
        assertNull(VirshMigrator.bytes(Map.of("time_elapsed", 5L)));
    }
}
