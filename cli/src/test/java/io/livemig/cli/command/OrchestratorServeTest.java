package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.agent.grpc.FakeHypervisor;
import io.livemig.cli.Main;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.testkit.LogCapture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** livemig orchestrator: serves its configuration over TCP, and refuses bad files with one line. */
@Timeout(value = 20, unit = TimeUnit.SECONDS) // a refusal that does not happen would serve forever
class OrchestratorServeTest {

    @TempDir
    Path dir;
    Path config;

    @BeforeEach
    void files() throws Exception {
        // One host whose agent nothing answers for.
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: lonely, agent: "127.0.0.1:1", libvirt_uri: "qemu+tcp://127.0.0.1/system"}
                """);
        config = dir.resolve("orchestrator.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                cluster: cluster.yaml
                database: state/history.db
                limits: {cluster: 1}
                rebalance: {threshold: 0.2, min_gain: 0.05, max_moves: 1, cooldown_s: 60}
                insecure: true
                """);
    }

    record Run(int exitCode, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (AgentChannels channels = new AgentChannels(AgentChannels.PLAINTEXT)) {
            int code = Main.execute(() -> FakeHypervisor.replaying(List.of(), null), channels, false,
                    new ClientEnvironment(Map.of(), List.of(), Duration.ofSeconds(10)),
                    new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Run(code, out.toString(), err.toString());
        }
    }

    @Test
    void servesAndClientsReachItOverTcp() throws Exception {
        StringWriter err = new StringWriter();
        try (LogCapture log = new LogCapture(Level.INFO);
                OrchestratorCommand.Serving serving = OrchestratorCommand.serve(config, new PrintWriter(err, true))) {
            // Its own lines go to the log (stderr in production), with their wording kept.
            assertEquals(List.of("WARN livemig orchestrator: INSECURE: plaintext gRPC, no client authentication; "
                    + "anyone who can reach 127.0.0.1:0 can move VMs",
                    "INFO livemig orchestrator listening on 127.0.0.1:" + serving.port() + " (1 host, history "
                    + dir.resolve("state/history.db").toAbsolutePath().normalize() + ", plaintext)"),
                    log.matching(e -> e.getLoggerName().equals("io.livemig.orchestrator")).stream()
                            .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList());
            assertEquals("", err.toString());
            String address = "127.0.0.1:" + serving.port();

            Run hosts = cli("--orchestrator", address, "hosts", "--json");
            assertEquals(3, hosts.exitCode(), "a host is down: " + hosts);
            JsonNode lonely = new ObjectMapper().readTree(hosts.out()).get("hosts").get(0);
            assertEquals("lonely", lonely.get("name").asText());
            assertEquals("down", lonely.get("state").asText());
            assertTrue(lonely.get("state_reason").asText().startsWith("agent never reached: "), hosts.out());

            Run history = cli("--orchestrator", address, "history", "--json");
            assertEquals(0, history.exitCode(), history.toString());
            assertEquals(0, new ObjectMapper().readTree(history.out()).get("migrations").size());

            Run migrate = cli("--orchestrator", address, "migrate", "web1");
            assertEquals(2, migrate.exitCode(), migrate.toString());
            assertEquals("livemig: no running VM 'web1' on any reachable host (NOT_FOUND)\n", migrate.err());
        }
        assertTrue(Files.exists(dir.resolve("state/history.db")));
    }

    @Test
    void aMissingOrBadConfigurationIsOneLineAndExitTwo() throws Exception {
        Run missing = cli("orchestrator", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertEquals("livemig: " + dir.resolve("nope.yaml") + ": no such file\n", missing.err());

        Files.writeString(config, "listen: 127.0.0.1:0\ncluster: cluster.yaml\ndatabase: h.db\nport: 7080\n");
        Run unknown = cli("orchestrator", "--config", config.toString());
        assertEquals(2, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().startsWith("livemig: " + config + ":4: unknown key 'port'"), unknown.err());
        assertEquals(1, unknown.err().lines().count());

        Files.writeString(config, "listen: 127.0.0.1:0\ncluster: cluster.yaml\ndatabase: cluster.yaml\ninsecure: true\n");
        try (LogCapture log = new LogCapture(Level.INFO)) {
            Run notADatabase = cli("orchestrator", "--config", config.toString());
            assertEquals(2, notADatabase.exitCode(), notADatabase.toString());
            List<String> lines = notADatabase.err().lines().toList();
            assertEquals(1, lines.size(), notADatabase.err());
            assertTrue(lines.get(0).startsWith("livemig orchestrator: cannot open history "), notADatabase.err());
            assertTrue(log.events().get(0).getFormattedMessage().startsWith("livemig orchestrator: INSECURE: "));
        }
    }

    @Test
    void anAddressInUseIsExitThree() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Files.writeString(config, "listen: 127.0.0.1:" + taken.getLocalPort()
                    + "\ncluster: cluster.yaml\ndatabase: h.db\n");
            try (LogCapture log = new LogCapture(Level.INFO)) {
                Run r = cli("orchestrator", "--insecure", "--config", config.toString());
                assertEquals(3, r.exitCode(), r.toString());
                List<String> lines = r.err().lines().toList();
                assertTrue(lines.get(0).startsWith("livemig orchestrator: cannot listen on 127.0.0.1:"
                        + taken.getLocalPort()), r.err());
                assertEquals(1, lines.size(), r.err());
                assertEquals("livemig orchestrator: INSECURE: plaintext gRPC, no client authentication; anyone "
                        + "who can reach 127.0.0.1:" + taken.getLocalPort() + " can move VMs",
                        log.events().get(0).getFormattedMessage());
            }
        }
    }
}
