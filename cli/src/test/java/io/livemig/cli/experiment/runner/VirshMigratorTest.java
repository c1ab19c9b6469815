package io.livemig.cli.experiment.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
}
