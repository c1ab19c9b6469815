package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lab.sh contract the other ITs rely on: idempotent up, status that tells the truth, clean down,
 * and a vm check that passes only for a guest whose workload goes on verifying its memory, and
 * fails for a corrupted or destroyed one.
 */
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
            lab.run(Duration.ofMinutes(2), "vm", "destroy", VM);
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

    /** One guest for the checks below, made once (guests are slow to boot under TCG). */
    private static final String VM = "it-check";

    /**
     * vm check passes for a running guest only when its workload makes progress: the sweeps and
     * verified pages it reports grow during the check, or since an earlier reading.
     */
    @Test
    @Order(2)
    void aRunningGuestPassesItsCheckOnlyWhileItsWorkloadVerifies() {
        Lab.Result up = lab.run(UP, "up", "--hosts", "2");
        assertTrue(up.ok(), up::describe);
        Lab.Result create = lab.run(Duration.ofMinutes(3), "vm", "create", VM, "--host", "lab-a", "--mem", "128",
                "--dirty-mib", "16", "--dirty-rate", "4");
        assertTrue(create.ok(), create::describe);

        Lab.Result first = lab.awaitSuccess(Duration.ofSeconds(60), Duration.ofSeconds(2), "vm", "check", VM);
        assertTrue(first.ok(), first::describe);
        assertTrue(first.output().contains("host=lab-a ") && first.output().contains("integrity=ok")
                && first.output().contains("progress=yes"), first::describe);
        long[] r1 = readings(first);
        long[] since = readings(first, "since");
        assertTrue(r1[0] > since[0] && r1[1] > since[1], "the counters did not grow during the check: " + first.describe());

        // Since an earlier reading: passes, and the counters are past it.
        Lab.Result later = lab.run(QUICK, "vm", "check", VM, "--since", Lab.reading(first));
        assertTrue(later.ok(), later::describe);
        long[] r2 = readings(later);
        assertTrue(r2[0] > r1[0] && r2[1] > r1[1], later::describe);

        // A reading the workload has not reached (as after a restart from zero) fails the check.
        Lab.Result ahead = lab.exec(QUICK, List.of(lab.root().resolve("scripts/lab.sh").toString(), "vm", "check", VM,
                "--since", (r2[0] + 1_000_000) + ":" + (r2[1] + 1_000_000_000L)), Map.of("LIVEMIG_CHECK_PROGRESS_S", "3"));
        assertEquals(1, ahead.exitCode(), ahead::describe);
        assertTrue(ahead.output().contains("progress=no") && ahead.output().contains("stalled: "), ahead::describe);

        Lab.Result bad = lab.run(QUICK, "vm", "check", VM, "--since", "12");
        assertEquals(2, bad.exitCode(), bad::describe);
    }

    /** A page of the running guest mangled on purpose (the workload's debug hook) is reported. */
    @Test
    @Order(3)
    void aCorruptedPageOfARunningGuestIsReported() throws InterruptedException {
        Lab.Result corrupt = lab.run(QUICK, "vm", "corrupt", VM);
        assertTrue(corrupt.ok(), corrupt::describe);
        assertTrue(corrupt.output().contains("vm " + VM + " corrupted: page="), corrupt::describe);
        // The verifier meets the page on its next pass: await the report, bounded.
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Lab.Result check;
        do {
            check = lab.run(QUICK, "vm", "check", VM);
            if (check.output().contains("integrity=corrupted")) {
                break;
            }
            Thread.sleep(500); // the guest reports on its serial console, which has no event to await
        } while (System.nanoTime() < end);
        assertEquals(1, check.exitCode(), check::describe);
        assertTrue(check.output().contains("integrity=corrupted"), check::describe);
        assertTrue(check.output().contains("corrupted: LMCORRUPT page=") && check.output().contains("reason=content"),
                check::describe);
        // Still alive and answering: only the integrity verdict fails.
        assertTrue(check.output().contains("alive=yes") && check.output().contains("ping=ok"), check::describe);
    }

    @Test
    @Order(4)
    void aDestroyedGuestFailsItsCheck() {
        Lab.Result destroy = lab.run(Duration.ofMinutes(2), "vm", "destroy", VM);
        assertTrue(destroy.ok(), destroy::describe);

        Lab.Result check = lab.run(QUICK, "vm", "check", VM);
        assertFalse(check.timedOut(), check::describe);
        assertNotEquals(0, check.exitCode(), check::describe);
    }

    private static final Pattern SINCE = Pattern.compile("\\bsince=(\\d+):(\\d+)\\b");

    /** sweeps and verified_pages of a vm check output. */
    private static long[] readings(Lab.Result check) {
        String[] r = Lab.reading(check).split(":");
        return new long[] {Long.parseLong(r[0]), Long.parseLong(r[1])};
    }

    /** The baseline (since=S:V) a vm check output compared against. */
    private static long[] readings(Lab.Result check, String since) {
        Matcher m = SINCE.matcher(check.output());
        assertTrue(m.find(), check::describe);
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }
}
