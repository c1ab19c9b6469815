package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Faults injected into the lab while guests migrate through the orchestrator, as a user runs
 * them ({@code livemig migrate}, the lab's client configuration, mutual TLS). Whatever breaks,
 * each test ends with {@code lab.sh vm check} passing (alive, intact, answering ping, on exactly
 * one host) and with a history record that says what happened.
 *
 * <p>The faults come from {@code lab.sh fault}: a host's libvirt daemon killed, a host's link to
 * the lab LAN cut and restored, an agent or the orchestrator killed and restarted.
 */
@RequiresRoot
@Timeout(value = 20, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL = Duration.ofMinutes(4);
    private static final Path LAB_DIR = Path.of("/var/lib/livemig-lab");
    /** Slow enough that a pre-copy of a 256 MiB guest lasts about half a minute: time to break something. */
    private static final String SLOW = "8";

    private static Lab lab;
    private final List<String> guests = new ArrayList<>();

    @BeforeAll
    static void startLab() {
        Lab.Up up = Lab.upForTests(3);
        if (up != null) {
            lab = up.lab();
            assertTrue(up.result().output().contains("# orchestrator: "), up.result()::describe);
        }
    }

    @AfterEach
    void mendAndClean() {
        // Whatever a failed test left broken is mended, so the next one starts from a whole lab.
        for (String host : List.of("lab-a", "lab-b", "lab-c")) {
            lab.run(Duration.ofSeconds(30), "fault", "link-up", host);
            lab.run(Duration.ofSeconds(60), "fault", "release-memory", host);
        }
        guests.forEach(g -> lab.run(Duration.ofMinutes(2), "vm", "destroy", g));
    }

    @AfterAll
    static void stopLab() {
        Lab.downAfterTests(lab);
    }

    // --- helpers ----------------------------------------------------------------------------------

    private void create(String name, String host, String... options) {
        List<String> args = new ArrayList<>(List.of("vm", "create", name, "--host", host));
        args.addAll(List.of(options));
        guests.add(name);
        Lab.Result created = lab.run(Duration.ofMinutes(3), args.toArray(String[]::new));
        assertTrue(created.ok(), created::describe);
    }

    /** A 256 MiB guest dirtying 32 MiB at 4 MiB/s: pre-copy converges, slowly under {@link #SLOW}. */
    private void createDirtying(String name) {
        create(name, "lab-a", "--mem", "256", "--dirty-mib", "32", "--dirty-rate", "4", "--disk", "shared");
    }

    private static JsonNode json(Lab.Result r) {
        String out = r.output();
        int start = out.indexOf('{');
        assertTrue(start >= 0, "no JSON: " + r.describe());
        try {
            return JSON.readTree(out.substring(start, out.lastIndexOf('}') + 1));
        } catch (IOException e) {
            throw new AssertionError("unreadable JSON: " + r.describe(), e);
        }
    }

    private static JsonNode json(Path log) throws IOException {
        String out = Files.readString(log);
        int start = out.indexOf('{');
        assertTrue(start >= 0, "no JSON: " + out);
        return JSON.readTree(out.substring(start, out.lastIndexOf('}') + 1));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return file + ": " + e.getMessage();
        }
    }

    private Process startMigrate(Path log, String vm, String to, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("migrate", vm, "--to", to, "--json"));
        args.addAll(List.of(options));
        return lab.startLivemig(log, args.toArray(String[]::new));
    }

    private static void fault(String... args) {
        List<String> all = new ArrayList<>(List.of("fault"));
        all.addAll(List.of(args));
        Lab.Result r = lab.run(Duration.ofMinutes(2), all.toArray(String[]::new));
        assertTrue(r.ok(), r::describe);
    }

    /** vm check passes with the guest on {@code host} (and only there). */
    private static void assertRunsIntactOn(String vm, String host) {
        Lab.Result check = lab.awaitSuccess(Duration.ofSeconds(90), Duration.ofSeconds(2), "vm", "check", vm);
        assertTrue(check.ok(), check::describe);
        assertTrue(check.output().contains("host=" + host + " "), check::describe);
        assertTrue(check.output().contains("integrity=ok") && check.output().contains("ping=ok"), check::describe);
    }

    /** The orchestrator sees the host up again (after a cut link or a restarted agent). */
    private static void awaitHostUp(String host) {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Lab.Result r;
        do {
            r = lab.livemig(Duration.ofSeconds(60), "hosts", "--json");
            if (r.ok()) {
                for (JsonNode h : json(r).path("hosts")) {
                    if (h.path("name").asText().equals(host) && h.path("state").asText().equals("up")) {
                        return;
                    }
                }
            }
        } while (System.nanoTime() < end);
        throw new AssertionError(host + " never came back up: " + r.describe());
    }

    /** What a test does to the lab while the migration runs. */
    @FunctionalInterface
    interface Fault {
        void inject() throws Exception;
    }

    /**
     * Starts {@code livemig migrate VM --to lab-b --json OPTIONS} (from lab-a), injects the fault
     * while it runs, and returns its JSON result once it has ended with {@code expectedExit};
     * {@code mend} runs whatever happens, and the CLI's output goes to the test report.
     */
    private JsonNode migrateThrough(String vm, int expectedExit, Fault fault, Fault mend, String... options)
            throws Exception {
        Path log = Files.createTempFile("fault-", ".log");
        List<String> args = new ArrayList<>(List.of("migrate", vm, "--to", "lab-b", "--json"));
        args.addAll(List.of(options));
        Process cli = lab.startLivemig(log, args.toArray(String[]::new));
        try {
            fault.inject();
            assertTrue(cli.waitFor(4, TimeUnit.MINUTES), () -> "livemig migrate did not end: " + read(log));
            assertEquals(expectedExit, cli.exitValue(), () -> read(log));
            return json(log);
        } finally {
            System.out.println("--- livemig migrate output\n" + read(log));
            cli.destroyForcibly();
            mend.inject();
            Files.deleteIfExists(log);
        }
    }

    // --- refusals: nothing moves ------------------------------------------------------------------

    /** What lab-b's free memory is, as the orchestrator (the lab's client configuration) reports it. */
    private static long freeMiB(String host) {
        Lab.Result hosts = lab.livemig(CALL, "hosts", "--json");
        assertTrue(hosts.ok(), hosts::describe);
        for (JsonNode h : json(hosts).path("hosts")) {
            if (h.path("name").asText().equals(host)) {
                return h.path("memory_free_bytes").asLong() >> 20;
            }
        }
        throw new AssertionError("no " + host + " in " + hosts.describe());
    }

    /**
     * The lab's hosts share one machine, whose free memory (what libvirt, and so each agent,
     * reports) is far more than a lab guest may declare. A memory hog in lab-b's context brings it
     * below the guest's size minus a margin for the test's duration: the guest cannot fit there,
     * by the target's real figure, and the refusal is checked against that figure.
     */
    @Test
    @Order(1)
    void aTargetWithoutEnoughMemoryIsRefusedBeforeAnythingMoves() throws Exception {
        long guestMiB = 6144;
        long marginMiB = 1024;
        // The guest first: under TCG it touches the memory it declares, which the hog then accounts for.
        create("f-big", "lab-a", "--mem", String.valueOf(guestMiB), "--dirty-mib", "16", "--dirty-rate", "4");
        Lab.Result hog = lab.run(Duration.ofMinutes(6), "fault", "hog-memory", "lab-b",
                String.valueOf(guestMiB - marginMiB - 512));
        try {
            assertTrue(hog.ok(), hog::describe);
            // The orchestrator samples its hosts every 2 s: await its view of the hogged memory, bounded.
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long free;
            do {
                free = freeMiB("lab-b");
            } while (free + marginMiB > guestMiB && System.nanoTime() < end);
            long seen = free;
            assertTrue(seen > 0 && seen + marginMiB <= guestMiB,
                    () -> "lab-b reports " + seen + " MiB free: not " + marginMiB + " MiB below the guest's " + guestMiB);
            Lab.Result viaOrchestrator = lab.livemig(CALL, "migrate", "f-big", "--to", "lab-b");
            assertEquals(2, viaOrchestrator.exitCode(), viaOrchestrator::describe);
            assertTrue(viaOrchestrator.output().contains("Host lab-b has ")
                    && viaOrchestrator.output().contains(" MiB free but needs "), viaOrchestrator::describe);
            // The agents refuse it by themselves too (direct, no orchestrator in between), by their own reading.
            assertTrue(freeMiB("lab-b") + marginMiB <= guestMiB, "the hog let go of lab-b's memory");
            Lab.Result direct = lab.livemig(CALL, "--cluster", LAB_DIR.resolve("cluster.yaml").toString(),
                    "migrate", "f-big", "--to", "lab-b");
            assertEquals(2, direct.exitCode(), direct::describe);
            assertTrue(direct.output().contains("not enough memory for VM 'f-big'"), direct::describe);
        } finally {
            Lab.Result released = lab.run(Duration.ofMinutes(1), "fault", "release-memory", "lab-b");
            assertTrue(released.ok(), released::describe);
        }
        assertRunsIntactOn("f-big", "lab-a");
        Lab.Result onTarget = lab.exec(Duration.ofSeconds(30),
                List.of("virsh", "-c", lab.host("lab-b").libvirtUri(), "domstate", "f-big"));
        assertFalse(onTarget.ok(), "f-big is defined on lab-b: " + onTarget.describe());
    }

    @Test
    @Order(2)
    void twoMigrateRequestsForOneVmAtOnceRunOneAndRefuseTheOther() throws Exception {
        createDirtying("f-twice");
        Path logB = Files.createTempFile("fault-", ".log");
        Path logC = Files.createTempFile("fault-", ".log");
        Process toB = startMigrate(logB, "f-twice", "lab-b", "--mode", "precopy", "--bandwidth", SLOW);
        Process toC = startMigrate(logC, "f-twice", "lab-c", "--mode", "precopy", "--bandwidth", SLOW);
        assertTrue(toB.waitFor(4, TimeUnit.MINUTES) && toC.waitFor(4, TimeUnit.MINUTES), "livemig did not end");
        List<Integer> exits = List.of(toB.exitValue(), toC.exitValue());
        assertTrue(exits.contains(0) && exits.contains(2), () -> exits + "\n" + read(logB) + "\n" + read(logC));
        String winner = toB.exitValue() == 0 ? "lab-b" : "lab-c";
        String refused = read(toB.exitValue() == 0 ? logC : logB);
        assertTrue(refused.contains("ALREADY_EXISTS"), refused);
        assertRunsIntactOn("f-twice", winner);
        assertEquals("succeeded", lab.lastRecord(CALL, "f-twice").path("state").asText());
    }

    // --- faults during pre-copy -------------------------------------------------------------------

    @Test
    @Order(3)
    void theTargetsLibvirtKilledDuringPrecopyAbortsAndTheGuestStaysOnItsSource() throws Exception {
        createDirtying("f-libvirtd");
        JsonNode r = migrateThrough("f-libvirtd", 1, () -> {
            lab.awaitMigrationCopied("f-libvirtd", "lab-a", 16);
            fault("kill-libvirtd", "lab-b");
        }, () -> fault("start-libvirtd", "lab-b"), "--mode", "precopy", "--bandwidth", SLOW);
        assertEquals("aborted", r.path("status").asText(), r.toPrettyString());
        assertTrue(r.path("escalations").toString().contains("lost the connection to the target host's libvirt"),
                r.toPrettyString());
        assertRunsIntactOn("f-libvirtd", "lab-a");
        JsonNode record = lab.lastRecord(CALL, "f-libvirtd");
        assertEquals("aborted", record.path("state").asText(), record.toPrettyString());
        assertTrue(record.path("escalations").toString().contains("lost the connection"), record.toPrettyString());
    }

    @Test
    @Order(4)
    void aLinkCutDuringPrecopyAbortsAndOnceRestoredTheGuestCanMove() throws Exception {
        createDirtying("f-link");
        JsonNode r = migrateThrough("f-link", 1, () -> {
            lab.awaitMigrationCopied("f-link", "lab-a", 16);
            fault("link-down", "lab-b");
        }, () -> fault("link-up", "lab-b"), "--mode", "precopy", "--bandwidth", SLOW);
        assertEquals("aborted", r.path("status").asText(), r.toPrettyString());
        assertTrue(r.path("error").asText().contains("the VM keeps running on lab-a"), r.toPrettyString());
        assertRunsIntactOn("f-link", "lab-a");
        assertEquals("aborted", lab.lastRecord(CALL, "f-link").path("state").asText());
        // The link is back: the same guest moves to the same host.
        awaitHostUp("lab-b");
        Lab.Result again = lab.livemig(CALL, "migrate", "f-link", "--to", "lab-b", "--json");
        assertEquals(0, again.exitCode(), again::describe);
        assertRunsIntactOn("f-link", "lab-b");
    }

    // --- a fault during post-copy -----------------------------------------------------------------

    /**
     * After the switch to post-copy the guest runs on the target and pulls its missing pages from
     * the source: a cut link stalls it. A cut shorter than libvirt's keepalive (3 x 5 s) is
     * bridged by TCP: the guest goes on when the link returns and the migration completes.
     */
    @Test
    @Order(5)
    void aShortLinkCutDuringPostcopyStallsTheGuestWhichGoesOnWhenTheLinkReturns() throws Exception {
        // 128 MiB dirtied at 32 MiB/s: after the first pass, about 16 s of pages left to pull at 8 MiB/s.
        create("f-postcopy", "lab-a", "--mem", "256", "--dirty-mib", "128", "--dirty-rate", "32", "--disk", "shared");
        JsonNode r = migrateThrough("f-postcopy", 0, () -> {
            lab.awaitVirsh("lab-a", "(post-copy)", Duration.ofSeconds(120), "domstate", "--reason", "f-postcopy");
            fault("link-down", "lab-b");
            // The guest cannot be reached while its link is down.
            String ip = Files.readString(LAB_DIR.resolve("vms/f-postcopy/ip")).strip();
            Lab.Result unreachable = lab.exec(Duration.ofSeconds(20),
                    List.of("ping", "-c", "3", "-i", "0.5", "-W", "1", ip));
            assertFalse(unreachable.ok(), unreachable::describe);
            fault("link-up", "lab-b");
        }, () -> { }, "--mode", "postcopy", "--bandwidth", SLOW);
        assertEquals("succeeded", r.path("status").asText(), r.toPrettyString());
        assertEquals("postcopy", r.path("mode_used").asText(), r.toPrettyString());
        assertRunsIntactOn("f-postcopy", "lab-b");
        assertEquals("succeeded", lab.lastRecord(CALL, "f-postcopy").path("state").asText());
    }

    // --- killed processes -------------------------------------------------------------------------

    @Test
    @Order(6)
    void theSourceAgentKilledMidMigrationLeavesTheGuestOnItsSourceAndTheRecordSaysSo() throws Exception {
        createDirtying("f-agent");
        JsonNode r = migrateThrough("f-agent", 1, () -> {
            lab.awaitMigrationCopied("f-agent", "lab-a", 16);
            fault("kill-agent", "lab-a");
            fault("start-agent", "lab-a");
        }, () -> { }, "--mode", "precopy", "--bandwidth", SLOW);
        assertEquals("failed", r.path("status").asText(), r.toPrettyString());
        assertEquals("the agent of lab-a stopped during the migration; the VM is still on lab-a",
                r.path("error").asText(), r.toPrettyString());
        assertRunsIntactOn("f-agent", "lab-a");
        assertEquals("failed", lab.lastRecord(CALL, "f-agent").path("state").asText());
        // The restarted agent can move it again at once (no reservation left behind on the target).
        Lab.Result again = lab.livemig(CALL, "migrate", "f-agent", "--to", "lab-b", "--json");
        assertEquals(0, again.exitCode(), again::describe);
        assertRunsIntactOn("f-agent", "lab-b");
    }

    @Test
    @Order(7)
    void theOrchestratorKilledMidMigrationFindsItsOutcomeWhenRestarted() throws Exception {
        createDirtying("f-orch");
        Lab.Result queued = lab.livemig(CALL, "migrate", "f-orch", "--to", "lab-b", "--mode", "precopy",
                "--bandwidth", "16", "--no-wait");
        assertEquals(0, queued.exitCode(), queued::describe);
        lab.awaitMigrationCopied("f-orch", "lab-a", 16);
        fault("kill-orchestrator");
        Lab.Result restarted = lab.run(Duration.ofMinutes(2), "restart-orchestrator");
        assertTrue(restarted.ok(), restarted::describe);
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonNode record;
        do {
            record = lab.lastRecord(CALL, "f-orch");
        } while (record.path("state").asText().equals("running") && System.nanoTime() < end);
        assertEquals("succeeded", record.path("state").asText(), record.toPrettyString());
        assertRunsIntactOn("f-orch", "lab-b");
    }

    // --- a target without the VM's network --------------------------------------------------------

    @Test
    @Order(8)
    void aTargetWithoutTheVmsBridgeIsRefusedBeforeAnythingMoves() throws Exception {
        createDirtying("f-nobridge");
        Path cluster = LAB_DIR.resolve("cluster.yaml");
        String original = Files.readString(cluster);
        String withoutLan = original.replace("networks: {lan: lmbr-c}", "networks: {}");
        assertFalse(withoutLan.equals(original), "the lab's cluster file has no lan mapping for lab-c: " + original);
        try {
            Files.writeString(cluster, withoutLan);
            Lab.Result restarted = lab.run(Duration.ofMinutes(3), "restart-agents");
            assertTrue(restarted.ok(), restarted::describe);
            Lab.Result viaOrchestrator = lab.livemig(CALL, "migrate", "f-nobridge", "--to", "lab-c");
            assertEquals(2, viaOrchestrator.exitCode(), viaOrchestrator::describe);
            assertTrue(viaOrchestrator.output().contains("net:lan"), viaOrchestrator::describe);
            Lab.Result direct = lab.livemig(CALL, "--cluster", cluster.toString(), "migrate", "f-nobridge",
                    "--to", "lab-c");
            assertEquals(2, direct.exitCode(), direct::describe);
            assertTrue(direct.output().contains("target lab-c has no bridge 'lmbr-a' and no mapping for it"),
                    direct::describe);
            assertRunsIntactOn("f-nobridge", "lab-a");
        } finally {
            Files.writeString(cluster, original);
            lab.run(Duration.ofMinutes(3), "restart-agents");
        }
    }
}
