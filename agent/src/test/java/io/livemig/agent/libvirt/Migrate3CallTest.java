package io.livemig.agent.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.migration.MigrationSpec.Compression;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.libvirt.TypedIntParameter;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUlongParameter;

/** The spec-to-virDomainMigrate3 mapping, without libvirt. */
class Migrate3CallTest {

    private static final String SRC = "qemu+tcp://10.0.0.1/system";
    private static final String DST = "qemu+tcp://10.0.0.2/system";
    private static final MigrationFlags LIVE = MigrationFlags.of(MigrationFlag.LIVE);

    private static MigrationSpec spec(String migrateUri, MigrationFlags flags, String destXml, String persistXml,
            long bandwidthMiBps, Compression compression, int connections) {
        return new MigrationSpec("vm", SRC, DST, migrateUri, flags, destXml, persistXml, bandwidthMiBps, 0,
                compression, connections);
    }

    static Stream<Arguments> mappings() {
        long live = MigrationFlag.LIVE.bit();
        long compressed = MigrationFlag.COMPRESSED.bit();
        long parallel = MigrationFlag.PARALLEL.bit();
        return Stream.of(
                Arguments.of("plain: URI from the destination host",
                        spec(null, LIVE, null, null, 0, Compression.NONE, 0),
                        Map.of("migrate_uri", "tcp:10.0.0.2"), live),
                Arguments.of("explicit URI, XMLs, bandwidth",
                        spec("tcp:192.0.2.9:49152", LIVE, "<domain/>", "<domain p/>", 40, Compression.NONE, 1),
                        Map.of("migrate_uri", "tcp:192.0.2.9:49152", "destination_xml", "<domain/>",
                                "persistent_xml", "<domain p/>", "bandwidth", 40L), live),
                Arguments.of("post-copy keeps the bandwidth limit after the switch",
                        spec(null, LIVE.with(MigrationFlag.POSTCOPY), null, null, 40, Compression.NONE, 1),
                        Map.of("migrate_uri", "tcp:10.0.0.2", "bandwidth", 40L, "bandwidth.postcopy", 40L),
                        live | MigrationFlag.POSTCOPY.bit()),
                Arguments.of("xbzrle",
                        spec(null, LIVE, null, null, 0, Compression.XBZRLE, 0),
                        Map.of("migrate_uri", "tcp:10.0.0.2", "compression", "xbzrle"), live | compressed),
                Arguments.of("zstd with QEMU's default channels",
                        spec(null, LIVE, null, null, 0, Compression.ZSTD, 0),
                        Map.of("migrate_uri", "tcp:10.0.0.2", "compression", "zstd"), live | compressed | parallel),
                Arguments.of("zstd over 4 connections",
                        spec(null, LIVE, null, null, 0, Compression.ZSTD, 4),
                        Map.of("migrate_uri", "tcp:10.0.0.2", "compression", "zstd", "parallel.connections", 4),
                        live | compressed | parallel),
                Arguments.of("multifd without compression",
                        spec(null, LIVE, null, null, 0, Compression.NONE, 3),
                        Map.of("migrate_uri", "tcp:10.0.0.2", "parallel.connections", 3), live | parallel),
                Arguments.of("stop-and-copy keeps the flags as given",
                        spec(null, MigrationFlags.of(MigrationFlag.PERSIST_DEST), null, null, 0, Compression.NONE, 0),
                        Map.of("migrate_uri", "tcp:10.0.0.2"), MigrationFlag.PERSIST_DEST.bit()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mappings")
    void mapsSpecToParamsAndFlags(String name, MigrationSpec spec, Map<String, Object> params, long flags) {
        Migrate3Call call = Migrate3Call.of(spec);
        assertEquals(params, TypedParams.toMap(call.paramArray()));
        assertEquals(flags, call.flags());
    }

    @Test
    void usesLibvirtsParameterTypes() {
        Migrate3Call call = Migrate3Call.of(spec(null, LIVE, "<domain/>", null, 10, Compression.ZSTD, 2));
        Map<String, Class<?>> types = new LinkedHashMap<>();
        for (TypedParameter p : call.params()) {
            types.put(p.field, p.getClass());
        }
        // libvirt-domain.h: bandwidth is ULLONG, parallel.connections INT, the rest strings.
        assertEquals(Map.of("migrate_uri", TypedStringParameter.class, "destination_xml", TypedStringParameter.class,
                "bandwidth", TypedUlongParameter.class, "compression", TypedStringParameter.class,
                "parallel.connections", TypedIntParameter.class), types);
        assertEquals(List.of("migrate_uri", "destination_xml", "bandwidth", "compression", "parallel.connections"),
                List.copyOf(types.keySet()));
    }

    @Test
    void localUrisGetNoMigrationUri() {
        MigrationSpec spec = new MigrationSpec("vm", "test:///default", "test:///other", null, LIVE, null, null, 0, 0,
                Compression.NONE, 0);
        assertTrue(Migrate3Call.of(spec).params().isEmpty());
    }

    @Test
    void xbzrleRefusesParallelConnections() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Migrate3Call.of(spec(null, LIVE, null, null, 0, Compression.XBZRLE, 2)));
        assertTrue(e.getMessage().contains("XBZRLE"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Migrate3Call.of(
                spec(null, LIVE.with(MigrationFlag.PARALLEL), null, null, 0, Compression.XBZRLE, 0)));
    }
}
