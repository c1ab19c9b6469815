package io.livemig.cli.command;

import static io.livemig.orchestrator.service.FakeAgents.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.StatsOrigin;
import io.livemig.agent.grpc.AgentServer;
import io.livemig.agent.grpc.FakeHypervisor;
import io.livemig.cli.Main;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.common.value.HostPort;
import io.livemig.orchestrator.grpc.OrchestratorServer;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.service.FakeAgents;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.orchestrator.v1.MigrateRequest;
import io.livemig.proto.orchestrator.v1.MigrateResponse;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import io.livemig.testkit.TestPki;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every exit code of the table in docs/errors.md ("CLI exit codes"), walked through the whole
 * command line ({@link Main#execute}) against servers on loopback TCP, straight to the agents
 * ({@code --cluster}) and through an orchestrator ({@code --orchestrator}) alike: each row is a
 * cause, its exit code and the line it prints. The walk ends by comparing the codes walked with
 * the codes documented, so a code added to the table without a walk fails the build.
 *
 * <p>The agents are {@link ScriptedAgent}s, the orchestrator a real {@link Orchestrator} over
 * {@link FakeAgents}; the rows with TLS use the certificates of {@link TestPki} and are skipped
 * (with the final comparison) when openssl is missing.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExitCodeWalkTest {

    enum Mode {
        DIRECT("--cluster"), ORCHESTRATOR("--orchestrator"), LIBVIRT("direct-migrate");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** Where a row's line is: stderr (it is the only line there) or stdout (stderr has no error line). */
    enum Where {
        ERR, OUT
    }

    @FunctionalInterface
    interface Action {
        Run run(World w) throws Exception;
    }

    /**
     * A cause and what livemig answers: the exit code and the line, where "…" stands for any text
     * and {NAME} for an address or file of the row's servers.
     */
    record Row(int code, Mode mode, String cause, Action action, Where where, String line) {
        @Override
        public String toString() {
            return "exit " + code + ", " + mode.label + ": " + cause;
        }
    }

    private static Row row(int code, Mode mode, String cause, Action action, Where where, String line) {
        return new Row(code, mode, cause, action, where, line);
    }

    private static final Where ERR = Where.ERR;
    private static final Where OUT = Where.OUT;
    private static final Mode DIRECT = Mode.DIRECT;
    private static final Mode ORCH = Mode.ORCHESTRATOR;
    private static final Mode LIBVIRT = Mode.LIBVIRT;

    private static final String A = "qemu+tcp://10.213.77.11/system";
    private static final String B = "qemu+tcp://10.213.77.12/system";
    private static final String NO_CERTIFICATE = "livemig: no client certificate: give --ca/--cert/--key, "
            + "LIVEMIG_TLS_*, a tls section in client.yaml, or --insecure";
    private static final String HISTORY_FULL = "history /var/lib/livemig/history.db: cannot allocate a migration id: "
            + "[SQLITE_FULL] Insertion failed because database is full (database or disk is full)";

    static final List<Row> ROWS = List.of(
            // 0 success
            row(0, DIRECT, "hosts: every agent answers", w -> w.direct("hosts"), OUT, "lab-a …up…"),
            row(0, ORCH, "hosts: every host is up", w -> w.orchestrated("hosts"), OUT, "a …up…"),
            row(0, DIRECT, "vms", w -> w.direct("vms"), OUT, "web1 …lab-a …running…"),
            row(0, ORCH, "vms", w -> w.orchestrated("vms"), OUT, "web1 …a …running…"),
            row(0, DIRECT, "migrate: the migration succeeds", w -> w.direct("migrate", "web1", "--to", "lab-b"),
                    OUT, "web1 succeeded: lab-a -> lab-b, mode auto (used precopy): total 812 ms, downtime 41 ms…"),
            row(0, ORCH, "migrate: the migration succeeds", w -> w.orchestratedMigration(null),
                    OUT, "web1 succeeded: a -> b, mode auto (used precopy): total 1500 ms, downtime 40 ms…"),
            row(0, ORCH, "migrate --no-wait: the migration is queued",
                    w -> w.orchestrated("migrate", "web1", "--to", "b", "--no-wait"), OUT, "m-000001 …"),
            row(0, LIBVIRT, "the hypervisor's migration completes", w -> w.libvirt(FakeHypervisor.replaying(List.of(),
                    new MigrationOutcome(OutcomeStatus.COMPLETED, 4312, 145L, 9L, 325_268_684L, 256L << 20, 3L, null, null,
                            StatsOrigin.DESTINATION_COMPLETED_JOB))),
                    OUT, "migrated vm1 from " + A + " to " + B + ": total 4312 ms, downtime 145 ms…"),

            // 1 the migration failed
            row(1, DIRECT, "migrate: the agent's migration fails", w -> {
                w.agentA().outcome = MigrationStatus.MIGRATION_STATUS_FAILED;
                return w.direct("migrate", "web1", "--to", "lab-b");
            }, OUT, "web1 failed: lab-a -> lab-b, mode auto (used precopy): total 812 ms…"),
            row(1, ORCH, "migrate: the agent's migration fails",
                    w -> w.orchestratedMigration("operation failed: Connection reset by peer"),
                    OUT, "web1 failed: a -> b, mode auto (used precopy): total 900 ms…"),
            row(1, LIBVIRT, "the hypervisor's migration fails", w -> w.libvirt(FakeHypervisor.replaying(List.of(),
                    new MigrationOutcome(OutcomeStatus.FAILED, 2000, null, null, 0L, 256L << 20, 0L, null,
                            "operation failed: migration out job: unexpectedly failed", StatsOrigin.NONE))),
                    ERR, "livemig: migration of vm1 from " + A + " to " + B + " failed after 2000 ms: "
                            + "operation failed: migration out job: unexpectedly failed"),
            row(1, DIRECT, "the source agent is at its migration limit (RESOURCE_EXHAUSTED)", w -> {
                w.agentA().refusal = Status.RESOURCE_EXHAUSTED.withDescription(
                        "this host already runs 2 outgoing migrations (limit 2)");
                return w.direct("migrate", "web1", "--to", "lab-b");
            }, ERR, "livemig: this host already runs 2 outgoing migrations (limit 2) (RESOURCE_EXHAUSTED)"),
            row(1, ORCH, "the orchestrator's history disk is full (RESOURCE_EXHAUSTED)",
                    w -> w.historyFull("migrate", "web1"), ERR, "livemig: " + HISTORY_FULL + " (RESOURCE_EXHAUSTED)"),

            // 2 bad usage or input
            row(2, DIRECT, "an unknown option", w -> w.direct("migrate", "web1", "--to", "lab-b", "-x"),
                    ERR, "livemig migrate: Unknown option: '-x' (see 'livemig migrate --help')"),
            row(2, ORCH, "an unknown option", w -> w.orchestrated("migrate", "web1", "-x"),
                    ERR, "livemig migrate: Unknown option: '-x' (see 'livemig migrate --help')"),
            row(2, DIRECT, "an unknown mode", w -> w.direct("migrate", "web1", "--to", "lab-b", "--mode", "fast"),
                    ERR, "livemig migrate: Invalid value for option '--mode': expected one of [auto, precopy, stopcopy, "
                            + "postcopy] (case-sensitive) but was 'fast' (see 'livemig migrate --help')"),
            row(2, ORCH, "an unknown mode", w -> w.orchestrated("migrate", "web1", "--mode", "fast"),
                    ERR, "livemig migrate: Invalid value for option '--mode': expected one of [auto, precopy, stopcopy, "
                            + "postcopy] (case-sensitive) but was 'fast' (see 'livemig migrate --help')"),
            row(2, DIRECT, "a value out of range", w -> w.direct("migrate", "web1", "--to", "lab-b", "--max-downtime", "0"),
                    ERR, "livemig: --max-downtime must be 1..60000, got 0"),
            row(2, ORCH, "a value out of range", w -> w.orchestrated("migrate", "web1", "--max-downtime", "0"),
                    ERR, "livemig: --max-downtime must be 1..60000, got 0"),
            row(2, DIRECT, "an unknown VM", w -> w.direct("migrate", "nope", "--to", "lab-b"),
                    ERR, "livemig: VM 'nope' runs on no host of the cluster"),
            row(2, ORCH, "an unknown VM (NOT_FOUND)", w -> w.orchestrated("migrate", "nope"),
                    ERR, "livemig: no running VM 'nope' on any reachable host (NOT_FOUND)"),
            row(2, DIRECT, "an unknown host", w -> w.direct("migrate", "web1", "--to", "lab-z"),
                    ERR, "livemig: unknown host 'lab-z'…"),
            row(2, ORCH, "an unknown host (NOT_FOUND)", w -> w.orchestrated("migrate", "web1", "--to", "z"),
                    ERR, "livemig: no host 'z' in the cluster (hosts: a, b, c) (NOT_FOUND)"),
            row(2, DIRECT, "a cluster file with an error", w -> w.badClusterFile("hosts"),
                    ERR, "livemig: {cluster}:4: unknown key 'libvirt'…"),
            row(2, ORCH, "a client file with an error", w -> w.badClientFile("hosts"),
                    ERR, "livemig: {client}:2: unknown key 'port'…"),
            row(2, DIRECT, "a command that needs an orchestrator", w -> w.direct("history"),
                    ERR, "livemig: history needs an orchestrator: …"),
            row(2, DIRECT, "no client certificate configured", w -> w.directWithoutSecurity("vms"), ERR, NO_CERTIFICATE),
            row(2, ORCH, "no client certificate configured", w -> w.orchestratedWithoutSecurity("hosts"),
                    ERR, NO_CERTIFICATE),

            // 3 unavailable
            row(3, DIRECT, "no agent listens at the cluster file's addresses",
                    w -> w.unreachableAgents("migrate", "web1", "--to", "lab-b"),
                    ERR, "livemig: cannot reach the agent of lab-a at 127.0.0.1:{port}: …(UNAVAILABLE)"),
            row(3, ORCH, "no orchestrator listens at --orchestrator", w -> w.unreachableOrchestrator("migrate", "web1"),
                    ERR, "livemig: cannot reach the orchestrator at 127.0.0.1:{port}: …(UNAVAILABLE)"),
            row(3, DIRECT, "hosts: no agent answers", w -> w.unreachableAgents("hosts"),
                    OUT, "lab-a …down …"),
            row(3, ORCH, "hosts: the orchestrator cannot reach a host's agent", w -> w.orchestratedWithHostDown("hosts"),
                    OUT, "a …down…"),
            // As straight to the agents: the orchestrator refuses a VM whose host is down, records nothing.
            row(3, ORCH, "migrate: the VM's host is down for the orchestrator",
                    w -> w.orchestratedWithHostDown("migrate", "web1", "--to", "b"),
                    ERR, "livemig: VM 'web1' was last seen on a, which is down (agent unreachable: …) (UNAVAILABLE)"),
            row(3, DIRECT, "a plaintext client and TLS agents", w -> w.directPlaintextToTls("vms", "--host", "lab-a"),
                    ERR, "livemig: lab-a: UNAVAILABLE: …"),
            row(3, DIRECT, "migrate: a plaintext client and TLS agents",
                    w -> w.directPlaintextToTls("migrate", "web1", "--to", "lab-b"),
                    ERR, "livemig: cannot reach the agent of lab-a at {lab-a}: …(UNAVAILABLE)"),
            row(3, ORCH, "a plaintext client and a TLS orchestrator", w -> w.orchestratedPlaintextToTls("hosts"),
                    ERR, "livemig: cannot reach the orchestrator at {orchestrator}: …(UNAVAILABLE)"),

            // 4 refused
            row(4, DIRECT, "a client certificate from another CA",
                    w -> w.directAs(World.STRANGER, "vms", "--host", "lab-a"),
                    ERR, "livemig: TLS handshake failed: the agent of lab-a does not trust the CA that signed this "
                            + "client's certificate (unknown CA)"),
            row(4, DIRECT, "migrate with a client certificate from another CA",
                    w -> w.directAs(World.STRANGER, "migrate", "web1", "--to", "lab-b"),
                    ERR, "livemig: TLS handshake failed: the agent of lab-a does not trust the CA that signed this "
                            + "client's certificate (unknown CA)"),
            row(4, ORCH, "a client certificate from another CA", w -> w.orchestratedAs(World.STRANGER, "hosts"),
                    ERR, "livemig: TLS handshake failed: the orchestrator at {orchestrator} does not trust the CA that "
                            + "signed this client's certificate (unknown CA)"),
            row(4, DIRECT, "an identity not in the agent's allow list (PERMISSION_DENIED)",
                    w -> w.directAs("intruder", "migrate", "web1", "--to", "lab-b"),
                    ERR, "livemig: identity 'intruder' may not call StartMigration on agent lab-a (PERMISSION_DENIED)"),
            row(4, ORCH, "an identity not in the orchestrator's allow list (PERMISSION_DENIED)",
                    w -> w.orchestratedAs("intruder", "migrate", "web1"),
                    ERR, "livemig: identity 'intruder' may not call Migrate on the orchestrator (PERMISSION_DENIED)"));

    @TempDir
    static Path pkiDir;
    static TestPki pki;

    @TempDir
    Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        if (TestPki.opensslAvailable()) {
            pki = TestPki.make(pkiDir);
        }
    }

    /** Every row, then whether the codes walked are the codes documented. */
    @TestFactory
    Stream<DynamicTest> everyDocumentedExitCodeIsWalked() {
        Set<Integer> walked = new TreeSet<>();
        Stream<DynamicTest> rows = ROWS.stream().map(row -> dynamicTest(row.toString(), () -> {
            walk(row);
            walked.add(row.code());
        }));
        DynamicTest documented = dynamicTest("the codes walked are the codes of docs/errors.md", () -> {
            assumeTrue(pki != null, TestPki.NO_OPENSSL);
            assertEquals(documentedCodes(), walked, "a documented exit code without a walk, or a walk of an "
                    + "undocumented one (rows that failed are not counted)");
        });
        return Stream.concat(rows, Stream.of(documented));
    }

    private void walk(Row row) throws Exception {
        Run run;
        try (World world = new World(Files.createTempDirectory(dir, "row"))) {
            run = row.action().run(world);
            String expected = world.fill(row.line());
            assertEquals(row.code(), run.exitCode(), run.toString());
            List<String> errLines = run.err().lines().toList();
            if (row.where() == Where.ERR) {
                assertEquals(1, errLines.size(), "one line on stderr: " + run);
                assertTrue(matches(expected, errLines.get(0)), "expected " + expected + "\n but was " + errLines.get(0));
            } else {
                assertTrue(errLines.stream().noneMatch(l -> l.startsWith("livemig")), "no error line: " + run);
                assertTrue(run.out().lines().anyMatch(l -> matches(expected, l)), "no line " + expected + " in " + run);
            }
        }
        for (String line : (run.err() + run.out()).lines().toList()) {
            assertFalse(JAVA_CLASS.matcher(line).find(), "a Java class name: " + line);
        }
    }

    /** A class's qualified name (io.grpc.StatusRuntimeException) or simple exception name. */
    private static final Pattern JAVA_CLASS = Pattern.compile("\\b[a-z]+(\\.[a-z0-9_]+)+\\.[A-Z]\\w*|\\w+Exception\\b");

    /** Whether {@code line} is {@code expected}, where "…" in it stands for any text. */
    static boolean matches(String expected, String line) {
        String regex = Arrays.stream(expected.split("…", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
        return line.matches(regex);
    }

    // --- the documentation -------------------------------------------------------------------------

    /** Both modes exist for every code: each has at least one row through each. */
    @Test
    void everyDocumentedCodeHasRowsInBothModes() throws IOException {
        Set<Integer> documented = documentedCodes();
        for (Mode mode : EnumSet.of(Mode.DIRECT, Mode.ORCHESTRATOR)) {
            assertEquals(documented, ROWS.stream().filter(r -> r.mode() == mode).map(Row::code)
                    .collect(Collectors.toCollection(TreeSet::new)), mode.label);
        }
    }

    @Test
    void theReadmeAndExitCodesListTheDocumentedCodes() throws IOException {
        Set<Integer> documented = documentedCodes();
        assertEquals(documented, new TreeSet<>(List.of(ExitCodes.OK, ExitCodes.MIGRATION_FAILED, ExitCodes.USAGE,
                ExitCodes.UNAVAILABLE, ExitCodes.REFUSED)), "the constants of ExitCodes");
        String readme = Files.readString(repositoryRoot().resolve("README.md"));
        Matcher paragraph = Pattern.compile("(?s)\nExit codes: (.*?)\n\n").matcher(readme);
        assertTrue(paragraph.find(), "README.md: no 'Exit codes:' paragraph");
        Set<Integer> listed = new TreeSet<>();
        Matcher code = Pattern.compile("(?:^|; )(\\d+) ").matcher(paragraph.group(1).replace('\n', ' '));
        while (code.find()) {
            listed.add(Integer.parseInt(code.group(1)));
        }
        assertEquals(documented, listed, "README.md's 'Exit codes:' paragraph");
    }

    /** The codes of the table under "## CLI exit codes" in docs/errors.md. */
    static Set<Integer> documentedCodes() throws IOException {
        List<String> lines = Files.readAllLines(repositoryRoot().resolve("docs/errors.md"));
        int section = lines.indexOf("## CLI exit codes");
        assertTrue(section >= 0, "docs/errors.md: no '## CLI exit codes' section");
        int header = section + 1;
        while (header < lines.size() && !lines.get(header).startsWith("| Code |")) {
            assertFalse(lines.get(header).startsWith("## "), "docs/errors.md: no '| Code |' table in its section");
            header++;
        }
        Set<Integer> codes = new TreeSet<>();
        Pattern cell = Pattern.compile("^\\| (\\d+) \\|");
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            Matcher m = cell.matcher(lines.get(i));
            assertTrue(m.find(), "docs/errors.md: not a code row: " + lines.get(i));
            codes.add(Integer.parseInt(m.group(1)));
        }
        assertFalse(codes.isEmpty(), "docs/errors.md: an empty exit code table");
        return codes;
    }

    /** The directory holding pom.xml and docs/, at or above the working directory (Maven: cli/). */
    static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("docs"))) {
                return d;
            }
        }
        throw new AssertionError("no directory with pom.xml and docs/ at or above " + start);
    }

    // --- running livemig -----------------------------------------------------------------------------

    record Run(int exitCode, String out, String err) {}

    /**
     * The servers of one row, on loopback TCP, started as the row asks: the agents of a cluster
     * file (lab-a runs web1, lab-b nothing) or an orchestrator (hosts a, b, c; web1 on a), with
     * or without TLS; closed after the row.
     */
    static final class World implements AutoCloseable {
        /** The operator of another CA. */
        static final String STRANGER = "stranger";

        private final Path dir;
        private final Map<String, String> names = new HashMap<>();
        private final List<GrpcServing> servers = new ArrayList<>();
        private final List<ScriptedAgent> agents = new ArrayList<>();
        private Hypervisor hypervisor = FakeHypervisor.replaying(List.of(), null);
        private ClientEnvironment environment = new ClientEnvironment(Map.of(), List.of(), Duration.ofSeconds(10));
        private FakeAgents fakeAgents;
        private HistoryStore history;
        private Orchestrator orchestrator;

        World(Path dir) {
            this.dir = dir;
        }

        String fill(String line) {
            String filled = line;
            for (Map.Entry<String, String> e : names.entrySet()) {
                filled = filled.replace("{" + e.getKey() + "}", e.getValue());
            }
            return filled;
        }

        Run cli(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            Hypervisor h = hypervisor;
            try (AgentChannels channels = AgentChannels.secured()) {
                int code = Main.execute(() -> h, channels, false, environment, new PrintWriter(out, true),
                        new PrintWriter(err, true), args);
                return new Run(code, out.toString(), err.toString());
            }
        }

        private Run cli(List<String> before, String... args) {
            List<String> argv = new ArrayList<>(before);
            argv.addAll(List.of(args));
            return cli(argv.toArray(String[]::new));
        }

        // --- the security of servers and client

        private static TransportSecurity serverSecurity(String identity) {
            if (identity == null) {
                return TransportSecurity.INSECURE;
            }
            assumeTrue(pki != null, TestPki.NO_OPENSSL);
            return pki.tls(identity);
        }

        private static List<String> clientSecurity(String identity) {
            assumeTrue(pki != null, TestPki.NO_OPENSSL);
            Path certs = identity.equals(STRANGER) ? pki.other : pki.dir;
            String name = identity.equals(STRANGER) ? "operator" : identity;
            return List.of("--ca", pki.dir.resolve("ca.pem").toString(), "--cert", certs.resolve(name + ".pem").toString(),
                    "--key", certs.resolve(name + ".key").toString());
        }

        // --- straight to the agents

        ScriptedAgent agentA() throws Exception {
            cluster(false);
            return agents.get(0);
        }

        /** Serves lab-a and lab-b (TLS with their own certificates unless {@code tls} is false) and writes the cluster file. */
        Path cluster(boolean tls) throws Exception {
            Path file = dir.resolve("cluster.yaml");
            if (!agents.isEmpty()) {
                return file;
            }
            StringBuilder yaml = new StringBuilder("hosts:\n");
            for (ScriptedAgent agent : List.of(new ScriptedAgent("lab-a", "web1"), new ScriptedAgent("lab-b"))) {
                GrpcServing server = GrpcServing.listen(new HostPort("127.0.0.1", 0), agent,
                        serverSecurity(tls ? agent.host : null),
                        AgentServer.policy(agent.host, List.of("operator"), List.of("lab-a", "lab-b")));
                servers.add(server);
                agents.add(agent);
                names.put(agent.host, "127.0.0.1:" + server.port());
                yaml.append("  - {name: ").append(agent.host).append(", agent: \"127.0.0.1:").append(server.port())
                        .append("\", libvirt_uri: \"qemu+tcp://").append(agent.host).append("/system\"}\n");
            }
            names.put("cluster", file.toString());
            return Files.writeString(file, yaml);
        }

        Run direct(String... args) throws Exception {
            return cli(List.of("--insecure", "--cluster", cluster(false).toString()), args);
        }

        Run directAs(String identity, String... args) throws Exception {
            List<String> before = new ArrayList<>(clientSecurity(identity));
            before.addAll(List.of("--cluster", cluster(true).toString()));
            return cli(before, args);
        }

        Run directWithoutSecurity(String... args) throws Exception {
            return cli(List.of("--cluster", cluster(false).toString()), args);
        }

        Run directPlaintextToTls(String... args) throws Exception {
            return cli(List.of("--insecure", "--cluster", cluster(true).toString()), args);
        }

        Run badClusterFile(String... args) throws Exception {
            Path file = Files.writeString(dir.resolve("cluster.yaml"),
                    "hosts:\n  - name: lab-a\n    agent: 127.0.0.1:7070\n    libvirt: x\n");
            names.put("cluster", file.toString());
            return cli(List.of("--insecure", "--cluster", file.toString()), args);
        }

        Run unreachableAgents(String... args) throws Exception {
            int port = freePort();
            names.put("port", Integer.toString(port));
            Path file = Files.writeString(dir.resolve("cluster.yaml"), "hosts:\n"
                    + "  - {name: lab-a, agent: \"127.0.0.1:" + port + "\", libvirt_uri: \"qemu+tcp://127.0.0.1/system\"}\n"
                    + "  - {name: lab-b, agent: \"127.0.0.1:" + freePort() + "\", libvirt_uri: \"qemu+tcp://127.0.0.2/system\"}\n");
            return cli(List.of("--insecure", "--cluster", file.toString()), args);
        }

        // --- through an orchestrator

        /** Serves a real orchestrator (hosts a, b, c; web1 on a) with TLS as {@code identity}, or plaintext. */
        String orchestrator(String identity) throws Exception {
            if (orchestrator != null) {
                return names.get("orchestrator");
            }
            fakeAgents = new FakeAgents().host("a", 4, 16 * GIB, 0.1).host("b", 4, 16 * GIB, 0.1)
                    .host("c", 4, 16 * GIB, 0.0).vm("a", "web1", 2 * GIB, 0.9, "br-a");
            history = HistoryStore.open(dir.resolve("history.db"));
            orchestrator = new Orchestrator(ClusterConfig.parse(OrchestratorCommandsTest.CLUSTER, "test"),
                    new Orchestrator.Settings(PlacementPolicy.BALANCE, new AdmissionQueue.Limits(2, 1, 1),
                            Duration.ofHours(1), 3, RebalanceSettings.DEFAULT, Duration.ZERO, false),
                    fakeAgents, history, Clock.systemUTC());
            orchestrator.start();
            GrpcServing server = OrchestratorServer.listen(new HostPort("127.0.0.1", 0), orchestrator,
                    serverSecurity(identity), OrchestratorServer.policy(List.of("operator")));
            servers.add(server);
            names.put("orchestrator", "127.0.0.1:" + server.port());
            return names.get("orchestrator");
        }

        Run orchestrated(String... args) throws Exception {
            return cli(List.of("--insecure", "--orchestrator", orchestrator(null)), args);
        }

        /** The orchestrator has polled host a's agent, which no longer answers. */
        Run orchestratedWithHostDown(String... args) throws Exception {
            orchestrator(null);
            fakeAgents.unreachable.add("a");
            for (int i = 0; i < 3; i++) {
                orchestrator.pollLoads();
            }
            return orchestrated(args);
        }

        Run orchestratedAs(String identity, String... args) throws Exception {
            List<String> before = new ArrayList<>(clientSecurity(identity));
            before.addAll(List.of("--orchestrator", orchestrator("orchestrator")));
            return cli(before, args);
        }

        Run orchestratedWithoutSecurity(String... args) throws Exception {
            return cli(List.of("--orchestrator", orchestrator(null)), args);
        }

        Run orchestratedPlaintextToTls(String... args) throws Exception {
            return cli(List.of("--insecure", "--orchestrator", orchestrator("orchestrator")), args);
        }

        /** migrate web1 --to b, followed to its end: the agent completes it, or fails it with {@code failure}. */
        Run orchestratedMigration(String failure) throws Exception {
            String address = orchestrator(null);
            CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> cli("--insecure", "--orchestrator", address,
                    "migrate", "web1", "--to", "b"));
            fakeAgents.awaitStart();
            if (failure == null) {
                fakeAgents.complete("web1");
            } else {
                fakeAgents.fail("web1", failure);
            }
            return run.get(30, TimeUnit.SECONDS);
        }

        Run badClientFile(String... args) throws Exception {
            Path file = Files.writeString(dir.resolve("client.yaml"), "orchestrator: " + orchestrator(null)
                    + "\nport: 7080\ninsecure: true\n");
            names.put("client", file.toString());
            environment = new ClientEnvironment(Map.of(), List.of(file), Duration.ofSeconds(10));
            return cli(args);
        }

        Run unreachableOrchestrator(String... args) throws Exception {
            int port = freePort();
            names.put("port", Integer.toString(port));
            return cli(List.of("--insecure", "--orchestrator", "127.0.0.1:" + port), args);
        }

        /**
         * An orchestrator whose history cannot be written because its disk is full: Migrate answers
         * RESOURCE_EXHAUSTED with the line naming the file, as the orchestrator's service does.
         */
        Run historyFull(String... args) throws Exception {
            GrpcServing server = GrpcServing.listen(new HostPort("127.0.0.1", 0),
                    new OrchestratorServiceGrpc.OrchestratorServiceImplBase() {
                        @Override
                        public void migrate(MigrateRequest request, StreamObserver<MigrateResponse> observer) {
                            observer.onError(Status.RESOURCE_EXHAUSTED.withDescription(HISTORY_FULL).asRuntimeException());
                        }
                    }, TransportSecurity.INSECURE, OrchestratorServer.policy(List.of()));
            servers.add(server);
            return cli(List.of("--insecure", "--orchestrator", "127.0.0.1:" + server.port()), args);
        }

        // --- straight to libvirt

        Run libvirt(Hypervisor fake) {
            hypervisor = fake;
            return cli("direct-migrate", "vm1", "--from", A, "--to", B);
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }

        @Override
        public void close() throws Exception {
            for (GrpcServing server : servers) {
                server.close();
            }
            if (orchestrator != null) {
                orchestrator.close();
            }
            if (history != null) {
                history.close();
            }
        }
    }
}
