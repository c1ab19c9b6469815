package io.livemig.cli.command;

import io.livemig.cli.format.MigrationSummary;
import io.livemig.common.metrics.MetricsEndpoint;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.common.value.HostPort;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * How the agent and the orchestrator commands serve, said once: the INSECURE warning, the
 * description of their security, the metrics endpoint and the log lines that say where they
 * serve, the one-line refusal when they cannot start, and serving until a signal stops them.
 * Each daemon's lines start with "livemig NAME" and go to its own logger.
 */
final class DaemonRun {

    private final String prefix;
    private final Logger log;

    /** {@code name}: "agent" or "orchestrator"; {@code log}: the daemon's own logger. */
    DaemonRun(String name, Logger log) {
        this.prefix = "livemig " + name;
        this.log = log;
    }

    /** With plaintext, warns in the log that anyone who can reach {@code listen} can move VMs. */
    void warnIfInsecure(TransportSecurity security, String listen) {
        if (security instanceof TransportSecurity.Insecure) {
            log.warn(insecureWarning(listen));
        }
    }

    private String insecureWarning(String listen) {
        return prefix + ": INSECURE: plaintext gRPC, no client authentication; anyone who can reach " + listen
                + " can move VMs";
    }

    /** "mutual TLS, control: orchestrator, operator" or "plaintext". */
    static String describe(TransportSecurity security, List<String> allow) {
        return security instanceof TransportSecurity.Insecure ? "plaintext"
                : "mutual TLS, control: " + (allow.isEmpty() ? "nobody" : String.join(", ", allow));
    }

    /** Why the daemon cannot listen on {@code address}: "cannot listen on ADDRESS: reason". */
    static String cannotListen(String address, IOException cause) {
        return "cannot listen on " + address + ": " + cause.getMessage();
    }

    /**
     * Serves the registry (with the JVM's metrics) on {@code address}, {@code listen} as written in
     * the file.
     *
     * @throws IOException "cannot listen on LISTEN (metrics_listen): reason"
     */
    static MetricsEndpoint startMetrics(HostPort address, String listen, Supplier<PrometheusRegistry> registry)
            throws IOException {
        try {
            return MetricsEndpoint.start(address.host(), address.port(), registry.get(), true);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot listen on " + listen + " (metrics_listen): " + e.getMessage(), e);
        }
    }

    /** Logs where the daemon serves ({@code line}, after the prefix), then its metrics endpoint if any. */
    void logServing(String line, MetricsEndpoint metrics) {
        log.info(prefix + line);
        if (metrics != null) {
            log.info(prefix + ": metrics on " + metrics.url() + " (plain HTTP)");
        }
    }

    /** Writes "livemig NAME: problem" as one line to {@code err} and returns {@code exitCode}. */
    int refuse(PrintWriter err, String problem, int exitCode) {
        err.println(prefix + ": " + MigrationSummary.oneLine(String.valueOf(problem)));
        err.flush();
        return exitCode;
    }

    /** Serves until the JVM is asked to stop (SIGTERM, Ctrl-C), which runs {@code stop}; then exit 0. */
    int untilStopped(Awaitable serving, Runnable stop) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(stop, prefix.replace(' ', '-') + "-stop"));
        serving.awaitTermination();
        return ExitCodes.OK;
    }

    /** A server that can be waited for until it has stopped. */
    interface Awaitable {
        void awaitTermination() throws InterruptedException;
    }
}
