package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The lab's orchestrator (started by {@code lab.sh up}, reached by a plain {@code livemig} through
 * the client configuration the lab writes): with lab-a loaded by several dirtying guests,
 * {@code migrate} without a target picks the least-loaded feasible host and says why;
 * {@code rebalance --dry-run} plans moves that lower the spread and moves nothing;
 * {@code rebalance} carries them out with every guest intact; the history survives a killed
 * and restarted orchestrator.
 *
 * <p>The tests build on each other (one lab, one set of guests) and run in order.
 */
@RequiresRoot
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OrchestratorIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL = Duration.ofMinutes(5);
    private static final List<String> GUESTS = List.of("o-1", "o-2", "o-3", "o-4");
    /** The guest that aHostReceivingAMigrationStaysUpThroughout moves. */
    private static final String ARRIVING = "o-arriving";
    /** The guest thePlanPredictsTheBytesThePreCopyThenSends plans for and moves. */
    private static final String PLANNED = "o-plan";
    private static final Path LAB_DIR = Path.of("/var/lib/livemig-lab");

    private static Lab lab;
    private static final List<String> migrationIds = new ArrayList<>();

    @BeforeAll
    static void startLab() {
        Lab.Up up = Lab.upForTests(3);
        if (up == null) {
            return; // every test is skipped by @RequiresRoot, with the reason
        }
        lab = up.lab();
        Lab.Result result = up.result();
        assertTrue(result.output().contains("# orchestrator: ") && result.output().contains(" up"), result::describe);
        assertTrue(Files.isReadable(LAB_DIR.resolve("client.yaml")), "lab.sh up wrote no client configuration");
        for (String g : GUESTS) {
            Lab.Result created = lab.run(Duration.ofMinutes(3), "vm", "create", g, "--host", "lab-a", "--mem", "128",
                    "--dirty-mib", "32", "--dirty-rate", "8", "--disk", "shared");
            assertTrue(created.ok(), created::describe);
        }
    }

    @AfterAll
    static void stopLab() {
        List<String> guests = new ArrayList<>(GUESTS);
        guests.add(ARRIVING);
        guests.add(PLANNED);
        Lab.downAfterTests(lab, guests.toArray(String[]::new));
    }

    /** Runs a plain livemig (no --cluster, no --orchestrator: the lab's client configuration). */
    private static JsonNode livemigJson(int expectedExit, String... args) {
        return json(lab.livemig(CALL, args), expectedExit);
    }

    private static JsonNode json(Lab.Result r, int expectedExit) {
        assertFalse(r.timedOut(), r::describe);
        assertEquals(expectedExit, r.exitCode(), r::describe);
        String out = r.output();
        int start = out.indexOf('{');
        assertTrue(start >= 0, "no JSON: " + r.describe());
        try {
            return JSON.readTree(out.substring(start, out.lastIndexOf('}') + 1));
        } catch (IOException e) {
            throw new AssertionError("unreadable JSON: " + r.describe(), e);
        }
    }

    /**
     * The timeline of {@code migrate --json}: each phase once, in order, back to back, and their sum
     * the command's wall time within 10% (what is left out: printing the result and the JVM's exit).
     */
    private static void assertTimelineAccountsFor(Duration wall, JsonNode result) {
        List<String> names = new ArrayList<>();
        long at = 0;
        for (JsonNode p : result.path("phases")) {
            names.add(p.path("name").asText());
            assertEquals(at, p.path("start_ms").asLong(), "back to back: " + result.path("phases"));
            at += p.path("duration_ms").asLong();
        }
        assertEquals(List.of("client_start", "request", "placement", "admission_wait", "vm_check", "dirty_rate_wait",
                "source_xml", "target_prepare", "job_setup", "job", "source_cleanup", "finish", "agent_calls", "result",
                "rpc"), names,
                result.path("phases").toPrettyString());
        long wallMs = wall.toMillis();
        assertTrue(Math.abs(wallMs - at) <= wallMs / 10, "the phases sum to " + at + " ms, the command took " + wallMs
                + " ms: " + result.path("phases").toPrettyString());
    }

    private static JsonNode host(JsonNode hosts, String name) {
        for (JsonNode h : hosts.path("hosts")) {
            if (h.path("name").asText().equals(name)) {
                return h;
            }
        }
        throw new AssertionError("no host " + name + " in " + hosts.toPrettyString());
    }

    /** Waits until the orchestrator has a full load window that shows the four guests on lab-a. */
    private static JsonNode awaitLoads() {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode hosts;
        do {
            hosts = livemigJson(0, "hosts", "--json");
            JsonNode a = host(hosts, "lab-a");
            if (a.path("vm_count").asInt() == GUESTS.size() && a.path("samples").asInt() >= 3
                    && a.path("cpu_utilisation").asDouble() > 0) {
                return hosts;
            }
        } while (System.nanoTime() < end);
        throw new AssertionError("the orchestrator never saw the guests' load on lab-a: " + hosts.toPrettyString());
    }

    private static void assertIntact(String vm) {
        Lab.Result check = lab.awaitSuccess(Duration.ofSeconds(30), Duration.ofSeconds(2), "vm", "check", vm);
        assertTrue(check.ok(), check::describe);
        assertTrue(check.output().contains("integrity=ok") && check.output().contains("ping=ok"), check::describe);
    }

    @Test
    @Order(1)
    void migrateWithoutATargetPicksTheLeastLoadedFeasibleHostAndSaysWhy() {
        JsonNode hosts = awaitLoads();
        double b = host(hosts, "lab-b").path("load").asDouble();
        double c = host(hosts, "lab-c").path("load").asDouble();
        assertTrue(host(hosts, "lab-a").path("load").asDouble() > Math.max(b, c), hosts.toPrettyString());

        Lab.Result migrated = lab.livemig(CALL, "migrate", "o-1", "--json");
        JsonNode r = json(migrated, 0);
        assertEquals("succeeded", r.path("status").asText(), r.toPrettyString());
        assertTimelineAccountsFor(migrated.took(), r);
        JsonNode recorded = lab.lastRecord(CALL, "o-1").path("phases");
        assertEquals("request", recorded.path(0).path("name").asText(), recorded.toPrettyString());
        assertEquals("result", recorded.path(recorded.size() - 1).path("name").asText(), recorded.toPrettyString());
        assertEquals(r.path("phases").size() - 2, recorded.size(), "the history keeps the orchestrator's and agent's phases");
        assertEquals("lab-a", r.path("source").asText());
        String target = r.path("target").asText();
        // the least loaded of the feasible hosts (the two idle ones differ by noise; ties go by name)
        double chosenLoad = target.equals("lab-b") ? b : c;
        assertTrue(target.equals("lab-b") || target.equals("lab-c"), target);
        assertTrue(chosenLoad <= Math.min(b, c) + 0.02, "chose " + target + ": lab-b " + b + ", lab-c " + c);
        assertEquals(target, r.path("decision").path("chosen").asText(), r.toPrettyString());
        assertTrue(r.path("reason").asText().startsWith(target + " chosen by policy balance"), r.toPrettyString());
        assertTrue(r.path("reason").asText().contains("lab-a rejected: "), r.toPrettyString());
        migrationIds.add(r.path("id").asText());
        assertIntact("o-1");
        Lab.Result check = lab.run(Duration.ofMinutes(1), "vm", "check", "o-1");
        assertTrue(check.output().contains("host=" + target + " "), check::describe);
    }

    /** The agents measure each guest's dirty rate (QEMU page sampling), which rebalancing uses. */
    @Test
    @Order(2)
    void everyGuestHasAMeasuredDirtyRate() {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode vms;
        do {
            vms = livemigJson(0, "vms", "--json");
            int measured = 0;
            for (JsonNode vm : vms.path("vms")) {
                long rate = vm.path("dirty_rate_bytes_per_s").asLong();
                // the guests dirty 8 MiB/s; sampling is coarse, so only the order of magnitude
                if (GUESTS.contains(vm.path("name").asText()) && rate > 0 && rate < (64L << 20)) {
                    measured++;
                }
            }
            if (measured == GUESTS.size()) {
                return;
            }
        } while (System.nanoTime() < end);
        throw new AssertionError("dirty rates not measured: " + vms.toPrettyString());
    }

    @Test
    @Order(3)
    void rebalanceDryRunPlansMovesThatLowerTheSpreadAndMovesNothing() {
        awaitLoads2();
        int before = livemigJson(0, "history", "--json").path("migrations").size();
        JsonNode plan = livemigJson(0, "rebalance", "--dry-run", "--json");
        assertFalse(plan.path("moves").isEmpty(), plan.toPrettyString());
        assertTrue(plan.path("spread_after").asDouble() < plan.path("spread_before").asDouble(), plan.toPrettyString());
        for (JsonNode m : plan.path("moves")) {
            assertEquals("lab-a", m.path("from").asText(), plan.toPrettyString());
        }
        assertTrue(plan.path("migration_ids").isEmpty(), plan.toPrettyString());
        assertEquals(before, livemigJson(0, "history", "--json").path("migrations").size(), "a dry run moved something");
    }

    /** After the first move the remaining three guests still load lab-a; wait for a fresh window. */
    private static void awaitLoads2() {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode hosts;
        do {
            hosts = livemigJson(0, "hosts", "--json");
            if (host(hosts, "lab-a").path("vm_count").asInt() == GUESTS.size() - 1
                    && hosts.path("spread").asDouble() > 0.05) {
                return;
            }
        } while (System.nanoTime() < end);
        throw new AssertionError("lab-a is not the busy host any more: " + hosts.toPrettyString());
    }

    @Test
    @Order(4)
    void rebalanceCarriesThePlanOutWithEveryGuestIntact() {
        awaitLoads2();
        JsonNode round = livemigJson(0, "rebalance", "--wait", "--json");
        JsonNode moves = round.path("moves");
        assertFalse(moves.isEmpty(), round.toPrettyString());
        assertEquals(moves.size(), round.path("migration_ids").size(), round.toPrettyString());
        // One result per planned move, each succeeded: an empty or short list proves nothing.
        JsonNode results = round.path("results");
        assertEquals(moves.size(), results.size(), "not every planned move has a result: " + round.toPrettyString());
        for (JsonNode result : results) {
            assertEquals("succeeded", result.path("status").asText(), round.toPrettyString());
        }
        Set<String> planned = new HashSet<>();
        round.path("migration_ids").forEach(id -> planned.add(id.asText()));
        assertEquals(moves.size(), planned.size(), "duplicate migration ids: " + round.toPrettyString());
        migrationIds.addAll(planned);
        Set<String> hostsUsed = new HashSet<>();
        for (String g : GUESTS) {
            assertIntact(g);
            String out = lab.run(Duration.ofMinutes(1), "vm", "check", g).output();
            hostsUsed.add(out.substring(out.indexOf("host=") + 5, out.indexOf(' ', out.indexOf("host="))));
        }
        assertTrue(hostsUsed.size() >= 2, "the guests did not spread: " + hostsUsed);
        // Every planned move is in the history, from this round, with its VM now where the plan sent it.
        JsonNode history = livemigJson(0, "history", "--json");
        Set<String> checked = new HashSet<>();
        for (JsonNode m : history.path("migrations")) {
            String id = m.path("id").asText();
            if (planned.contains(id)) {
                assertEquals("rebalance:" + round.path("round_id").asText(), m.path("origin").asText(), m.toPrettyString());
                assertEquals("succeeded", m.path("state").asText(), m.toPrettyString());
                JsonNode move = moveOf(moves, m.path("vm").asText());
                assertEquals(move.path("from").asText(), m.path("source").asText(), m.toPrettyString());
                assertEquals(move.path("to").asText(), m.path("target").asText(), m.toPrettyString());
                checked.add(id);
            }
        }
        assertEquals(planned, checked, "planned moves missing from the history: " + history.toPrettyString());
    }

    /** The planned move of {@code vm} in a round's {@code moves}. */
    private static JsonNode moveOf(JsonNode moves, String vm) {
        for (JsonNode move : moves) {
            if (move.path("vm").asText().equals(vm)) {
                return move;
            }
        }
        throw new AssertionError("no planned move of " + vm + " in " + moves.toPrettyString());
    }

    @Test
    @Order(5)
    void historySurvivesAKilledAndRestartedOrchestrator() throws Exception {
        assertFalse(migrationIds.isEmpty(), "earlier tests recorded no migration");
        long pid = Long.parseLong(Files.readString(LAB_DIR.resolve("orchestrator.pid")).strip());
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false), "no orchestrator " + pid);
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        Lab.Result restarted = lab.run(Duration.ofMinutes(2), "restart-orchestrator");
        assertTrue(restarted.ok(), restarted::describe);
        JsonNode history = livemigJson(0, "history", "--json");
        String all = history.toString();
        for (String id : migrationIds) {
            assertTrue(all.contains("\"" + id + "\""), id + " lost after the restart: " + history.toPrettyString());
        }
        for (JsonNode m : history.path("migrations")) {
            assertNotEquals("running", m.path("state").asText(), "unreconciled after the restart: " + m);
        }
    }

    /**
     * A host receiving a VM stays up for the orchestrator: libvirt answers an arriving VM's live XML
     * only when the migration's job ends, and an agent that asked for it kept the orchestrator's
     * health poll waiting past its 10 s deadline, twice, so the host was called down while it
     * received. The arriving VM is listed, promptly, as paused (migrating).
     */
    @Test
    @Order(6)
    void aHostReceivingAMigrationStaysUpThroughout(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        String vm = ARRIVING;
        Lab.Result created = lab.run(Duration.ofMinutes(3), "vm", "create", vm, "--host", "lab-c", "--mem", "384",
                "--dirty-mib", "224", "--dirty-rate", "2", "--disk", "shared");
        assertTrue(created.ok(), created::describe);
        Path log = tmp.resolve("migrate.log");
        // 8 MiB/s: the first pass alone takes about 30 s, longer than two of the poll's deadlines.
        Process cli = lab.startLivemig(log, "migrate", vm, "--to", "lab-b", "--mode", "precopy", "--bandwidth", "8",
                "--json");
        int arrivingPolls = 0;
        try {
            lab.awaitVirsh("lab-b", "paused (migrating)", Duration.ofSeconds(60), "domstate", "--reason", vm);
            long end = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            while (cli.isAlive() && System.nanoTime() < end) {
                JsonNode hosts = livemigJson(0, "hosts", "--json");
                if (!cli.isAlive()) {
                    break; // the poll may have seen the host after the VM arrived: it counts for nothing
                }
                assertEquals("up", host(hosts, "lab-b").path("state").asText(),
                        "lab-b, receiving " + vm + ": " + host(hosts, "lab-b"));
                Lab.Result direct = lab.livemig(Duration.ofSeconds(60), "--cluster", LAB_DIR.resolve("cluster.yaml")
                        .toString(), "vms", "--json");
                assertEquals(0, direct.exitCode(), direct::describe);
                if (cli.isAlive() && direct.output().contains("\"" + vm + "\"")) {
                    arrivingPolls++;
                    assertTrue(direct.took().toSeconds() < 10, "the agents answered vms in " + direct.took().toMillis()
                            + " ms while " + vm + " arrived: " + direct.describe());
                }
                cli.waitFor(2, TimeUnit.SECONDS);
            }
            assertTrue(cli.waitFor(60, TimeUnit.SECONDS), () -> "migrate did not end: " + read(log));
        } finally {
            cli.destroyForcibly();
        }
        assertEquals(0, cli.exitValue(), read(log));
        assertTrue(arrivingPolls >= 3, "the migration ended before the host was watched long enough (" + arrivingPolls
                + " polls while it arrived): " + read(log));
        Lab.Result check = lab.awaitSuccess(Duration.ofSeconds(60), Duration.ofSeconds(2), "vm", "check", vm);
        assertTrue(check.output().contains("host=lab-b"), check::describe);
    }

    /**
     * {@code migrate --plan} before a real pre-copy: it moves nothing, learns the guest's non-zero
     * memory from its stop-and-copy migration, takes the dirty rate the orchestrator measured, and
     * the bytes the migration then sends fall within 15% of the bytes it predicted. Before the
     * first migration, the plan takes the guest's non-zero memory as the RAM its host holds, nearer
     * to what the stop-and-copy then sends than the whole memory.
     */
    @Test
    @Order(7)
    void thePlanPredictsTheBytesThePreCopyThenSends() throws Exception {
        Lab.Result created = lab.run(Duration.ofMinutes(3), "vm", "create", PLANNED, "--host", "lab-c", "--mem", "256",
                "--dirty-mib", "64", "--dirty-rate", "8", "--disk", "shared");
        assertTrue(created.ok(), created::describe);
        JsonNode first = livemigJson(0, "migrate", PLANNED, "--to", "lab-b", "--plan", "--json");
        JsonNode held = input(first, "non_zero_memory");
        assertTrue(held.path("estimated").asBoolean(false) && held.path("how").asText().contains("RAM its host holds"),
                first::toPrettyString);
        long heldBytes = held.path("value").asLong();
        assertTrue(heldBytes > 0 && heldBytes < 256L << 20, "RAM held of a fresh 256 MiB guest: " + heldBytes);
        JsonNode stopcopy = livemigJson(0, "migrate", PLANNED, "--to", "lab-b", "--mode", "stopcopy", "--bandwidth", "32",
                "--json");
        assertEquals("succeeded", stopcopy.path("status").asText(), stopcopy.toPrettyString());
        // The figure is read every 10 s while the guest may still be filling its memory, so it is
        // not compared for exactly; it must come closer than the whole memory, the estimate before.
        long sent = stopcopy.path("bytes_transferred").asLong();
        assertTrue(Math.abs(sent - heldBytes) < Math.abs(sent - (256L << 20)),
                "stop-and-copy sent " + sent + " bytes; RAM held at the plan " + heldBytes + " bytes");

        // The new host measures the guest's dirty rate within seconds; until then the plan says it
        // estimated it. This checks the model, not QEMU's sampler: QEMU reads 128 pages of this
        // guest per measurement, and its readings of an 8 MiB/s guest range from 2 to 14 MiB/s
        // (docs/benchmarks/dirty-rate: 9 of 20 off by more than 25 %). A reading 50 % off moves
        // the bytes the model predicts by 15 to 20 %, as much as the band below allows, so the
        // plan is taken from a reading within 25 % of the guest's rate; the agent measures again
        // every 5 s.
        JsonNode plan = null;
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < end) {
            plan = livemigJson(0, "migrate", PLANNED, "--to", "lab-c", "--plan", "--bandwidth", "32", "--json");
            JsonNode rate = input(plan, "dirty_rate");
            double mibps = rate.path("value").asDouble() / (1 << 20);
            if (!rate.path("estimated").asBoolean(true) && mibps >= 6 && mibps <= 10) {
                break;
            }
            Thread.sleep(2000); // the orchestrator's next poll of lab-b brings the next measurement
        }
        JsonNode advice = plan;
        assertFalse(input(advice, "dirty_rate").path("estimated").asBoolean(true), advice::toPrettyString);
        double measuredRate = input(advice, "dirty_rate").path("value").asDouble() / (1 << 20);
        assertTrue(measuredRate >= 6 && measuredRate <= 10, "no reading within 25 % of 8 MiB/s in 90 s: "
                + advice.toPrettyString());
        assertFalse(input(advice, "non_zero_memory").path("estimated").asBoolean(true),
                "not learned from the stop-and-copy migration: " + advice.toPrettyString());
        JsonNode precopy = mode(advice, "precopy");
        assertTrue(precopy.path("converges").asBoolean(), advice::toPrettyString);
        long predicted = precopy.path("bytes").asLong();

        Lab.Result still = lab.run(Duration.ofMinutes(1), "vm", "check", PLANNED);
        assertTrue(still.ok() && still.output().contains("host=lab-b"), "the plan moved it: " + still.describe());
        JsonNode moved = livemigJson(0, "migrate", PLANNED, "--to", "lab-c", "--mode", "precopy", "--bandwidth", "32",
                "--json");
        assertEquals("succeeded", moved.path("status").asText(), moved.toPrettyString());
        long measured = moved.path("bytes_transferred").asLong();
        assertTrue(Math.abs(measured - predicted) <= predicted * 15 / 100, "predicted " + predicted + " bytes, sent "
                + measured + ": " + advice.toPrettyString());
        JsonNode history = livemigJson(0, "history", "--vm", PLANNED, "--json");
        assertEquals(2, history.path("migrations").size(), "the plan left a record: " + history.toPrettyString());
    }

    /**
     * The resident client (on by default): the first command starts its server, the next ones
     * run in it and answer as a JVM of their own (LIVEMIG_RESIDENT=0) does: the same listing, a bad usage's one line and
     * exit code, a path relative to the caller's directory; a migration's timeline starts at the
     * launcher's start and accounts for its wall time; Ctrl-C aborts the migration it follows, which
     * leaves the guest running intact on its source.
     */
    @Test
    @Order(8)
    void theResidentClientRunsTheCommandsAndCtrlCAbortsItsMigration(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path dir = tmp.resolve("resident");
        java.util.Map<String, String> env = java.util.Map.of("LIVEMIG_RESIDENT_DIR", dir.toString(),
                "LIVEMIG_RESIDENT_IDLE_S", "600");
        Path state = dir.resolve("resident");
        Path served = dir.resolve("resident.log");
        try {
            Lab.Result first = lab.exec(CALL, List.of(lab.livemig().toString(), "hosts", "--json"), env);
            assertEquals(0, first.exitCode(), first::describe);
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!(Files.isReadable(state) && Files.size(state) > 0) && System.nanoTime() < end) {
                Thread.sleep(200); // a process starting in the background: nothing to wait on but its file
            }
            assertTrue(Files.isReadable(state), "no resident client after 60 s: " + read(served));
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir)));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(state)));

            String servedBefore = read(served);
            JsonNode own = json(lab.exec(CALL, List.of(lab.livemig().toString(), "hosts", "--json"),
                    java.util.Map.of("LIVEMIG_RESIDENT", "0", "LIVEMIG_RESIDENT_DIR", dir.toString())), 0);
            assertEquals(servedBefore, read(served), "LIVEMIG_RESIDENT=0 ran in the resident client");
            JsonNode resident = json(lab.exec(CALL, List.of(lab.livemig().toString(), "hosts", "--json"), env), 0);
            assertEquals(names(own), names(resident), resident::toPrettyString);
            assertTrue(read(served).contains("exit 0 after ") && read(served).contains("livemig hosts --json"),
                    "not run by the resident client: " + read(served));

            Lab.Result bad = lab.exec(CALL, List.of(lab.livemig().toString(), "migrate"), env);
            assertEquals(2, bad.exitCode(), bad::describe);
            assertEquals(List.of("livemig migrate: Missing required parameter: 'VM' (see 'livemig migrate --help')"),
                    bad.output().lines().toList(), bad::describe);
            assertTrue(read(served).contains("exit 2 after ") && read(served).contains("livemig migrate\n"),
                    read(served));

            // The tests run in the repository's root: a path relative to it, not to the server's.
            String relative = lab.root().toAbsolutePath().relativize(LAB_DIR.resolve("cluster.yaml")).toString();
            Lab.Result vms = lab.exec(CALL, List.of(lab.livemig().toString(), "--cluster", relative, "vms"), env);
            assertEquals(0, vms.exitCode(), vms::describe);
            assertTrue(vms.output().contains(PLANNED), vms::describe);
            assertTrue(read(served).contains("livemig --cluster " + relative + " vms"), read(served));

            long started = System.nanoTime();
            JsonNode moved = json(lab.exec(CALL, List.of(lab.livemig().toString(), "migrate", PLANNED, "--to", "lab-b",
                    "--mode", "precopy", "--json"), env), 0);
            Duration wall = Duration.ofNanos(System.nanoTime() - started);
            assertEquals("succeeded", moved.path("status").asText(), moved.toPrettyString());
            assertTimelineAccountsFor(wall, moved);
            Lab.Result there = lab.awaitSuccess(Duration.ofSeconds(30), Duration.ofSeconds(2), "vm", "check", PLANNED);
            assertTrue(there.ok() && there.output().contains("host=lab-b "), there::describe);

            String reading = Lab.reading(there);
            Path log = tmp.resolve("migrate.log");
            Process cli = lab.startLivemig(log, env, "migrate", PLANNED, "--to", "lab-c", "--mode", "precopy",
                    "--bandwidth", "8", "--json");
            try {
                awaitRunning(PLANNED, Duration.ofSeconds(60));
                Runtime.getRuntime().exec(new String[] {"kill", "-INT", String.valueOf(cli.pid())}).waitFor();
                assertTrue(cli.waitFor(90, TimeUnit.SECONDS), () -> "livemig did not end after SIGINT: " + read(log));
            } finally {
                cli.destroyForcibly();
            }
            String out = read(log);
            assertEquals(1, cli.exitValue(), "exit code of an aborted migration: " + out);
            JsonNode aborted = JSON.readTree(out.substring(out.indexOf('{'), out.lastIndexOf('}') + 1));
            assertEquals("aborted", aborted.path("status").asText(), aborted.toPrettyString());
            Lab.Result since = lab.awaitSuccess(Duration.ofSeconds(30), Duration.ofSeconds(2), "vm", "check", PLANNED,
                    "--since", reading);
            assertTrue(since.ok() && since.output().contains("host=lab-b ") && since.output().contains("progress=yes"),
                    since::describe);
        } finally {
            stopResident(state);
        }
    }

    private static Set<String> names(JsonNode hosts) {
        Set<String> names = new HashSet<>();
        hosts.path("hosts").forEach(h -> names.add(h.path("name").asText()));
        return names;
    }

    /** Waits until the orchestrator's history has the VM's latest migration running. */
    private static void awaitRunning(String vm, Duration within) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        String state = "";
        while (System.nanoTime() < end) {
            JsonNode history = livemigJson(0, "history", "--vm", vm, "--json");
            JsonNode latest = history.path("migrations").path(0);
            state = latest.path("state").asText();
            if (state.equals("running") && !latest.path("agent_migration_id").asText().isEmpty()) {
                return;
            }
            Thread.sleep(300); // the history changes on the orchestrator's side: poll it, bounded
        }
        throw new AssertionError("the migration of " + vm + " is not running after " + within + ": " + state);
    }

    /** Ends the resident client that {@code state} names, and waits for it to be gone. */
    private static void stopResident(Path state) throws Exception {
        if (!Files.isReadable(state)) {
            return;
        }
        String[] fields = Files.readString(state).trim().split(" ");
        java.util.Optional<ProcessHandle> server = ProcessHandle.of(Long.parseLong(fields[2]));
        if (server.isPresent()) {
            server.get().destroy();
            server.get().onExit().get(30, TimeUnit.SECONDS);
        }
    }

    private static JsonNode input(JsonNode plan, String name) {
        for (JsonNode i : plan.path("inputs")) {
            if (i.path("name").asText().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no input " + name + " in " + plan.toPrettyString());
    }

    private static JsonNode mode(JsonNode plan, String name) {
        for (JsonNode m : plan.path("modes")) {
            if (m.path("mode").asText().equals(name)) {
                return m;
            }
        }
        throw new AssertionError("no mode " + name + " in " + plan.toPrettyString());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return file + ": " + e.getMessage();
        }
    }
}
