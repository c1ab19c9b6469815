package io.livemig.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.livemig.common.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** agent.yaml's metrics_listen: optional, checked like listen, with the line of the value. */
class MetricsListenConfigTest {

    private static final String BASE = "host: lab-a\nlisten: 10.0.0.11:7070\ncluster: cluster.yaml\ninsecure: true\n";

    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: lab-a, agent: "10.0.0.11:7070", libvirt_uri: "qemu+tcp://10.0.0.11/system"}
                """);
        file = dir.resolve("agent.yaml");
    }

    @Test
    void absentMeansNoEndpoint() throws Exception {
        Files.writeString(file, BASE);
        assertNull(AgentConfig.load(file).agent().metricsListen());
    }

    @Test
    void aGoodAddressIsSplitIntoHostAndPort() throws Exception {
        Files.writeString(file, BASE + "metrics_listen: 10.0.0.11:9170\n");
        AgentConfig config = AgentConfig.load(file).agent();
        assertEquals("10.0.0.11", config.metricsAddress().host());
        assertEquals(9170, config.metricsAddress().port());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "metrics_listen: 9170                | 5: metrics_listen must be host:port, got '9170'",
        "metrics_listen: 'h:70000'           | 5: metrics_listen port must be 0..65535, got 70000",
        "metrics_listen: ''                  | 5: metrics_listen must be host:port (or left out), got ''",
        "metrics_listen: 10.0.0.11:7070      | 5: metrics_listen must differ from listen (10.0.0.11:7070)",
    })
    void refusesABadAddressWithItsLine(String line, String expected) throws Exception {
        Files.writeString(file, BASE + line.strip() + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> AgentConfig.load(file));
        assertEquals(file + ":" + expected, e.getMessage());
    }
}
