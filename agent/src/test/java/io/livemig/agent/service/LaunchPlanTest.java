package io.livemig.agent.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.migration.LaunchPlan;
import io.livemig.agent.core.migration.MigrationSpec.Compression;
import io.livemig.agent.core.policy.CopyMode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The launch of a migration as the options and the host's settings make it. */
class LaunchPlanTest {

    private static final LaunchPlan.Target SHARED_STORAGE = new LaunchPlan.Target(false, false, false);

    @ParameterizedTest(name = "{0} downtime={1} bandwidth={2} compression={3} parallel={4} autoConverge={5} "
            + "link={6} -> {7} ms, {8} MiB/s, {9} x{10}, {11}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            PRECOPY  | 0    | 0   | -      | 0 | false | 0   | 300  | 0   | NONE   | 1 | LIVE PERSIST_DEST UNDEFINE_SOURCE
            PRECOPY  | 700  | 40  | -      | 0 | false | 0   | 700  | 40  | NONE   | 1 | LIVE PERSIST_DEST UNDEFINE_SOURCE
            PRECOPY  | 2500 | 0   | -      | 0 | true  | 0   | 2500 | 0   | NONE   | 1 | LIVE PERSIST_DEST UNDEFINE_SOURCE AUTO_CONVERGE
            STOPCOPY | 0    | 100 | -      | 0 | false | 0   | 300  | 100 | NONE   | 1 | PERSIST_DEST UNDEFINE_SOURCE
            POSTCOPY | 0    | 0   | -      | 0 | false | 0   | 300  | 0   | NONE   | 1 | LIVE PERSIST_DEST UNDEFINE_SOURCE POSTCOPY
            AUTO     | 0    | 0   | -      | 0 | false | 0   | 300  | 0   | NONE   | 1 | LIVE PERSIST_DEST UNDEFINE_SOURCE POSTCOPY AUTO_CONVERGE
            AUTO     | 0    | 0   | -      | 4 | false | 50  | 300  | 0   | ZSTD   | 4 | LIVE PERSIST_DEST UNDEFINE_SOURCE POSTCOPY AUTO_CONVERGE
            AUTO     | 0    | 0   | -      | 0 | false | 50  | 300  | 0   | XBZRLE | 1 | LIVE PERSIST_DEST UNDEFINE_SOURCE POSTCOPY AUTO_CONVERGE
            AUTO     | 0    | 0   | -      | 0 | false | 500 | 300  | 0   | NONE   | 1 | LIVE PERSIST_DEST UNDEFINE_SOURCE POSTCOPY AUTO_CONVERGE
            PRECOPY  | 0    | 0   | XBZRLE | 0 | false | 0   | 300  | 0   | XBZRLE | 1 | LIVE PERSIST_DEST UNDEFINE_SOURCE
            PRECOPY  | 0    | 0   | ZSTD   | 8 | false | 0   | 300  | 0   | ZSTD   | 8 | LIVE PERSIST_DEST UNDEFINE_SOURCE
            """)
    void fromTheOptions(CopyMode mode, long downtimeMs, long bandwidthMiBps, Compression compression, int parallel,
            boolean autoConverge, long linkMiBps, long expectedDowntimeMs, long expectedBandwidthMiBps,
            Compression expectedCompression, int expectedParallel, String expectedFlags) {
        MigrationOptionsValue options = new MigrationOptionsValue(mode, downtimeMs, bandwidthMiBps, 0, autoConverge,
                compression, parallel, true, true);
        LaunchPlan plan = LaunchPlan.of(mode, autoConverge, PolicyInputs.settings(options, linkMiBps),
                SHARED_STORAGE);
        assertEquals(expectedDowntimeMs, plan.maxDowntimeMs());
        assertEquals(expectedBandwidthMiBps, plan.bandwidthMiBps());
        assertEquals(expectedCompression, plan.compression());
        assertEquals(expectedParallel, plan.parallelConnections());
        assertEquals(flags(expectedFlags), plan.flags());
        assertTrue(!plan.compressionReason().isEmpty());
    }

    @ParameterizedTest(name = "copies disks {0}, declared shared storage {1}, TLS {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            false | false | false | LIVE PERSIST_DEST UNDEFINE_SOURCE
            true  | false | false | LIVE PERSIST_DEST UNDEFINE_SOURCE NON_SHARED_DISK
            false | true  | false | LIVE PERSIST_DEST UNDEFINE_SOURCE UNSAFE
            false | false | true  | LIVE PERSIST_DEST UNDEFINE_SOURCE TLS
            """)
    void theTargetAddsItsFlags(boolean copiesDisks, boolean declaredShared, boolean tls, String expectedFlags) {
        MigrationOptionsValue options = new MigrationOptionsValue(CopyMode.PRECOPY, 0, 0, 0, false, null, 0, true, true);
        LaunchPlan plan = LaunchPlan.of(CopyMode.PRECOPY, false, PolicyInputs.settings(options, 0),
                new LaunchPlan.Target(copiesDisks, declaredShared, tls));
        assertEquals(flags(expectedFlags), plan.flags());
    }

    @Test
    void postcopyNotAllowedLeavesAutoWithoutThePostcopyFlag() {
        MigrationOptionsValue options = new MigrationOptionsValue(CopyMode.AUTO, 0, 0, 0, false, null, 0, false, true);
        LaunchPlan plan = LaunchPlan.of(CopyMode.AUTO, false, PolicyInputs.settings(options, 0), SHARED_STORAGE);
        assertTrue(!plan.flags().has(MigrationFlag.POSTCOPY), plan.flags().toString());
    }

    /** The options are checked once, when they are made: a value out of range never exists. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            downtime too long     | 60001 | 0      | 0     | 0  | max_downtime_ms must be 0 (default) or 1..60000, got 60001
            bandwidth as uint64   | 0     | -1     | 0     | 0  | bandwidth_mibps must be 0 (default) or 1..100000, got 18446744073709551615
            timeout too long      | 0     | 0      | 86401 | 0  | timeout_s must be 0 (default) or 1..86400, got 86401
            one connection        | 0     | 0      | 0     | 1  | parallel_connections must be 0 (default) or 2..32, got 1
            """)
    void optionsOutOfRangeAreRefusedNamingTheField(String name, long downtimeMs, long bandwidthMiBps, long timeoutS,
            int parallel, String message) {
        AgentException e = assertThrows(AgentException.class, () -> MigrationOptionsValue.checked(CopyMode.AUTO,
                downtimeMs, bandwidthMiBps, timeoutS, false, null, parallel, true, true, null));
        assertEquals(AgentException.Code.INVALID_ARGUMENT, e.code());
        assertEquals(message, e.getMessage());
    }

    private static MigrationFlags flags(String names) {
        return MigrationFlags.of(Arrays.stream(names.split(" ")).map(MigrationFlag::valueOf)
                .toArray(MigrationFlag[]::new));
    }
}
