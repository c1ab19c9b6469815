package io.livemig.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.timeline.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelinesTest {

    @Test
    void aProcessAgeComesFromItsStartTicksAndTheUptime() {
        // Field 22 (start time) is 12345 ticks: 123.45 s after boot; up 130.00 s: 6.55 s old.
        String stat = "4242 (java -cp x) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 19 0 12345 9000000 300 "
                + "18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
        assertEquals(6550, Timelines.sinceStartMs(stat, "130.00 250.10\n"));
    }

    @Test
    void thisProcessIsOlderThanZeroAndYoungerThanTheMachine() {
        long ms = Timelines.sinceProcessStartMs();
        assertTrue(ms > 0 && ms < 365L * 24 * 3600 * 1000, String.valueOf(ms));
    }

    @Test
    void theLineNamesEveryPhaseAndTheirSum() {
        assertEquals("timeline: client_start 800 ms, request 2 ms, rpc 40 ms (842 ms)", Timelines.line(List.of(
                new Phase("client_start", "cli", 0, 800), new Phase("request", "orchestrator", 800, 2),
                new Phase("rpc", "cli", 802, 40))));
        assertEquals("", Timelines.line(List.of()));
    }
}
