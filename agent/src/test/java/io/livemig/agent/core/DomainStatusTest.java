package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DomainStatusTest {

    @ParameterizedTest(name = "{0}/{1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            RUNNING       | 1  | running
            RUNNING       | 2  | running
            RUNNING       | 0  | running
            RUNNING       | 10 | running (post-copy)
            RUNNING       | 11 | running (post-copy failed)
            RUNNING       | 9  | running (crashed)
            RUNNING       | 99 | running
            BLOCKED       | 0  | idle
            PAUSED        | 1  | paused (user)
            PAUSED        | 2  | paused (migrating)
            PAUSED        | 5  | paused (I/O error)
            PAUSED        | 12 | paused (post-copy)
            PAUSED        | 13 | paused (post-copy failed)
            PAUSED        | 0  | paused
            SHUT_OFF      | 3  | shut off (crashed)
            SHUT_OFF      | 1  | shut off (shutdown)
            SHUT_OFF      | 0  | shut off
            CRASHED       | 1  | crashed (panicked)
            SHUTTING_DOWN | 1  | in shutdown (user)
            PM_SUSPENDED  | 0  | pmsuspended
            NO_STATE      | 0  | no state
            """)
    void describesAsVirshDoes(DomainState state, int reason, String text) {
        DomainStatus status = new DomainStatus(state, reason);
        assertEquals(text, status.describe());
        assertEquals(text, status.notableReason().isEmpty() ? status.stateText()
                : status.stateText() + " (" + status.notableReason() + ")");
    }

    /** What libvirt holds a migration job on: queries needing a job of their own wait for it. */
    @ParameterizedTest(name = "{0}/{1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            PAUSED   | 2  | true
            PAUSED   | 12 | true
            PAUSED   | 13 | true
            RUNNING  | 10 | true
            RUNNING  | 11 | true
            RUNNING  | 2  | false
            RUNNING  | 1  | false
            PAUSED   | 1  | false
            PAUSED   | 11 | false
            SHUT_OFF | 5  | false
            """)
    void inMigrationWhenLibvirtHoldsAMigrationJob(DomainState state, int reason, boolean expected) {
        assertEquals(expected, new DomainStatus(state, reason).inMigration());
    }

    /** What a query needing a job of its own waits for: a migration, or QEMU still starting. */
    @ParameterizedTest(name = "{0}/{1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            PAUSED   | 11 | true
            PAUSED   | 2  | true
            RUNNING  | 10 | true
            PAUSED   | 1  | false
            RUNNING  | 1  | false
            SHUT_OFF | 5  | false
            """)
    void jobHeldWhileMigratingOrStartingUp(DomainState state, int reason, boolean expected) {
        assertEquals(expected, new DomainStatus(state, reason).jobHeld());
    }
}
