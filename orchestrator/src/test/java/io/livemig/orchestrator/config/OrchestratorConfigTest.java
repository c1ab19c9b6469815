package io.livemig.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.livemig.common.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrchestratorConfigTest {

    @TempDir
    Path dir;

    @BeforeEach
    void cluster() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: a, agent: "a:7070", libvirt_uri: "qemu+tcp://a/system"}
                """);
    }

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("orchestrator.yaml"), yaml.replace("\\n", "\n"));
    }

    @Test
    void aGoodFileLoadsWithDefaults() throws Exception {
        var loaded = OrchestratorConfig.load(file("cluster: cluster.yaml\\ndatabase: h.db\\ninsecure: true\\n"));
        assertEquals(7080, loaded.config().listenAddress().port());
        assertEquals(2, loaded.limits().cluster());
    }

    /** Rows: the file after "cluster: cluster.yaml", then the message after "FILE:". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "database: h.db\\nlisten: 7080                      | 3: listen must be host:port, got '7080'",
        "database: h.db\\nlisten: 'h:99999'                 | 3: listen port must be 0..65535, got 99999",
        "database: h.db\\npolicy: fastest                   | 3: policy must be balance, least-loaded or round-robin, got 'fastest'",
        "database: h.db\\nlimits:\\n  cluster: 0            | 4: limits.cluster must be 1..64, got 0",
        "database: h.db\\nlimits: {per_host_outgoing: -1}   | 3: limits.per_host_outgoing must be 1..64, got -1",
        "database: h.db\\nload:\\n  window: 0               | 4: load.window must be 1..1000, got 0",
        "database: h.db\\nrebalance:\\n  threshold: 1.5     | 4: rebalance.threshold must be 0..1 (a fraction of a host's load), got 1.5",
        "database: h.db\\nrebalance:\\n  max_moves: -2      | 4: rebalance.max_moves must be 0..1000, got -2",
        "database: h.db\\nrebalance:\\n  interval_s: ten    | 4: Cannot deserialize value of type `java.lang.Integer` from String \"ten\"",
        "database: h.db\\nrebalance:\\n  every: 5           | 4: unknown key 'every'",
        "listen: 'h:1'                                      | database (path of the history file) is required",
    })
    void refusesBadFilesWithTheLineAndReason(String rest, String expected) throws Exception {
        Path file = file("cluster: cluster.yaml\\n" + rest.strip() + "\\n");
        ConfigException e = assertThrows(ConfigException.class, () -> OrchestratorConfig.load(file));
        String prefix = expected.matches("^[0-9]+:.*") ? file + ":" : file + ": ";
        assertEquals(true, e.getMessage().startsWith(prefix + expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void anErrorInTheClusterFileNamesThatFile() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: a, agent: "a:7070", libvirt_uri: "qemu+tcp://a/system"}
                  - {name: a, agent: "b:7070", libvirt_uri: "qemu+tcp://b/system"}
                """);
        ConfigException e = assertThrows(ConfigException.class,
                () -> OrchestratorConfig.load(file("cluster: cluster.yaml\\ndatabase: h.db\\ninsecure: true\\n")));
        assertEquals(dir.resolve("cluster.yaml") + ":3: host name 'a' is listed twice (first at line 2)", e.getMessage());
    }
}
