package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.testkit.lab.Lab;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parsing half of {@link Lab}; runs with the ITs (this module has no unit-test phase). */
class LabParsingIT {

    @Test
    void parsesStatusLinesAndSkipsTheRest() {
        String status = """
                lab: 2 hosts
                lab-a 10.213.77.11 qemu+tcp://10.213.77.11/system up
                lab-b 10.213.77.12 qemu+tcp://10.213.77.12/system down
                warning: something
                """;
        List<Lab.Host> hosts = Lab.parseStatus(status);
        assertEquals(List.of(
                new Lab.Host("lab-a", "10.213.77.11", "qemu+tcp://10.213.77.11/system", "up"),
                new Lab.Host("lab-b", "10.213.77.12", "qemu+tcp://10.213.77.12/system", "down")), hosts);
        assertTrue(hosts.get(0).up());
        assertFalse(hosts.get(1).up());
        assertEquals("10.213.77.12", Lab.find(hosts, "lab-b").orElseThrow().ip());
        assertTrue(Lab.find(hosts, "lab-c").isEmpty());
    }
}
