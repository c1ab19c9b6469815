package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigrationRequestTest {

    private static final String A = "qemu+tcp://10.213.77.11/system";
    private static final String B = "qemu+tcp://10.213.77.12/system";

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "none", value = {
        "qemu+tcp://10.213.77.12/system, tcp:10.213.77.12",
        "qemu+ssh://root@host-b.example:2222/system, tcp:host-b.example",
        "qemu+tcp://[fd00::12]/system, tcp:[fd00::12]",
        "qemu:///system, none",
        "test:///default, none",
        "not a uri, none",
    })
    void derivesTheMigrationUriFromTheDestinationHost(String destination, String expected) {
        assertEquals(Optional.ofNullable(expected), MigrationRequest.defaultMigrateUri(destination));
    }

    @Test
    void liveMoveUsesTheDestinationHostUnlessToldOtherwise() {
        MigrationRequest derived = MigrationRequest.liveMove("vm1", A, B, null);
        assertEquals("tcp:10.213.77.12", derived.migrateUri());
        assertEquals(MigrationFlags.liveMove(), derived.flags());
        assertEquals(Duration.ofMillis(250), derived.pollInterval());
        assertEquals(0, derived.bandwidthMiBps());

        assertEquals("tcp:192.168.0.12:49152", MigrationRequest.liveMove("vm1", A, B, "tcp:192.168.0.12:49152").migrateUri());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "blank VM name|' '|" + A + "|" + B + "|none|VM name is required",
        "same hosts|vm1|" + A + "|" + A + "|none|source and destination are the same",
        "bad migrate URI|vm1|" + A + "|" + B + "|10.213.77.12|migration URI must look like tcp:",
        "missing source|vm1|none|" + B + "|none|source URI is required",
    })
    void rejectsRequestsThatCannotWork(String name, String vm, String from, String to, String migrateUri, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MigrationRequest.liveMove(vm, from, to, migrateUri));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void rejectsNonPositivePollIntervalsAndNegativeBandwidth() {
        assertThrows(IllegalArgumentException.class,
                () -> new MigrationRequest("vm", A, B, null, MigrationFlags.liveMove(), 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new MigrationRequest("vm", A, B, null, MigrationFlags.liveMove(), -1, Duration.ofMillis(1)));
    }
}
