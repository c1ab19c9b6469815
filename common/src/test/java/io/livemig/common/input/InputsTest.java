package io.livemig.common.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InputsTest {

    @ParameterizedTest
    @ValueSource(strings = {"web1", "db-1.prod", "a", "vm_2+x", "A123456789012345678901234567890123456789012345678901234567890123"})
    void acceptsVmNamesLibvirtAndPeopleUse(String name) {
        assertEquals(Optional.empty(), Inputs.vmName(name));
    }

    /** Each refused name gets the reason that applies to it, on one line. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "NULL                | VM name is required",
        "''                  | VM name is required",
        "a/b                 | VM name 'a/b' contains '/'",
        "../etc              | VM name '../etc' contains '/'",
        "web\\n1             | VM name 'web\\u000a1' contains a control character",
        "web\\u00001         | VM name 'web\\u00001' contains a control character",
        "'bad name'          | invalid VM name 'bad name' (1-64 letters, digits, '_', '.', '+', '-', starting with a letter or digit)",
        "-rf                 | invalid VM name '-rf' (1-64 letters, digits, '_', '.', '+', '-', starting with a letter or digit)",
        "vm;reboot           | invalid VM name 'vm;reboot' (1-64 letters, digits, '_', '.', '+', '-', starting with a letter or digit)",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA | VM name 'AAAAAAAAAAAAAAAAAAAA...' is 65 characters long, at most 64 are allowed",
    })
    void refusesBadVmNamesWithTheReason(String name, String message) {
        String real = name == null ? null : name.replace("\\n", "\n").replace("\\u0000", "\u0000");
        assertEquals(Optional.of(message), Inputs.vmName(real));
    }

    @Test
    void hostNamesFollowTheClusterFile() {
        assertEquals(Optional.empty(), Inputs.hostName("lab-a"));
        assertEquals(Optional.of("host name is required"), Inputs.hostName(""));
        assertEquals(Optional.of("invalid host name 'lab+a' (1-63 letters, digits, '_', '.', '-', starting with a letter or digit)"),
                Inputs.hostName("lab+a"));
        assertEquals(Optional.of("host name '" + "h".repeat(20) + "...' is 64 characters long, at most 63 are allowed"),
                Inputs.hostName("h".repeat(64)));
    }

    @Test
    void idsAreShortAndPlain() {
        assertEquals(Optional.empty(), Inputs.id("migration_id", "m-000042"));
        assertEquals(Optional.empty(), Inputs.id("migration_id", "3f1c9a52-8f0e-4c55-a7a4-0b8f3e4b8a10"));
        assertEquals(Optional.of("migration_id is required"), Inputs.id("migration_id", ""));
        assertEquals(Optional.of("migration_id 'm/1' contains '/'"), Inputs.id("migration_id", "m/1"));
    }

    /** Ranges say what is allowed; a uint64 above Long.MAX_VALUE is shown as sent, not as a negative. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0      | 0      | 0      | 0  | ",
        "1      | 1      | 1      | 2  | ",
        "60000  | 100000 | 86400  | 32 | ",
        "60001  | 0      | 0      | 0  | max_downtime_ms must be 0 (default) or 1..60000, got 60001",
        "-1     | 0      | 0      | 0  | max_downtime_ms must be 0 (default) or 1..60000, got 18446744073709551615",
        "0      | 100001 | 0      | 0  | bandwidth_mibps must be 0 (default) or 1..100000, got 100001",
        "0      | -5     | 0      | 0  | bandwidth_mibps must be 0 (default) or 1..100000, got 18446744073709551611",
        "0      | 0      | 86401  | 0  | timeout_s must be 0 (default) or 1..86400, got 86401",
        "0      | 0      | 0      | 1  | parallel_connections must be 0 (default) or 2..32, got 1",
        "0      | 0      | 0      | 33 | parallel_connections must be 0 (default) or 2..32, got 33",
    })
    void migrationNumbersHaveRanges(long downtime, long bandwidth, long timeout, long parallel, String message) {
        assertEquals(Optional.ofNullable(message), Inputs.migrationNumbers(downtime, bandwidth, timeout, parallel));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "lab-a:7070    | ",
        "[fe80::1]:7070 | ",
        "''            | agent is required (host:port)",
        "lab-a         | agent must be host:port, got 'lab-a'",
        "lab-a:http    | agent must be host:port, got 'lab-a:http'",
        "lab-a:0       | agent port must be 1..65535, got 0",
        "lab-a:70700   | agent port must be 1..65535, got 70700",
    })
    void addressesAreHostAndPort(String address, String message) {
        assertEquals(Optional.ofNullable(message), Inputs.hostPort("agent", address));
    }

    @Test
    void steeringRangesDifferFromStartRanges() {
        assertEquals(Optional.of("max_downtime_ms must be 1..60000, got 0"), Inputs.SET_MAX_DOWNTIME_MS.check(0));
        assertEquals(Optional.empty(), Inputs.SET_BANDWIDTH_MIBPS.check(0));
        assertEquals(Optional.of("memory_bytes must be 1048576..17592186044416, got 0"), Inputs.MEMORY_BYTES.check(0));
        assertEquals(Optional.of("bandwidth_mibps must be 0..100000, got -1"), Inputs.SET_BANDWIDTH_MIBPS.check(-1));
        assertEquals(Optional.of("bandwidth_mibps must be 0..100000, got 18446744073709551615"),
                Inputs.SET_BANDWIDTH_MIBPS.checkUnsigned(-1));
    }
}
