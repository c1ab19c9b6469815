package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.livemig.testkit.LogCapture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** livemig orchestrator with metrics_listen: one line says where, the endpoint answers, and stops with it. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MetricsServeTest {

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: lonely, agent: "127.0.0.1:1", libvirt_uri: "qemu+tcp://127.0.0.1/system"}
                """);
    }

    private Path config(String metricsListen) throws IOException {
        return Files.writeString(dir.resolve("orchestrator.yaml"), """
                listen: 127.0.0.1:0
                cluster: cluster.yaml
                database: history.db
                insecure: true
                metrics_listen: %s
                """.formatted(metricsListen));
    }

    @Test
    void servesMetricsOverHttpUntilStopped() throws Exception {
        StringWriter err = new StringWriter();
        String url;
        try (LogCapture log = new LogCapture(Level.INFO);
                OrchestratorCommand.Serving serving = OrchestratorCommand.serve(config("127.0.0.1:0"),
                        new PrintWriter(err, true))) {
            url = "http://127.0.0.1:" + serving.metricsPort() + "/metrics";
            String line = "livemig orchestrator: metrics on " + url + " (plain HTTP)";
            assertTrue(log.events().stream().anyMatch(e -> e.getFormattedMessage().equals(line)),
                    log.events().toString());
            String text = get(url);
            assertTrue(text.contains("livemig_host_up{host=\"lonely\"} 0.0"), text);
            assertTrue(text.contains("livemig_migrations_queued 0.0"), text);
            assertTrue(text.contains("jvm_memory_used_bytes"), text);
        }
        assertThrows(IOException.class, () -> get(url));
    }

    @Test
    void aMetricsAddressInUseIsExitCode3() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Path file = config("127.0.0.1:" + taken.getLocalPort());
            OrchestratorServeTest.Run run = OrchestratorServeTest.cli("orchestrator", "--config", file.toString());
            assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.toString());
            assertTrue(run.err().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (metrics_listen): "),
                    run.err());
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }
}
