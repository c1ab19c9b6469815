package io.livemig.common.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/**
 * The Prometheus exporter's HTTP server for one registry: /metrics in the text formats Prometheus
 * negotiates, /-/healthy. Plain HTTP: it carries figures, no control, so it should listen on a
 * management address only.
 */
public final class MetricsEndpoint implements AutoCloseable {

    private final HTTPServer server;
    private final String host;

    private MetricsEndpoint(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /**
     * Serves {@code registry} on {@code host:port} (port 0: a free port), with the JVM's own
     * metrics (memory, GC, threads, process) added to it when {@code withJvm}.
     */
    public static MetricsEndpoint start(String host, int port, PrometheusRegistry registry, boolean withJvm)
            throws IOException {
        if (withJvm) {
            JvmMetrics.builder().register(registry);
        }
        HTTPServer server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
        return new MetricsEndpoint(server, host);
    }

    public int port() {
        return server.getPort();
    }

    /** "http://HOST:PORT/metrics". */
    public String url() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port() + "/metrics";
    }

    @Override
    public void close() {
        server.close();
    }
}
