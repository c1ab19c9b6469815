package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class MigrationFlagsTest {

    /** The values of virDomainMigrateFlags in libvirt-domain.h (libvirt 11). */
    @ParameterizedTest(name = "VIR_MIGRATE_{0} = {1}")
    @CsvSource({
        "LIVE, 1",
        "PEER2PEER, 2",
        "TUNNELLED, 4",
        "PERSIST_DEST, 8",
        "UNDEFINE_SOURCE, 16",
        "PAUSED, 32",
        "NON_SHARED_DISK, 64",
        "NON_SHARED_INC, 128",
        "CHANGE_PROTECTION, 256",
        "UNSAFE, 512",
        "OFFLINE, 1024",
        "COMPRESSED, 2048",
        "ABORT_ON_ERROR, 4096",
        "AUTO_CONVERGE, 8192",
        "RDMA_PIN_ALL, 16384",
        "POSTCOPY, 32768",
        "TLS, 65536",
        "PARALLEL, 131072",
        "NON_SHARED_SYNCHRONOUS_WRITES, 262144",
        "POSTCOPY_RESUME, 524288",
        "ZEROCOPY, 1048576",
    })
    void flagValuesMatchLibvirt(MigrationFlag flag, long libvirtValue) {
        assertEquals(libvirtValue, flag.bit());
    }

    @Test
    void everyFlagIsInTheTableAbove() {
        assertEquals(21, MigrationFlag.values().length);
    }

    @Test
    void liveMoveIsLivePersistDestUndefineSource() {
        MigrationFlags flags = MigrationFlags.liveMove();
        assertEquals(1 | 8 | 16, flags.toLibvirt());
        assertEquals("LIVE|PERSIST_DEST|UNDEFINE_SOURCE", flags.toString());
    }

    @ParameterizedTest
    @CsvSource({"0", "1", "25", "8217", "32793", "3", "7", "2097023"})
    void libvirtValuesRoundTrip(long bits) {
        assertEquals(bits, MigrationFlags.fromLibvirt(bits).toLibvirt());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "4; TUNNELLED needs PEER2PEER",
        "192; NON_SHARED_DISK and NON_SHARED_INC are mutually exclusive",
        "1024; OFFLINE needs PERSIST_DEST",
        "262144; NON_SHARED_SYNCHRONOUS_WRITES needs NON_SHARED_DISK or NON_SHARED_INC",
    })
    void rejectsCombinationsLibvirtDocumentsAsInvalid(long bits, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MigrationFlags.fromLibvirt(bits));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void rejectsBitsLibvirtDoesNotDefine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MigrationFlags.fromLibvirt(1L << 21 | 1));
        assertTrue(e.getMessage().contains("0x200000"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = MigrationFlag.class, names = {"AUTO_CONVERGE", "POSTCOPY", "COMPRESSED", "PEER2PEER"})
    void addsFlagsWithoutChangingTheOriginal(MigrationFlag extra) {
        MigrationFlags base = MigrationFlags.liveMove();
        MigrationFlags more = base.with(extra);
        assertTrue(more.has(extra));
        assertEquals(base.toLibvirt() | extra.bit(), more.toLibvirt());
        assertEquals(25, base.toLibvirt());
    }

    @Test
    void theSetCannotBeChangedFromOutside() {
        MigrationFlags flags = new MigrationFlags(Set.of(MigrationFlag.LIVE));
        assertThrows(UnsupportedOperationException.class, () -> flags.flags().add(MigrationFlag.PAUSED));
        assertEquals(0, new MigrationFlags(null).toLibvirt());
    }
}
