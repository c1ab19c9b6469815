package io.livemig.common.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TimelineTest {

    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

    private void advanceMs(long ms) {
        nanos.addAndGet(ms * 1_000_000);
    }

    @Test
    void phasesFollowEachOtherWithoutGapOrOverlap() {
        Timeline t = Timeline.begin("agent", "vm_check", nanos::get);
        advanceMs(3);
        t.next("source_xml");
        advanceMs(40);
        t.next("target_prepare");
        advanceMs(700);
        t.end();

        assertEquals(List.of(
                new Phase("vm_check", "agent", 0, 3),
                new Phase("source_xml", "agent", 3, 40),
                new Phase("target_prepare", "agent", 43, 700)), t.phases());
        assertNull(t.running());
    }

    @Test
    void roundingNeverOpensAGapBetweenPhases() {
        Timeline t = Timeline.begin("agent", "a", nanos::get);
        nanos.addAndGet(1_600_000); // 1.6 ms
        t.next("b");
        nanos.addAndGet(1_600_000); // 3.2 ms in all
        t.end();

        List<Phase> p = t.phases();
        assertEquals(p.get(0).endMs(), p.get(1).startMs());
        assertEquals(3, p.get(1).endMs(), "the last phase ends where the clock says: " + p);
    }

    @Test
    void theRunningPhaseIsShownUpToNow() {
        Timeline t = Timeline.begin("orchestrator", "request", nanos::get);
        advanceMs(2);
        t.next("placement");
        advanceMs(9);

        assertEquals(List.of(new Phase("request", "orchestrator", 0, 2), new Phase("placement", "orchestrator", 2, 9)),
                t.phases());
        assertEquals("placement", t.running());
        assertEquals(11, t.elapsedMs());
    }

    @Test
    void namingTheRunningPhaseAgainGoesOn() {
        Timeline t = Timeline.begin("agent", "job", nanos::get);
        advanceMs(5);
        t.next("job");
        advanceMs(5);
        t.end();

        assertEquals(List.of(new Phase("job", "agent", 0, 10)), t.phases());
    }

    @Test
    void aPhaseCannotBeNegative() {
        assertThrows(IllegalArgumentException.class, () -> new Phase("job", "agent", 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new Phase(" ", "agent", 0, 1));
    }
}
