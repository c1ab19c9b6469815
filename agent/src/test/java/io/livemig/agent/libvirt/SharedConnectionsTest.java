package io.livemig.agent.libvirt;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import io.livemig.agent.core.HypervisorException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against libvirt's test driver (test:///default); skipped where libvirt's client library is missing. */
class SharedConnectionsTest {

    private static final String TEST_URI = "test:///default";

    private final SharedConnections connections = new SharedConnections();

    @BeforeAll
    static void needsLibvirt() {
        try {
            LibvirtRuntime.ensureStarted();
        } catch (HypervisorException e) {
            abort("libvirt client library not available: " + e.getMessage());
        }
    }

    @Test
    void callsOneAfterTheOtherShareOneConnectionThatClosingALeaseLeavesOpen() throws Exception {
        LibvirtConnection first = connections.lease(TEST_URI);
        first.close();
        first.close(); // a second close gives nothing back twice
        try (LibvirtConnection second = connections.lease(TEST_URI);
                LibvirtConnection concurrent = connections.lease(TEST_URI)) {
            assertSame(first.connect(), second.connect());
            assertSame(first.connect(), concurrent.connect());
            assertTrue(second.alive());
            assertTrue(second.connect().listAllDomains(0).length > 0);
        }
    }

    @Test
    void aConnectionThatDiedIsReplacedAndTheNextCallWorks() throws Exception {
        LibvirtConnection dead;
        try (LibvirtConnection lease = connections.lease(TEST_URI)) {
            dead = lease;
        }
        dead.connect().close(); // as if the daemon had gone: libvirt no longer reports it alive
        assertFalse(dead.alive());
        try (LibvirtConnection next = connections.lease(TEST_URI)) {
            assertNotSame(dead.connect(), next.connect());
            assertTrue(next.alive());
            assertTrue(next.connect().listAllDomains(0).length > 0);
        }
    }

    @Test
    void retiringWaitsForTheLastUserBeforeClosing() throws Exception {
        LibvirtConnection inUse = connections.lease(TEST_URI);
        connections.close();
        assertTrue(inUse.alive(), "closed under a user");
        assertTrue(inUse.connect().listAllDomains(0).length > 0);
        inUse.close();
        assertFalse(inUse.alive(), "left open after its last user");
    }
}
