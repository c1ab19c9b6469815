package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.TestCli;
import io.livemig.cli.TestCli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** livemig config check: each kind, told from its keys or named; bad files with their line. */
class ConfigCheckTest {

    @TempDir
    Path dir;

    private static Run cli(String... args) {
        return TestCli.run(args);
    }

    Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @BeforeEach
    void cluster() throws Exception {
        write("cluster.yaml", """
                hosts:
                  - {name: a, agent: "10.0.0.1:7070", libvirt_uri: "qemu+tcp://10.0.0.1/system"}
                  - {name: b, agent: "10.0.0.2:7070", libvirt_uri: "qemu+tcp://10.0.0.2/system"}
                """);
    }

    @Test
    void aClusterFile() {
        Run run = cli("config", "check", dir.resolve("cluster.yaml").toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(dir.resolve("cluster.yaml") + ": ok (cluster: 2 hosts (a, b))\n", run.out());
        assertEquals("", run.err());
    }

    @Test
    void anAgentFile() throws Exception {
        Path f = write("agent.yaml", "host: b\nlisten: 0.0.0.0:7070\ncluster: cluster.yaml\ninsecure: true\n");
        Run run = cli("config", "check", f.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(f + ": ok (agent: host b, listen 0.0.0.0:7070, libvirt qemu:///system, cluster of 2 hosts (a, b), "
                + "plaintext)\n", run.out());
    }

    @Test
    void anOrchestratorFile() throws Exception {
        Path f = write("orchestrator.yaml", "cluster: cluster.yaml\ndatabase: /var/lib/livemig/h.db\ninsecure: true\n");
        Run run = cli("config", "check", f.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(f + ": ok (orchestrator: listen 0.0.0.0:7080, 2 hosts (a, b), policy balance, "
                + "history /var/lib/livemig/h.db, plaintext)\n", run.out());
    }

    @Test
    void aClientFile() throws Exception {
        Path f = write("client.yaml", "orchestrator: 10.0.0.9:7080\ninsecure: true\n");
        Run run = cli("config", "check", f.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(f + ": ok (client: orchestrator 10.0.0.9:7080, plaintext)\n", run.out());
    }

    @Test
    void anExperimentSpec() throws Exception {
        Path f = Path.of("../scripts/experiments/quick.yaml");
        Run run = cli("config", "check", f.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(f + ": ok (experiment: quick, lab-a -> lab-b, 1 workloads x 1 links x 2 modes x 1 repetitions)\n",
                run.out());
    }

    @Test
    void aBadValueIsReportedAtItsLine() throws Exception {
        Path f = write("bad.yaml", """
                hosts:
                  - name: a
                    agent: 10.0.0.1:7070
                    libvirt_uri: qemu+tcp://10.0.0.1/system
                    max_outgoing: 100
                """);
        Run run = cli("config", "check", f.toString());
        assertEquals(2, run.exitCode());
        assertEquals("", run.out());
        assertEquals(f + ":5: host a: max_outgoing must be 1..64, got 100\n", run.err());
    }

    @Test
    void anUnknownKeyIsReportedAtItsLine() throws Exception {
        Path f = write("agent2.yaml", "host: a\ncluster: cluster.yaml\nlisten: 0.0.0.0:7070\nlibvirt: x\ninsecure: true\n");
        Run run = cli("config", "check", f.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith(f + ":4: unknown key 'libvirt'"), run.err());
    }

    @Test
    void theNamedKindIsUsedWhateverTheKeysSay() throws Exception {
        Run run = cli("config", "check", dir.resolve("cluster.yaml").toString(), "--kind", "client");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("unknown key 'hosts'"), run.err());
    }

    @Test
    void anUnknownKindIsBadUsage() {
        Run run = cli("config", "check", dir.resolve("cluster.yaml").toString(), "--kind", "router");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("unknown kind 'router'"), run.err());
    }

    @Test
    void aFileOfNoKnownKindSaysToNameIt() throws Exception {
        Path f = write("what.yaml", "listen: 0.0.0.0:1\n");
        Run run = cli("config", "check", f.toString());
        assertEquals(2, run.exitCode());
        assertEquals(f + ": cannot tell which kind of file this is from its keys [listen]; "
                + "give --kind agent|orchestrator|cluster|client|experiment\n", run.err());
    }

    @Test
    void aMissingFile() {
        Run run = cli("config", "check", dir.resolve("nope.yaml").toString());
        assertEquals(2, run.exitCode());
        assertEquals(dir.resolve("nope.yaml") + ": no such file\n", run.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "hosts                         | CLUSTER",
        "host,listen,cluster,tls       | AGENT",
        "listen,cluster,database       | ORCHESTRATOR",
        "cluster,rebalance             | ORCHESTRATOR",
        "orchestrator,tls              | CLIENT",
        "tls                           | CLIENT",
        "insecure                      | CLIENT",
        "name,source,target,modes      | EXPERIMENT",
        "listen,cluster                | ",
        "whatever                      | "})
    void kindsAreToldFromKeys(String keys, ConfigKind expected) {
        assertEquals(Optional.ofNullable(expected), ConfigKind.detect(Set.of(keys.split(","))));
    }
}
