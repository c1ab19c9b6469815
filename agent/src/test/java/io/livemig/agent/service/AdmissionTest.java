package io.livemig.agent.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.service.AgentException.Code;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    private static final long MIB = 1 << 20;
    private final AtomicLong now = new AtomicLong(1_000);
    private final Admission admission = new Admission(2, 2, Duration.ofSeconds(60), now::get);

    @Test
    void oneMigrationPerVmAtATime() throws Exception {
        admission.beginOutgoing("vm1");
        AgentException e = assertThrows(AgentException.class, () -> admission.beginOutgoing("vm1"));
        assertEquals(Code.ALREADY_EXISTS, e.code());
        admission.endOutgoing("vm1");
        admission.beginOutgoing("vm1");
    }

    @Test
    void outgoingLimit() throws Exception {
        admission.beginOutgoing("a");
        admission.beginOutgoing("b");
        AgentException e = assertThrows(AgentException.class, () -> admission.beginOutgoing("c"));
        assertEquals(Code.RESOURCE_EXHAUSTED, e.code());
        admission.endOutgoing("a");
        admission.beginOutgoing("c");
        assertEquals(2, admission.outgoing());
    }

    @Test
    void reservationsCountAgainstFreeMemory() throws Exception {
        admission.reserveIncoming("a", 600 * MIB, 1024 * MIB, 256 * MIB);
        AgentException e = assertThrows(AgentException.class,
                () -> admission.reserveIncoming("b", 300 * MIB, 1024 * MIB, 256 * MIB));
        assertEquals(Code.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("600 MiB promised"), e.getMessage());
    }

    @Test
    void reservationsExpire() throws Exception {
        admission.reserveIncoming("a", 600 * MIB, 1024 * MIB, 256 * MIB);
        now.addAndGet(60_000);
        assertEquals(0, admission.reservedBytes());
        admission.reserveIncoming("b", 600 * MIB, 1024 * MIB, 256 * MIB);
    }

    @Test
    void claimedReservationBecomesAnIncomingMigration() throws Exception {
        var r = admission.reserveIncoming("a", 100 * MIB, 1024 * MIB, 0);
        assertTrue(admission.claim(r.id()).isPresent());
        assertEquals(0, admission.reservedBytes());
        assertEquals(1, admission.incoming());
        assertTrue(admission.claim(r.id()).isEmpty());
        admission.endIncoming();
        assertEquals(0, admission.incoming());
    }

    @Test
    void incomingLimitCountsReservations() throws Exception {
        admission.reserveIncoming("a", MIB, 1024 * MIB, 0);
        admission.reserveIncoming("b", MIB, 1024 * MIB, 0);
        AgentException e = assertThrows(AgentException.class, () -> admission.reserveIncoming("c", MIB, 1024 * MIB, 0));
        assertEquals(Code.RESOURCE_EXHAUSTED, e.code());
    }

    @Test
    void sameVmCannotArriveTwice() throws Exception {
        admission.reserveIncoming("a", MIB, 1024 * MIB, 0);
        AgentException e = assertThrows(AgentException.class, () -> admission.reserveIncoming("a", MIB, 1024 * MIB, 0));
        assertEquals(Code.ALREADY_EXISTS, e.code());
    }

    @Test
    void theSameSourceAskingAgainReplacesItsReservationAnotherSourceIsRefused() throws Exception {
        var first = admission.reserveIncoming("a", "lab-a", 100 * MIB, 1024 * MIB, 0);
        var again = admission.reserveIncoming("a", "lab-a", 100 * MIB, 1024 * MIB, 0);
        assertNotEquals(first.id(), again.id());
        assertEquals(100 * MIB, admission.reservedBytes(), "the earlier reservation is gone");
        assertEquals(false, admission.cancel(first.id()));
        AgentException e = assertThrows(AgentException.class,
                () -> admission.reserveIncoming("a", "lab-c", 100 * MIB, 1024 * MIB, 0));
        assertEquals(Code.ALREADY_EXISTS, e.code());
    }
}
