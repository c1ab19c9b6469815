package io.livemig.cli.command;

import static io.livemig.orchestrator.service.FakeAgents.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.livemig.agent.grpc.FakeHypervisor;
import io.livemig.cli.Main;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.orchestrator.grpc.OrchestratorServer;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.model.GuestState;
import io.livemig.orchestrator.service.FakeAgents;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.orchestrator.workflow.TransferMode;
import io.livemig.proto.orchestrator.v1.Migration;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client commands through a real {@link Orchestrator} served in-process, with fake agents
 * whose migrations end when the test says so, and a history in a temporary directory.
 */
class OrchestratorCommandsTest {

    static final String CLUSTER = """
            hosts:
              - {name: a, agent: "a:7070", libvirt_uri: "qemu+tcp://a/system", networks: {lan: br-a}}
              - {name: b, agent: "b:7070", libvirt_uri: "qemu+tcp://b/system", networks: {lan: br-b}}
              - {name: c, agent: "c:7070", libvirt_uri: "qemu+tcp://c/system", networks: {lan: br-c}}
            """;
    static final List<String> RESULT_KEYS = List.of("id", "vm", "source", "target", "mode_requested", "mode_used",
            "status", "total_ms", "downtime_ms", "setup_ms", "memory_bytes", "bytes_transferred", "iterations",
            "postcopy_requests", "escalations", "error", "reason", "origin");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    FakeAgents agents;
    HistoryStore history;
    Orchestrator orchestrator;
    GrpcServing server;
    String address;

    @BeforeEach
    void serve() throws Exception {
        // a is busy (three guests), b a little, c idle
        agents = new FakeAgents().host("a", 4, 16 * GIB, 0.1).host("b", 4, 16 * GIB, 0.1).host("c", 4, 16 * GIB, 0.0)
                .vm("a", "web1", 2 * GIB, 0.9, "br-a").vm("a", "web2", 2 * GIB, 0.8, "br-a")
                .vm("a", "db1", 4 * GIB, 0.9, "br-a").vm("b", "cache1", 1 * GIB, 0.3, "br-b")
                .ramHeld("a", "web2", GIB / 2);
        history = HistoryStore.open(dir.resolve("history.db"));
        orchestrator = new Orchestrator(ClusterConfig.parse(CLUSTER, "test"), new Orchestrator.Settings(
                PlacementPolicy.BALANCE, new AdmissionQueue.Limits(2, 1, 1), Duration.ofHours(1), 3,
                RebalanceSettings.DEFAULT.withMinGain(0.001), Duration.ZERO, false), agents, history, Clock.systemUTC());
        orchestrator.start();
        address = "orchestrator-" + dir.getFileName() + ":7080"; // in-process name, unique per test
        // Not directExecutor: a Watch call blocks its server thread until the migration changes.
        server = OrchestratorServer.start(InProcessServerBuilder.forName(address), orchestrator);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        orchestrator.close();
        history.close();
    }

    record Run(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out + " (stderr: " + err + ")", e);
            }
        }

        List<String> outLines() {
            return out.lines().toList();
        }
    }

    ClientEnvironment orchestratorEnv() {
        return new ClientEnvironment(Map.of("LIVEMIG_ORCHESTRATOR", address), List.of(), Duration.ofSeconds(10));
    }

    static ClientEnvironment emptyEnv() {
        return new ClientEnvironment(Map.of(), List.of(), Duration.ofSeconds(10));
    }

    Run run(String... args) {
        return run(orchestratorEnv(), false, new StringWriter(), args);
    }

    static Run run(ClientEnvironment env, boolean terminal, Writer errWriter, String... args) {
        StringWriter out = new StringWriter();
        try (AgentChannels channels = new AgentChannels(a -> InProcessChannelBuilder.forName(a).build())) {
            int code = Main.execute(() -> FakeHypervisor.replaying(List.of(), null), channels, terminal, env,
                    new PrintWriter(out, true), new PrintWriter(errWriter, true), args);
            return new Run(code, out.toString(), errWriter.toString());
        }
    }

    CompletableFuture<Run> runAsync(String... args) {
        return CompletableFuture.supplyAsync(() -> run(args));
    }

    static Run get(CompletableFuture<Run> run) throws Exception {
        return run.get(20, TimeUnit.SECONDS);
    }

    static Set<String> keys(JsonNode node) {
        Set<String> keys = new HashSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    static void assertResultKeys(JsonNode result) {
        for (String key : RESULT_KEYS) {
            assertTrue(result.has(key), key + " missing: " + result);
        }
    }

    // --- hosts and vms -------------------------------------------------------------------------

    @Test
    void hostsJsonHasEveryHostWithItsLoadAndTheSpread() {
        Run r = run("hosts", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode doc = r.json();
        assertTrue(doc.get("spread").asDouble() > 0, r.out());
        List<JsonNode> hosts = list(doc.get("hosts"));
        assertEquals(List.of("a", "b", "c"), hosts.stream().map(h -> h.get("name").asText()).toList());
        for (JsonNode h : hosts) {
            assertEquals(Set.of("name", "agent", "state", "state_reason", "cpus", "cpu_utilisation", "memory_total_bytes",
                    "memory_free_bytes", "memory_committed_bytes", "vm_count", "load", "samples", "migrations_outgoing",
                    "migrations_incoming"), keys(h));
            assertEquals("up", h.get("state").asText());
            assertEquals(4, h.get("cpus").asInt());
            assertEquals(16 * GIB, h.get("memory_total_bytes").asLong());
            assertEquals(1, h.get("samples").asInt());
        }
        JsonNode a = hosts.get(0);
        assertEquals("a:7070", a.get("agent").asText());
        assertEquals(3, a.get("vm_count").asInt());
        assertEquals(8 * GIB, a.get("memory_committed_bytes").asLong());
        assertEquals(8 * GIB, a.get("memory_free_bytes").asLong());
        assertTrue(a.get("load").asDouble() > hosts.get(2).get("load").asDouble(), r.out());
    }

    @Test
    void hostsTableShowsStatesReasonsAndTheSpread() {
        Run set = run("host-state", "c", "maintenance");
        assertEquals(0, set.exitCode(), set.toString());
        assertEquals("c maintenance (set by the operator)\n", set.out());

        Run r = run("hosts");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.outLines();
        assertEquals(List.of("NAME", "STATE", "CPUS", "CPU%", "MEM", "FREE/TOTAL", "COMMITTED", "VMS", "LOAD"),
                List.of(lines.get(0).trim().split("\\s+")));
        assertTrue(lines.get(1).matches("a\\s+up\\s+4\\s+\\d+\\.\\d\\s+8\\.0 GiB/16\\.0 GiB\\s+8\\.0 GiB\\s+3\\s+0\\.\\d{3}"),
                lines.get(1));
        assertTrue(lines.get(3).startsWith("c "), lines.get(3));
        assertTrue(lines.get(3).contains(" maintenance ") && lines.get(3).endsWith("  set by the operator"), lines.get(3));
        assertTrue(lines.get(4).matches("spread 0\\.\\d{3}"), lines.get(4));
        assertEquals(5, lines.size(), r.out());
    }

    @Test
    void vmsJsonHasEveryRunningVmWithWhatItRequires() {
        Run r = run("vms", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        List<JsonNode> vms = list(r.json().get("vms"));
        assertEquals(Set.of("web1", "web2", "db1", "cache1"),
                vms.stream().map(v -> v.get("name").asText()).collect(Collectors.toSet()));
        JsonNode web1 = vms.stream().filter(v -> v.get("name").asText().equals("web1")).findFirst().orElseThrow();
        assertEquals(Set.of("name", "host", "memory_bytes", "vcpus", "cpu_utilisation", "dirty_rate_bytes_per_s",
                "ram_held_bytes", "state", "state_reason", "requires"), keys(web1));
        assertEquals("a", web1.get("host").asText());
        assertEquals(2 * GIB, web1.get("memory_bytes").asLong());
        assertEquals(1, web1.get("vcpus").asInt());
        assertEquals(0.9, web1.get("cpu_utilisation").asDouble(), 1e-9);
        assertEquals("running", web1.get("state").asText());
        assertEquals("", web1.get("state_reason").asText());
        assertEquals("[\"net:lan\"]", web1.get("requires").toString());

        Run b = run("vms", "--host", "b", "--json");
        assertEquals(0, b.exitCode(), b.toString());
        assertEquals(List.of("cache1"), list(b.json().get("vms")).stream().map(v -> v.get("name").asText()).toList());

        Run table = run("vms", "--host", "b");
        assertEquals(List.of("NAME", "HOST", "STATE", "MEM", "VCPUS", "CPU%", "DIRTY/S", "REQUIRES"),
                List.of(table.outLines().get(0).trim().split("\\s+")));
        assertTrue(table.outLines().get(1).matches("cache1\\s+b\\s+running\\s+1\\.0 GiB\\s+1\\s+30\\.0\\s+0\\.0 MiB\\s+net:lan"),
                table.outLines().get(1));
    }

    @Test
    void vmsShowsAVmPausedByAFailedPostcopyWithLibvirtsReason() {
        agents.vmState("b", "cache1", GuestState.PAUSED, "post-copy failed");
        orchestrator.pollLoads();
        Run table = run("vms", "--host", "b");
        assertEquals(0, table.exitCode(), table.toString());
        assertTrue(table.outLines().get(1).matches("cache1\\s+b\\s+paused \\(post-copy failed\\)\\s+1\\.0 GiB\\s+.*"),
                table.outLines().get(1));
        JsonNode vm = list(run("vms", "--host", "b", "--json").json().get("vms")).get(0);
        assertEquals("paused", vm.get("state").asText());
        assertEquals("post-copy failed", vm.get("state_reason").asText());
    }

    // --- migrate, watch, abort -------------------------------------------------------------------

    @Test
    void migrateWithoutATargetPicksTheLeastLoadedHostAndReportsTheAgentsFigures() throws Exception {
        CompletableFuture<Run> cli = runAsync("migrate", "web1", "--json");
        FakeAgents.FakeMigration started = agents.awaitStart();
        assertEquals("web1", started.vm());
        assertEquals("c", started.target(), "c is idle");
        assertEquals(TransferMode.AUTO, started.options().mode());
        agents.complete("web1");
        Run r = get(cli);

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), "--json: nothing on stderr");
        JsonNode m = r.json();
        assertResultKeys(m);
        assertTrue(m.get("id").asText().startsWith("m-"), r.out());
        assertEquals("web1", m.get("vm").asText());
        assertEquals("a", m.get("source").asText());
        assertEquals("c", m.get("target").asText());
        assertEquals("succeeded", m.get("status").asText());
        assertEquals("auto", m.get("mode_requested").asText());
        assertEquals("precopy", m.get("mode_used").asText());
        assertEquals(1500, m.get("total_ms").asLong());
        assertEquals(40, m.get("downtime_ms").asLong());
        assertEquals(5, m.get("setup_ms").asLong());
        assertEquals(3, m.get("iterations").asInt());
        assertEquals(2 * GIB, m.get("memory_bytes").asLong());
        assertEquals(2 * GIB + (8 << 20), m.get("bytes_transferred").asLong());
        assertEquals(0, m.get("postcopy_requests").asInt());
        assertTrue(m.get("escalations").isArray());
        assertTrue(m.get("error").isNull());
        assertEquals("user", m.get("origin").asText());
        assertTrue(m.get("reason").asText().startsWith("c chosen by policy balance"), m.get("reason").asText());
        JsonNode decision = m.get("decision");
        assertEquals("balance", decision.get("policy").asText());
        assertEquals("c", decision.get("chosen").asText());
        List<JsonNode> candidates = list(decision.get("candidates"));
        assertEquals("c", candidates.get(0).get("host").asText(), "best first");
        assertTrue(candidates.stream().allMatch(c -> c.has("score") && c.has("projected_load")), decision.toString());
        JsonNode rejectedA = list(decision.get("rejections")).stream().filter(x -> x.get("host").asText().equals("a"))
                .findFirst().orElseThrow();
        assertEquals("current_host", rejectedA.get("reason").asText());
        assertFalse(rejectedA.get("explanation").asText().isEmpty());
        assertEquals("c", orchestrator.vms().stream().filter(v -> v.vm().name().equals("web1")).findFirst()
                .orElseThrow().host());

        // The timeline as the command saw it: its own start, the orchestrator's phases with the
        // agent's in place, what it waited beyond them; back to back from 0.
        List<JsonNode> phases = list(m.get("phases"));
        assertEquals(List.of("client_start", "request", "placement", "admission_wait", "vm_check", "target_prepare", "job",
                "agent_calls", "result", "rpc"), phases.stream().map(p -> p.get("name").asText()).toList(), m.toString());
        assertEquals(List.of("cli", "orchestrator", "orchestrator", "orchestrator", "agent", "agent", "agent",
                "orchestrator", "orchestrator", "cli"), phases.stream().map(p -> p.get("where").asText()).toList());
        long at = 0;
        for (JsonNode p : phases) {
            assertEquals(at, p.get("start_ms").asLong(), "back to back: " + phases);
            at += p.get("duration_ms").asLong();
        }
        assertTrue(phases.get(0).get("duration_ms").asLong() > 0, "the JVM's start is counted: " + phases);
    }

    @Test
    void migrateOnATerminalDrawsTheAgentsProgressAndEndsWithTheSummaryLine() throws Exception {
        AwaitableWriter err = new AwaitableWriter();
        CompletableFuture<Run> cli = CompletableFuture.supplyAsync(() -> run(orchestratorEnv(), true, err,
                "migrate", "web1", "--to", "b", "--mode", "precopy", "--max-downtime", "300", "--bandwidth", "50"));
        FakeAgents.FakeMigration started = agents.awaitStart();
        err.await("iteration 2", Duration.ofSeconds(10));
        agents.complete("web1");
        Run r = get(cli);

        assertEquals(0, r.exitCode(), r.toString());
        TransferOptions sent = started.options();
        assertEquals(TransferMode.PRECOPY, sent.mode());
        assertEquals(300, sent.maxDowntimeMs());
        assertEquals(50, sent.bandwidthMibps());
        List<String> errLines = List.of(r.err().split("\n")); // not lines(): the progress line starts with \r
        assertTrue(errLines.get(0).matches("migration m-\\d+: web1 a -> b, mode precopy"), r.err());
        assertEquals("chosen: b was requested", errLines.get(1));
        assertTrue(errLines.get(2).startsWith("\r   1.2 s   42%  ETA 7 s       precopy   iteration 2  sent 300.0 MiB  "
                + "remaining 20.0 MiB"),
                errLines.get(2));
        List<String> out = r.out().lines().toList();
        assertEquals("web1 succeeded: a -> b, mode precopy (used precopy): total 1500 ms, downtime 40 ms, setup 5 ms, "
                + "3 iterations, 2056.0 MiB sent for 2048.0 MiB of memory", out.get(0));
        assertTrue(out.get(1).matches("  timeline: client_start \\d+ ms, request \\d+ ms, placement \\d+ ms, "
                + "admission_wait \\d+ ms, vm_check 0 ms, target_prepare 1 ms, job 0 ms, agent_calls \\d+ ms, "
                + "result \\d+ ms, rpc \\d+ ms \\(\\d+ ms\\)"), out.get(1));
        assertEquals(2, out.size(), r.out());
    }

    @Test
    void aFailedMigrationExitsOneWithItsErrorAndHistoryListsIt() throws Exception {
        CompletableFuture<Run> cli = runAsync("migrate", "web1", "--to", "b");
        agents.awaitStart();
        agents.fail("web1", "operation failed: Connection reset by peer");
        Run r = get(cli);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("web1 failed: a -> b, mode auto (used precopy): total 900 ms"), r.out());
        assertTrue(r.out().contains("\n  error: operation failed: Connection reset by peer\n"), r.out());

        Run h = run("history", "--json");
        assertEquals(0, h.exitCode(), h.toString());
        List<JsonNode> migrations = list(h.json().get("migrations"));
        assertEquals(1, migrations.size(), h.out());
        JsonNode m = migrations.get(0);
        Set<String> protoFields = Migration.getDescriptor().getFields().stream().map(f -> f.getName())
                .collect(Collectors.toSet());
        assertEquals(protoFields, keys(m), "every Migration field, snake_case");
        assertEquals("failed", m.get("state").asText());
        assertEquals("operation failed: Connection reset by peer", m.get("error").asText());
        assertEquals("b was requested", m.get("reason").asText());
        assertEquals("agent-1", m.get("agent_migration_id").asText());
        long requested = m.get("requested_at_ms").asLong();
        assertTrue(requested > 1_600_000_000_000L, "epoch ms: " + requested);
        assertTrue(m.get("ended_at_ms").asLong() >= m.get("started_at_ms").asLong());
        assertTrue(m.get("started_at_ms").asLong() >= requested);
        assertTrue(m.get("escalations").isArray());

        Run table = run("history");
        assertEquals(0, table.exitCode(), table.toString());
        assertEquals(List.of("ID", "VM", "SOURCE", "TARGET", "STATE", "MODE", "TOTAL", "DOWNTIME", "ORIGIN", "ERROR"),
                List.of(table.outLines().get(0).trim().split("\\s+")));
        assertTrue(table.outLines().get(1).matches(
                "m-\\d+\\s+web1\\s+a\\s+b\\s+failed\\s+auto/precopy\\s+900 ms\\s+0 ms\\s+user\\s+operation failed: "
                        + "Connection reset by peer"), table.outLines().get(1));

        assertEquals(0, list(run("history", "--state", "succeeded", "--json").json().get("migrations")).size());
        assertEquals(1, list(run("history", "--vm", "web1", "--host", "b", "--state", "failed", "--json").json()
                .get("migrations")).size());
        assertEquals(0, list(run("history", "--vm", "web2", "--json").json().get("migrations")).size());
    }

    @Test
    void aPostcopyVerdictReachesTheOperatorAndTheHistoryWhole() throws Exception {
        String verdict = "the VM is lost: post-copy had started, so its newest memory was only in its QEMU on b, and "
                + "that QEMU is gone (b has it shut off (crashed)); that memory no longer exists anywhere, and post-copy "
                + "recovery is impossible. (libvirt: operation failed: job 'migration out' failed in post-copy phase)";
        CompletableFuture<Run> cli = runAsync("migrate", "web1", "--to", "b");
        agents.awaitStart();
        agents.fail("web1", verdict);
        Run r = get(cli);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.out().contains("\n  error: " + verdict + "\n"), r.out());
        JsonNode m = list(run("history", "--json").json().get("migrations")).get(0);
        assertEquals("failed", m.get("state").asText());
        assertEquals(verdict, m.get("error").asText());
        Run table = run("history");
        assertTrue(table.outLines().get(1).contains(" the VM is lost: post-copy had started"), table.outLines().get(1));
    }

    @Test
    void noWaitPrintsTheQueuedMigrationAndWatchFollowsItToItsEnd() throws Exception {
        Run queued = run("migrate", "web1", "--to", "b", "--no-wait", "--json");
        assertEquals(0, queued.exitCode(), queued.toString());
        JsonNode q = queued.json();
        assertResultKeys(q);
        assertEquals("running", q.get("status").asText(), "started at once: nothing else runs");
        assertTrue(q.get("mode_used").isNull());
        assertEquals("b was requested", q.get("reason").asText());
        assertEquals("b was requested", q.get("decision").get("explanation").asText());
        String id = q.get("id").asText();
        agents.awaitStart();

        Run text = run("migrate", "web2", "--to", "c", "--no-wait");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().matches("m-\\d+ planned\n"), text.out());
        assertTrue(text.err().contains("follow it with: livemig watch m-"), text.err());

        agents.complete("web1");
        Run watched = run("watch", id, "--json");
        assertEquals(0, watched.exitCode(), watched.toString());
        assertEquals("succeeded", watched.json().get("status").asText());
        assertEquals(40, watched.json().get("downtime_ms").asLong());
        assertResultKeys(watched.json());
    }

    @Test
    void aQueuedMigrationSaysWhyItWaits() throws Exception {
        assertEquals(0, run("migrate", "web1", "--to", "b", "--no-wait").exitCode());
        agents.awaitStart();
        AwaitableWriter err = new AwaitableWriter();
        CompletableFuture<Run> second = CompletableFuture.supplyAsync(() -> run(orchestratorEnv(), false, err,
                "migrate", "web2", "--to", "c"));
        err.await("queued: a has 1 outgoing migration (limit 1)", Duration.ofSeconds(10));
        agents.complete("web1");
        FakeAgents.FakeMigration next = agents.awaitStart();
        assertEquals("web2", next.vm());
        agents.complete("web2");
        Run r = get(second);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("web2 succeeded: a -> c"), r.out());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("queued: ")).count(), "said once: " + r.err());
    }

    @Test
    void abortEndsAQueuedMigrationAtOnceAndARunningOneThroughItsAgent() throws Exception {
        String running = run("migrate", "web1", "--to", "b", "--no-wait", "--json").json().get("id").asText();
        agents.awaitStart();
        String queued = run("migrate", "web2", "--to", "c", "--no-wait", "--json").json().get("id").asText();

        Run q = run("abort", queued);
        assertEquals(0, q.exitCode(), q.toString());
        assertEquals(queued + " aborted: web2 stays on a\n", q.out());

        Run a = run("abort", running, "--json");
        assertEquals(0, a.exitCode(), a.toString());
        assertTrue(Set.of("running", "aborted").contains(a.json().get("status").asText()), a.out());
        assertEquals(List.of("agent-1"), agents.aborted);

        Run w = run("watch", running, "--json");
        assertEquals(1, w.exitCode(), w.toString());
        assertEquals("aborted", w.json().get("status").asText());
        assertEquals("aborted by the operator", w.json().get("error").asText());

        Run again = run("abort", running);
        assertEquals(2, again.exitCode(), again.toString());
        assertEquals("livemig: migration " + running + " has ended (aborted) (FAILED_PRECONDITION)\n", again.err());
    }

    // --- rebalance and drain ---------------------------------------------------------------------

    @Test
    void rebalanceDryRunShowsMovesThatLowerTheSpreadAndStartsNothing() {
        Run r = run("rebalance", "--dry-run", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode doc = r.json();
        assertEquals(Set.of("round_id", "dry_run", "spread_before", "spread_after", "summary", "moves", "migration_ids",
                "unplaced", "results"), keys(doc));
        assertTrue(doc.get("round_id").asText().length() > 0, r.out());
        assertTrue(doc.get("dry_run").asBoolean());
        assertTrue(doc.get("spread_after").asDouble() < doc.get("spread_before").asDouble(), r.out());
        List<JsonNode> moves = list(doc.get("moves"));
        assertFalse(moves.isEmpty(), r.out());
        for (JsonNode m : moves) {
            assertEquals(Set.of("vm", "from", "to", "reason", "gain", "estimated_cost_bytes"), keys(m));
            assertEquals("a", m.get("from").asText());
            assertTrue(m.get("gain").asDouble() > 0);
        }
        assertEquals(0, doc.get("migration_ids").size());
        assertEquals(0, doc.get("results").size());
        assertTrue(agents.started.isEmpty());
        assertEquals(0, list(run("history", "--json").json().get("migrations")).size());

        Run plan = run("rebalance", "--plan");
        assertEquals(0, plan.exitCode(), plan.toString());
        List<String> lines = plan.outLines();
        assertTrue(lines.get(0).matches("plan \\(not recorded\\) \\(dry run\\): spread 0\\.\\d{3} -> 0\\.\\d{3}, \\d+ moves?"),
                lines.get(0));
        assertTrue(lines.get(1).matches("  \\w+: a -> [bc] \\(.+\\)"), lines.get(1));
        assertTrue(agents.started.isEmpty());
    }

    @Test
    void rebalanceWaitFollowsEveryMigrationAndExitsOneWhenOneFails() throws Exception {
        CompletableFuture<Run> cli = runAsync("rebalance", "--wait", "--json");
        boolean first = true;
        while (!cli.isDone()) {
            FakeAgents.FakeMigration m = agents.pollStart(100);
            if (m != null) {
                if (first) {
                    agents.fail(m.vm(), "operation failed: migration job: unexpectedly failed");
                    first = false;
                } else {
                    agents.complete(m.vm());
                }
            }
        }
        Run r = get(cli);
        assertEquals(1, r.exitCode(), r.toString());
        JsonNode doc = r.json();
        assertFalse(doc.get("dry_run").asBoolean());
        List<String> ids = list(doc.get("migration_ids")).stream().map(JsonNode::asText).toList();
        assertEquals(list(doc.get("moves")).size(), ids.size());
        List<JsonNode> results = list(doc.get("results"));
        assertEquals(ids, results.stream().map(x -> x.get("id").asText()).toList());
        assertEquals("failed", results.get(0).get("status").asText());
        assertTrue(results.stream().skip(1).allMatch(x -> x.get("status").asText().equals("succeeded")), r.out());
        results.forEach(OrchestratorCommandsTest::assertResultKeys);
        assertTrue(results.get(0).get("origin").asText().startsWith("rebalance:"), r.out());
    }

    @Test
    void drainQueuesTheMovesOfEveryVmOfTheHost() {
        Run r = run("drain", "a", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode doc = r.json();
        assertEquals(3, doc.get("migration_ids").size(), r.out());
        assertTrue(list(doc.get("moves")).stream().allMatch(m -> m.get("from").asText().equals("a")
                && !m.get("to").asText().equals("a")), r.out());
        assertEquals(0, doc.get("unplaced").size());

        JsonNode a = list(run("hosts", "--json").json().get("hosts")).get(0);
        assertEquals("draining", a.get("state").asText());
        List<JsonNode> migrations = list(run("history", "--json").json().get("migrations"));
        assertEquals(3, migrations.size());
        assertTrue(migrations.stream().allMatch(m -> m.get("origin").asText().equals("drain:a")), migrations.toString());
        assertEquals(1, migrations.stream().filter(m -> m.get("state").asText().equals("running")).count());

        Run text = run("drain", "b", "--dry-run");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.outLines().get(0).matches("round r-\\d+ \\(dry run\\): spread .*, 1 move"), text.out());
        assertTrue(text.outLines().get(1).startsWith("  cache1: b -> c"), text.out());

        Run up = run("host-state", "a", "up", "--json");
        assertEquals(0, up.exitCode(), up.toString());
        assertEquals("up", up.json().get("state").asText());
        assertEquals("a", up.json().get("name").asText());
    }

    // --- pre-flight advice ----------------------------------------------------------------------

    @Test
    void planShowsEveryModeForThePlacedTargetAndMovesNothing() throws Exception {
        Run r = run("migrate", "web1", "--plan");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.outLines();
        assertEquals("plan for web1: a -> c (nothing moved)", lines.get(0));
        assertTrue(lines.get(1).startsWith("target: c chosen by policy balance"), r.out());
        assertEquals(List.of("MODE", "pre-copy", "stop-and-copy", "post-copy", "auto"),
                lines.subList(2, 7).stream().map(l -> l.split(" +")[0]).toList());
        assertTrue(r.out().contains("recommended: pre-copy (objective safe): pre-copy converges"), r.out());
        assertTrue(r.out().contains("* estimated: non zero memory: not known"), r.out());
        assertEquals("", r.err());
        assertTrue(agents.started.isEmpty());
        assertTrue(orchestrator.history(HistoryStore.Query.latest(10)).isEmpty());

        JsonNode json = run("migrate", "web1", "--to", "b", "--plan", "--json", "--objective", "fastest").json();
        assertEquals(List.of("vm", "source", "target", "decision", "modes", "recommended", "reason", "objective",
                "inputs"), iterable(json.fieldNames()));
        assertEquals("b", json.get("target").asText());
        assertEquals("b was requested", json.get("decision").get("explanation").asText());
        assertEquals("fastest", json.get("objective").asText());
        assertEquals(List.of("mode", "total_ms", "downtime_ms", "bytes", "passes", "converges", "within_downtime",
                "ends_as", "steps", "formula"), iterable(json.get("modes").get(0).fieldNames()));
        assertEquals(List.of("name", "value", "unit", "estimated", "how"),
                iterable(json.get("inputs").get(0).fieldNames()));
        assertTrue(agents.started.isEmpty());
    }

    /** web2's agent reads 512 MiB of its 2 GiB held by its host: listed, and taken by the plan as its non-zero memory. */
    @Test
    void theRamItsHostHoldsIsListedAndPlannedWithUntilLearned() throws Exception {
        JsonNode web2 = list(run("vms", "--json").json().get("vms")).stream()
                .filter(v -> v.get("name").asText().equals("web2")).findFirst().orElseThrow();
        assertEquals(GIB / 2, web2.get("ram_held_bytes").asLong());
        Run plan = run("migrate", "web2", "--to", "b", "--plan");
        assertEquals(0, plan.exitCode(), plan.toString());
        assertTrue(plan.out().contains("non zero memory 512.0 MiB*"), plan.out());
        assertTrue(plan.out().contains("non zero memory: not learned yet: taken as the guest's RAM its host holds"),
                plan.out());
        assertTrue(run("migrate", "web1", "--to", "b", "--plan").out().contains("non zero memory 2.0 GiB*"),
                "web1: nothing read, the whole memory");
    }

    @Test
    void planToATargetThatCannotTakeTheVmIsRefusedAsTheMigration() throws Exception {
        orchestrator.setHostState("c", io.livemig.orchestrator.placement.HostAvailability.MAINTENANCE);
        Run plan = run("migrate", "web1", "--to", "c", "--plan");
        Run migrate = run("migrate", "web1", "--to", "c", "--no-wait");
        assertEquals(2, plan.exitCode(), plan.toString());
        assertEquals(migrate.exitCode(), plan.exitCode());
        assertEquals(migrate.err(), plan.err());
        assertTrue(plan.err().startsWith("livemig: cannot move 'web1' to c: "), plan.err());
        assertEquals(1, plan.err().lines().count(), plan.err());
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    // --- errors ----------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "migrate nope | livemig: no running VM 'nope' on any reachable host (NOT_FOUND)",
        "migrate web1 --to zz | livemig: no host 'zz' in the cluster (hosts: a, b, c) (NOT_FOUND)",
        "migrate web1 --to a | livemig: VM 'web1' already runs on a (INVALID_ARGUMENT)",
        "migrate web1 --max-downtime 0 | livemig: --max-downtime must be 1..60000, got 0",
        "watch m-999999 | livemig: no migration m-999999 (NOT_FOUND)",
        "abort m-999999 | livemig: no migration m-999999 (NOT_FOUND)",
        "drain zz | livemig: no host 'zz' in the cluster (hosts: a, b, c) (NOT_FOUND)",
        "host-state zz up | livemig: no host 'zz' in the cluster (hosts: a, b, c) (NOT_FOUND)",
        "host-state a down | Invalid value for positional parameter at index 1 (STATE)",
        "vms --host zz | livemig: unknown host 'zz' (hosts: a, b, c)",
        "history --limit 0 | livemig: --limit must be 1..10000, got 0",
        "history --state done | Invalid value for option '--state'",
        "rebalance --plan --wait | --plan cannot be combined with --dry-run or --wait",
        "migrate nope --plan | livemig: no running VM 'nope' on any reachable host (NOT_FOUND)",
        "migrate web1 --to zz --plan | livemig: no host 'zz' in the cluster (hosts: a, b, c) (NOT_FOUND)",
        "migrate web1 --to a --plan | livemig: VM 'web1' already runs on a (INVALID_ARGUMENT)",
        "migrate web1 --plan --no-wait | --plan cannot be combined with --no-wait or --timeout",
        "migrate web1 --plan --objective cheap | unknown objective 'cheap'; valid: safe, fastest",
        "migrate web1 --mode precopy --objective fastest | --objective applies to --mode auto and --plan, not --mode precopy",
        "migrate web1 --objective cheap | unknown objective 'cheap'; valid: safe, fastest",
        "--orchestrator nohost hosts | livemig: --orchestrator must be HOST:PORT (port 1..65535), got 'nohost'",
    })
    void badInputIsOneLineAndExitTwo(String args, String message) {
        Run r = run(args.split(" "));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals("", r.out());
        assertTrue(agents.started.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hosts", "vms --json", "migrate web1", "history", "rebalance --dry-run", "watch m-000001"})
    void anUnreachableOrchestratorIsOneLineNamingItAndExitThree(String args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> argv = new ArrayList<>(List.of("--orchestrator", "127.0.0.1:1"));
        argv.addAll(List.of(args.split(" ")));
        int code;
        try (AgentChannels channels = new AgentChannels(AgentChannels.PLAINTEXT)) {
            code = Main.execute(() -> FakeHypervisor.replaying(List.of(), null), channels, false,
                    new ClientEnvironment(Map.of(), List.of(), Duration.ofSeconds(5)),
                    new PrintWriter(out, true), new PrintWriter(err, true), argv.toArray(String[]::new));
        }
        assertEquals(3, code, err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("livemig: cannot reach the orchestrator at 127.0.0.1:1"), err.toString());
        assertTrue(err.toString().strip().endsWith("(UNAVAILABLE)"), err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void anOrchestratorThatDoesNotAnswerInTimeIsExitThree() throws Exception {
        String silent = "silent-" + dir.getFileName() + ":7080";
        io.grpc.Server never = InProcessServerBuilder.forName(silent).addService(
                new io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc.OrchestratorServiceImplBase() {
                    @Override
                    public void listHosts(io.livemig.proto.orchestrator.v1.ListHostsRequest request,
                            io.grpc.stub.StreamObserver<io.livemig.proto.orchestrator.v1.ListHostsResponse> observer) {
                        // never answers
                    }
                }).build().start();
        try {
            Run r = run(new ClientEnvironment(Map.of("LIVEMIG_ORCHESTRATOR", silent), List.of(), Duration.ofMillis(200)),
                    false, new StringWriter(), "hosts");
            assertEquals(3, r.exitCode(), r.toString());
            assertTrue(r.err().startsWith("livemig: the orchestrator at " + silent + " did not answer in time"), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
        } finally {
            never.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"history", "rebalance", "rebalance --dry-run", "drain a", "watch m-000001", "abort m-000001",
        "host-state a up"})
    void orchestratorOnlyCommandsAreRefusedInDirectMode(String args) {
        Run r = run(emptyEnv(), false, new StringWriter(), args.split(" "));
        assertEquals(2, r.exitCode(), r.toString());
        String command = args.split(" ")[0];
        assertEquals("livemig: " + command + " needs an orchestrator: pass --orchestrator HOST:PORT, set "
                + "$LIVEMIG_ORCHESTRATOR or write /etc/livemig/client.yaml\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void directModeSaysWhatSelectedIt() throws Exception {
        Path cluster = Files.writeString(dir.resolve("cluster.yaml"), CLUSTER);
        Run r = run("--cluster", cluster.toString(), "history");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("history needs an orchestrator: ") && r.err().contains("(--cluster selects direct mode)"),
                r.err());

        Run noWait = run("--cluster", cluster.toString(), "migrate", "web1", "--to", "b", "--no-wait");
        assertEquals(2, noWait.exitCode(), noWait.toString());
        assertTrue(noWait.err().contains("--no-wait needs an orchestrator"), noWait.err());

        Run noTarget = run(emptyEnv(), false, new StringWriter(), "--cluster", cluster.toString(), "migrate", "web1");
        assertEquals(2, noTarget.exitCode(), noTarget.toString());
        assertTrue(noTarget.err().contains("--to HOST is required without an orchestrator"), noTarget.err());
        assertTrue(agents.started.isEmpty());
    }

    // --- routing through the command line ----------------------------------------------------------

    @Test
    void theOrchestratorOptionWorksAfterTheSubcommandsName() {
        Run r = run(emptyEnv(), false, new StringWriter(), "hosts", "--orchestrator", address, "--json");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(3, r.json().get("hosts").size());
    }

    @Test
    void aClientFileNamesTheOrchestrator() throws Exception {
        Path file = Files.writeString(dir.resolve("client.yaml"), "orchestrator: " + address + "\n");
        ClientEnvironment env = new ClientEnvironment(Map.of(), List.of(dir.resolve("missing.yaml"), file),
                Duration.ofSeconds(10));
        Run r = run(env, false, new StringWriter(), "vms", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(4, r.json().get("vms").size());

        Files.writeString(file, "orchestrator: " + address + "\nport: 7080\n");
        Run bad = run(env, false, new StringWriter(), "vms");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().startsWith("livemig: " + file + ":2: unknown key 'port'"), bad.err());
    }

    @Test
    void aClusterFileWinsOverTheOrchestrator() throws Exception {
        // The cluster file's agents do not exist: direct mode asks them and finds every one down.
        Path cluster = Files.writeString(dir.resolve("cluster.yaml"), CLUSTER);
        Run r = run("--cluster", cluster.toString(), "--orchestrator", address, "hosts", "--json");
        assertEquals(3, r.exitCode(), r.toString());
        JsonNode doc = r.json();
        assertTrue(doc.isArray(), "direct mode's array, not the orchestrator's object: " + r.out());
        assertTrue(list(doc).stream().allMatch(h -> h.get("state").asText().equals("down")), r.out());

        Run env = run(new ClientEnvironment(Map.of("LIVEMIG_CLUSTER", cluster.toString(), "LIVEMIG_ORCHESTRATOR", address),
                List.of(), Duration.ofSeconds(10)), false, new StringWriter(), "hosts", "--json");
        assertEquals(3, env.exitCode(), env.toString());
        assertTrue(env.json().isArray(), env.out());
    }

    @Test
    void helpDocumentsTheRoutingOrderAndEveryCommandsExitCodes() {
        Run root = run("--help");
        assertEquals(0, root.exitCode());
        assertTrue(root.out().contains("1. --cluster FILE given, or $LIVEMIG_CLUSTER set"), root.out());
        assertTrue(root.out().contains("2. --orchestrator HOST:PORT"), root.out());
        assertTrue(root.out().contains("3. $LIVEMIG_ORCHESTRATOR"), root.out());
        assertTrue(root.out().contains("/etc/livemig/client.yaml"), root.out());
        assertTrue(root.out().contains("--insecure"), root.out());
        assertTrue(root.out().contains("$LIVEMIG_TLS_CA"), root.out());
        assertTrue(root.out().contains("  4   Refused: the TLS handshake failed"), root.out());
        for (String command : List.of("agent", "orchestrator")) {
            Run help = run(command, "--help");
            assertTrue(help.out().contains("  tls:") || help.out().contains("  tls: {"), command + ": " + help.out());
            assertTrue(help.out().contains("  allow: ["), command + ": " + help.out());
            assertTrue(help.out().contains("insecure: true"), command + ": " + help.out());
        }
        for (String command : List.of("agent", "orchestrator", "hosts", "vms", "migrate", "watch", "abort", "history", "rebalance",
                "drain", "host-state")) {
            Run help = run(command, "--help");
            assertEquals(0, help.exitCode(), command);
            assertTrue(help.out().contains("Exit codes:"), command);
            assertTrue(help.out().contains("Examples:"), command);
            assertTrue(help.out().lines().allMatch(l -> l.length() <= 80), command + ": " + help.out());
        }
    }

    /**
     * Each bad input: its exit code and one line on stderr, and nothing recorded. Rows: the
     * arguments (space-separated), the exit code, the line.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "migrate a/b                         | 2 | livemig: VM name 'a/b' contains '/'",
        "migrate                             | 2 | livemig migrate: Missing required parameter: 'VM' (see 'livemig migrate --help')",
        "migrate ''                          | 2 | livemig: VM name is required",
        "migrate web1 -x                     | 2 | livemig migrate: Unknown option: '-x' (see 'livemig migrate --help')",
        "migrate web1 --mode fast            | 2 | livemig migrate: Invalid value for option '--mode': expected one of [auto, precopy, stopcopy, postcopy] (case-sensitive) but was 'fast' (see 'livemig migrate --help')",
        "migrate web1 --bandwidth 0          | 2 | livemig: --bandwidth must be 1..100000, got 0",
        "migrate web1 --bandwidth -5         | 2 | livemig: --bandwidth must be 1..100000, got -5",
        "migrate web1 --bandwidth lots       | 2 | livemig migrate: Invalid value for option '--bandwidth': 'lots' is not a long (see 'livemig migrate --help')",
        "migrate web1 --max-downtime 60001   | 2 | livemig: --max-downtime must be 1..60000, got 60001",
        "migrate web1 --timeout 0            | 2 | livemig: --timeout must be 1..86400, got 0",
        "migrate web1 --parallel 1           | 2 | livemig: --parallel must be 2..32, got 1",
        "migrate web1 --parallel 33          | 2 | livemig: --parallel must be 2..32, got 33",
        "migrate web1 --compression gzip     | 2 | livemig migrate: Invalid value for option '--compression': expected one of [none, xbzrle, zstd] (case-sensitive) but was 'gzip' (see 'livemig migrate --help')",
        "migrate nope --to b                 | 2 | livemig: no running VM 'nope' on any reachable host (NOT_FOUND)",
        "migrate web1 --to z                 | 2 | livemig: no host 'z' in the cluster (hosts: a, b, c) (NOT_FOUND)",
        "migrate web1 --to 'b c'             | 2 | livemig: target: invalid host name 'b c' (1-63 letters, digits, '_', '.', '-', starting with a letter or digit) (INVALID_ARGUMENT)",
        "migrate web1 --to a                 | 2 | livemig: VM 'web1' already runs on a (INVALID_ARGUMENT)",
        "abort m-999999                      | 2 | livemig: no migration m-999999 (NOT_FOUND)",
        "abort m/1                           | 2 | livemig: migration id 'm/1' contains '/'",
        "watch m-999999                      | 2 | livemig: no migration m-999999 (NOT_FOUND)",
        "history --limit 0                   | 2 | livemig: --limit must be 1..10000, got 0",
        "drain z                             | 2 | livemig: no host 'z' in the cluster (hosts: a, b, c) (NOT_FOUND)",
        "host-state z maintenance            | 2 | livemig: no host 'z' in the cluster (hosts: a, b, c) (NOT_FOUND)",
        "host-state b down                   | 2 | livemig host-state: Invalid value for positional parameter at index 1 (STATE): expected one of [up, draining, maintenance] (case-sensitive) but was 'down' (see 'livemig host-state --help')",
        "vms --host z                        | 2 | livemig: unknown host 'z' (hosts: a, b, c)",
    })
    void badInputIsOneLineWithItsExitCodeAndRecordsNothing(String args, int exitCode, String line) {
        List<String> argv = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(args.strip());
        while (m.find()) {
            argv.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        Run run = run(argv.toArray(String[]::new));
        assertEquals(exitCode, run.exitCode(), run.toString());
        assertEquals(line + "\n", run.err());
        assertEquals("", run.out());
        assertEquals(0, orchestrator.history(HistoryStore.Query.latest(10)).size(), "a migration was recorded");
        assertEquals(0, agents.started.size(), "an agent was asked to migrate");
    }
}
