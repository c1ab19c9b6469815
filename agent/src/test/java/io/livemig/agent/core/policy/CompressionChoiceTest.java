package io.livemig.agent.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.migration.MigrationSpec.Compression;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompressionChoiceTest {

    // configured: empty = let the policy choose; dirty: -1 = unknown
    @ParameterizedTest(name = "{0} configured={1} link={2} MiB/s x{3} dirty={4} MiB/s -> {5}")
    @CsvSource(delimiter = '|', textBlock = """
            AUTO     |        | 0    | 1 | -1 | NONE   | link rate unknown
            AUTO     |        | 1000 | 1 | -1 | NONE   | is fast
            AUTO     |        | 128  | 4 | -1 | NONE   | is fast
            AUTO     |        | 127  | 4 | -1 | ZSTD   | multifd
            AUTO     |        | 30   | 2 | 30 | ZSTD   | multifd
            AUTO     |        | 30   | 1 | -1 | XBZRLE | dirty rate is unknown
            AUTO     |        | 30   | 0 | 30 | XBZRLE | re-dirties 100%
            AUTO     |        | 30   | 1 | 3  | XBZRLE | re-dirties 10%
            AUTO     |        | 30   | 1 | 2  | NONE   | nothing to gain
            PRECOPY  |        | 30   | 4 | 30 | NONE   | only AUTO
            POSTCOPY |        | 30   | 1 | 30 | NONE   | only AUTO
            PRECOPY  | ZSTD   | 1000 | 4 | -1 | ZSTD   | configured
            AUTO     | NONE   | 30   | 4 | 30 | NONE   | configured
            STOPCOPY | XBZRLE | 30   | 1 | 0  | XBZRLE | configured
            """)
    void compressesOnlyWhenTheLinkIsTheBottleneck(CopyMode mode, Compression configured, long linkMiBps,
            int connections, long dirtyMiBps, Compression expected, String because) {
        PolicySettings settings = PolicySettings.builder().compression(configured).linkMiBps(linkMiBps)
                .parallelConnections(connections).build();
        CompressionChoice choice = CompressionChoice.chooseCompression(mode, settings,
                dirtyMiBps < 0 ? -1 : dirtyMiBps << 20);
        assertEquals(expected, choice.compression(), choice.reason());
        assertTrue(choice.reason().contains(because), choice.reason());
    }
}
