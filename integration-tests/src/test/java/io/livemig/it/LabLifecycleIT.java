package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The lab.sh contract the other ITs rely on: idempotent up, status that tells the truth, clean down. */
@RequiresRoot
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabLifecycleIT {

    private static final Duration UP = Duration.ofMinutes(5);
    private static final Duration DOWN = Duration.ofMinutes(3);
    private static final Duration QUICK = Duration.ofMinutes(1);

    private static Lab lab;

    @BeforeAll
    static void needsRoot() {
        if (!Lab.runningAsRoot()) {
            return; // every test is skipped by @RequiresRoot, with the reason
        }
        lab = Lab.ofThisRepository();
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.run(DOWN, "down");
        }
    }

    @Test
    @Order(1)
    void upIsIdempotentAndDownStopsEverything() {
        Lab.Result first = lab.run(UP, "up", "--hosts", "2");
        assertTrue(first.ok(), first::describe);
        Lab.Result second = lab.run(UP, "up", "--hosts", "2");
        assertTrue(second.ok(), second::describe);

        Lab.Result status = lab.run(QUICK, "status");
        assertTrue(status.ok(), status::describe);
        List<Lab.Host> hosts = Lab.parseStatus(status.output());
        assertEquals(List.of("lab-a", "lab-b"), hosts.stream().map(Lab.Host::name).toList(), status::describe);
        assertTrue(hosts.stream().allMatch(Lab.Host::up), status::describe);

        Lab.Result down = lab.run(DOWN, "down");
        assertTrue(down.ok(), down::describe);
        Lab.Result afterDown = lab.run(QUICK, "status");
        assertFalse(afterDown.timedOut(), afterDown::describe);
        assertNotEquals(0, afterDown.exitCode(), afterDown::describe);

        Lab.Result again = lab.run(UP, "up", "--hosts", "2");
        assertTrue(again.ok(), again::describe);
    }

    @Test
    @Order(2)
    void aDestroyedGuestFailsItsCheck() {
        Lab.Result up = lab.run(UP, "up", "--hosts", "2");
        assertTrue(up.ok(), up::describe);
        String vm = "it-destroyed";
        Lab.Result destroy;
        try {
            Lab.Result create = lab.run(Duration.ofMinutes(3), "vm", "create", vm, "--host", "lab-a");
            assertTrue(create.ok(), create::describe);
        } finally {
            destroy = lab.run(Duration.ofMinutes(2), "vm", "destroy", vm);
        }
        assertTrue(destroy.ok(), destroy::describe);

        Lab.Result check = lab.run(QUICK, "vm", "check", vm);
        assertFalse(check.timedOut(), check::describe);
        assertNotEquals(0, check.exitCode(), check::describe);
    }
}
