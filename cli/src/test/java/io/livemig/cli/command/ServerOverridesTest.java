package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.livemig.agent.config.AgentConfig;
import io.livemig.cli.TestCli;
import io.livemig.common.config.ConfigException;
import io.livemig.orchestrator.config.OrchestratorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Flag > environment > file for the servers' listen address, libvirt URI and history file. */
class ServerOverridesTest {

    @TempDir
    Path dir;
    AgentConfig.Loaded agent;
    OrchestratorConfig.Loaded orchestrator;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"),
                "hosts:\n  - {name: a, agent: \"10.0.0.1:7070\", libvirt_uri: \"qemu+tcp://10.0.0.1/system\"}\n");
        Files.writeString(dir.resolve("agent.yaml"),
                "host: a\nlisten: 10.0.0.1:7070\ncluster: cluster.yaml\ninsecure: true\n");
        Files.writeString(dir.resolve("orchestrator.yaml"),
                "listen: 10.0.0.9:7080\ncluster: cluster.yaml\ndatabase: /var/lib/livemig/h.db\ninsecure: true\n");
        agent = AgentConfig.load(dir.resolve("agent.yaml"));
        orchestrator = OrchestratorConfig.load(dir.resolve("orchestrator.yaml"));
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
        // flag,      env,        wins
        "1.1.1.1:1,   2.2.2.2:2,  1.1.1.1:1",
        "-,           2.2.2.2:2,  2.2.2.2:2",
        "-,           '  ',       10.0.0.1:7070",
        "-,           -,          10.0.0.1:7070"})
    void agentListenFlagThenEnvironmentThenFile(String flag, String env, String wins) throws Exception {
        Map<String, String> vars = env == null ? Map.of() : Map.of(ServerOverrides.AGENT_LISTEN, env);
        assertEquals(wins, ServerOverrides.agent(agent, flag, null, vars).agent().listen());
    }

    @Test
    void agentLibvirtUriFlagThenEnvironmentThenFile() throws Exception {
        Map<String, String> env = Map.of(ServerOverrides.LIBVIRT_URI, "qemu+tcp://localhost/system");
        assertEquals("qemu:///session", ServerOverrides.agent(agent, null, "qemu:///session", env).agent().libvirtUri());
        assertEquals("qemu+tcp://localhost/system", ServerOverrides.agent(agent, null, null, env).agent().libvirtUri());
        assertEquals("qemu:///system", ServerOverrides.agent(agent, null, null, Map.of()).agent().libvirtUri());
    }

    @Test
    void orchestratorListenAndDatabase() throws Exception {
        Map<String, String> env = Map.of(ServerOverrides.ORCHESTRATOR_LISTEN, "127.0.0.1:9",
                ServerOverrides.DATABASE, "/srv/h.db");
        OrchestratorConfig.Loaded fromEnv = ServerOverrides.orchestrator(orchestrator, null, null, env);
        assertEquals("127.0.0.1:9", fromEnv.config().listen());
        assertEquals(Path.of("/srv/h.db"), fromEnv.database());
        OrchestratorConfig.Loaded fromFlags = ServerOverrides.orchestrator(orchestrator, "0.0.0.0:7", "/tmp/x.db", env);
        assertEquals("0.0.0.0:7", fromFlags.config().listen());
        assertEquals(7, fromFlags.config().listenAddress().port());
        assertEquals(Path.of("/tmp/x.db"), fromFlags.database());
        OrchestratorConfig.Loaded fromFile = ServerOverrides.orchestrator(orchestrator, null, null, Map.of());
        assertEquals("10.0.0.9:7080", fromFile.config().listen());
        assertEquals(Path.of("/var/lib/livemig/h.db"), fromFile.database());
    }

    @Test
    void overridesAreCheckedAndTheRefusalNamesTheirSource() {
        ConfigException flag = assertThrows(ConfigException.class,
                () -> ServerOverrides.agent(agent, "nonsense", null, Map.of()));
        assertEquals("--listen must be host:port, got 'nonsense'", flag.getMessage());
        ConfigException env = assertThrows(ConfigException.class,
                () -> ServerOverrides.agent(agent, null, null, Map.of(ServerOverrides.AGENT_LISTEN, "h:70000")));
        assertEquals("$LIVEMIG_AGENT_LISTEN port must be 0..65535, got 70000", env.getMessage());
        ConfigException uri = assertThrows(ConfigException.class,
                () -> ServerOverrides.agent(agent, null, "localhost", Map.of()));
        assertEquals("--libvirt-uri must be a libvirt URI such as qemu+tcp://HOST/system, got 'localhost'",
                uri.getMessage());
        ConfigException db = assertThrows(ConfigException.class,
                () -> ServerOverrides.orchestrator(orchestrator, null, "/var/lib/livemig/", Map.of()));
        assertEquals("--database must be a file, not a directory, got '/var/lib/livemig/'", db.getMessage());
    }

    @Test
    void aBadOverrideStopsTheAgentCommandWithExitTwo() {
        TestCli.Run run = TestCli.run("agent", "--config", dir.resolve("agent.yaml").toString(),
                "--listen", "nowhere");
        assertEquals(2, run.exitCode());
        assertEquals("livemig: --listen must be host:port, got 'nowhere'\n", run.err());
    }
}
