package io.livemig.orchestrator.config;

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

/** orchestrator.yaml's metrics_listen: optional, checked like listen, with the line of the value. */
class MetricsListenConfigTest {

    private static final String BASE = "cluster: cluster.yaml\ndatabase: h.db\ninsecure: true\n";

    @TempDir
    Path dir;

    @BeforeEach
    void cluster() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: a, agent: "a:7070", libvirt_uri: "qemu+tcp://a/system"}
                """);
    }

    @Test
    void absentMeansNoEndpointAndAnAddressIsSplit() throws Exception {
        Path file = Files.writeString(dir.resolve("orchestrator.yaml"), BASE);
        assertNull(OrchestratorConfig.load(file).config().metricsListen());
        Files.writeString(file, BASE + "metrics_listen: 0.0.0.0:9180\n");
        OrchestratorConfig c = OrchestratorConfig.load(file).config();
        assertEquals("0.0.0.0", c.metricsAddress().host());
        assertEquals(9180, c.metricsAddress().port());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "metrics_listen: 9180                | 4: metrics_listen must be host:port, got '9180'",
        "metrics_listen: 'h:99999'           | 4: metrics_listen port must be 0..65535, got 99999",
        "metrics_listen: ''                  | 4: metrics_listen must be host:port (or left out), got ''",
        "metrics_listen: 0.0.0.0:7080        | 4: metrics_listen must differ from listen (0.0.0.0:7080)",
    })
    void refusesABadAddressWithItsLine(String line, String expected) throws Exception {
        Path file = Files.writeString(dir.resolve("orchestrator.yaml"), BASE + line.strip() + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> OrchestratorConfig.load(file));
        assertEquals(file + ":" + expected, e.getMessage());
    }
}
