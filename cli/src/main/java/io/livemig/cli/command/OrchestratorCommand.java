package io.livemig.cli.command;

import io.livemig.common.config.ConfigException;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.common.metrics.MetricsEndpoint;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.orchestrator.config.OrchestratorConfig;
import io.livemig.orchestrator.grpc.GrpcAgents;
import io.livemig.orchestrator.grpc.OrchestratorServer;
import io.livemig.orchestrator.history.HistoryException;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.metrics.OrchestratorMetrics;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.orchestrator.service.OrchestratorEvents;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "orchestrator",
        description = {"Serve the cluster's orchestrator (gRPC): placement, queued migrations, history.",
            "It follows every host through its agent, places VMs, queues migrations under limits, records them in "
                    + "its history (SQLite) and rebalances on request or on schedule. Stop it with SIGTERM or Ctrl-C."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nThe configuration file (YAML):",
            "  listen: 0.0.0.0:7080               # where to serve",
            "  cluster: cluster.yaml              # relative to this file's directory",
            "  database: /var/lib/livemig/orchestrator.db",
            "  policy: balance                    # balance | least-loaded | round-robin",
            "  limits: {cluster: 2, per_host_outgoing: 1, per_host_incoming: 1}",
            "  load: {interval_s: 5, window: 6}   # loads are averages over the window",
            "  rebalance: {interval_s: 0, dry_run: false, threshold: 0.1, min_gain: 0.01,",
            "              max_moves: 2, cooldown_s: 600}   # interval_s 0: on request only",
            "  tls: {ca: pki/ca.pem, cert: pki/orchestrator.pem, key: pki/orchestrator.key}",
            "  allow: [operator]                  # identities (certificate CNs) that may change things",
            "  # insecure: true                   # instead of tls: plaintext, no authentication",
            "  metrics_listen: 10.0.0.1:9180      # optional: Prometheus metrics, plain HTTP",
            "%nWith tls (made by scripts/pki.sh; CN of the orchestrator's certificate:",
            "orchestrator, which the agents' allow lists name), clients need a certificate",
            "from the CA. Any such identity may read (hosts, vms, history, watch, planning);",
            "the allow list may also migrate, abort, rebalance, drain and set host states.",
            "The orchestrator presents its certificate to the agents. --insecure (or",
            "insecure: true) serves plaintext and talks plaintext to the agents.",
            "metrics_listen serves /metrics over plain HTTP: figures only, no control;",
            "listen on a management address.",
            "%nClients find it with --orchestrator HOST:PORT, $LIVEMIG_ORCHESTRATOR or",
            "/etc/livemig/client.yaml (orchestrator: HOST:PORT).",
            "%nExamples:", "  livemig orchestrator --config /etc/livemig/orchestrator.yaml",
            "  livemig orchestrator --config orchestrator.yaml --listen 127.0.0.1:7080 --database /tmp/history.db",
            "  LIVEMIG_DATABASE=/srv/livemig/history.db livemig orchestrator --config orchestrator.yaml"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_STOPPED,
            ExitCodes.HELP_BAD_SERVER_CONFIG + ", or the history file cannot be used.", ExitCodes.HELP_CANNOT_LISTEN})
final class OrchestratorCommand implements Callable<Integer> {

    /** The orchestrator's own lines (INSECURE, listening) go to its log, with its events. */
    private static final Logger LOG = LoggerFactory.getLogger("io.livemig.orchestrator");
    private static final DaemonRun RUN = new DaemonRun("orchestrator", LOG);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The orchestrator's configuration file.")
    Path configFile;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Serve here instead of the file's listen. "
            + "Default: $" + ServerOverrides.ORCHESTRATOR_LISTEN + ", then the file.")
    String listen;

    @Option(names = "--database", paramLabel = "PATH", description = "The history file instead of the file's "
            + "database. Default: $" + ServerOverrides.DATABASE + ", then the file.")
    String database;

    /** --insecure (the root's option, given before or after "orchestrator"). */
    @ParentCommand
    LivemigCommand root;

    /** A serving orchestrator; closing it stops the server, the orchestrator and the history, in that order. */
    static final class Serving implements AutoCloseable {
        private final GrpcServing server;
        private final Orchestrator orchestrator;
        private final GrpcAgents agents;
        private final HistoryStore history;
        private final MetricsEndpoint metrics; // null: no metrics_listen

        private Serving(GrpcServing server, Orchestrator orchestrator, GrpcAgents agents, HistoryStore history,
                MetricsEndpoint metrics) {
            this.metrics = metrics;
            this.server = server;
            this.orchestrator = orchestrator;
            this.agents = agents;
            this.history = history;
        }

        int port() {
            return server.port();
        }

        /** The metrics endpoint's port; -1 without metrics_listen. */
        int metricsPort() {
            return metrics == null ? -1 : metrics.port();
        }

        void awaitTermination() throws InterruptedException {
            server.awaitTermination();
        }

        @Override
        public void close() {
            try {
                if (metrics != null) {
                    metrics.close();
                }
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                orchestrator.close();
                agents.close();
                history.close();
            }
        }
    }

    @Override
    public Integer call() throws ConfigException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Serving serving;
        try {
            serving = serve(ServerOverrides.orchestrator(OrchestratorConfig.load(configFile,
                    root != null && root.tls.insecure), listen, database, root != null ? root.env() : System.getenv()),
                    err);
        } catch (HistoryException e) {
            return RUN.refuse(err, e.getMessage(), ExitCodes.USAGE);
        } catch (IOException e) {
            return RUN.refuse(err, e.getMessage(), ExitCodes.UNAVAILABLE);
        }
        return RUN.untilStopped(serving::awaitTermination, serving::close);
    }

    /**
     * Loads the configuration, opens the history, starts the orchestrator (one round of health
     * checks, reconciliation of what a previous run left unfinished) and serves it; one line in
     * the log (logger io.livemig.orchestrator, info) says where. {@code err} is not written to.
     *
     * @throws IOException when it cannot listen (the message names the address)
     */
    static Serving serve(Path configFile, PrintWriter err) throws ConfigException, IOException {
        return serve(configFile, false, err);
    }

    /** As {@link #serve(Path, PrintWriter)}; {@code insecure}: --insecure was given. */
    static Serving serve(Path configFile, boolean insecure, PrintWriter err) throws ConfigException, IOException {
        return serve(OrchestratorConfig.load(configFile, insecure), err);
    }

    /** As {@link #serve(Path, PrintWriter)}, from a file already loaded (and overridden). */
    static Serving serve(OrchestratorConfig.Loaded loaded, PrintWriter err) throws ConfigException, IOException {
        TransportSecurity security = loaded.security();
        RUN.warnIfInsecure(security, loaded.config().listen());
        OrchestratorConfig c = loaded.config();
        OrchestratorConfig.Rebalance r = c.rebalance();
        RebalanceSettings defaults = RebalanceSettings.DEFAULT;
        RebalanceSettings rebalance = new RebalanceSettings(r.threshold(), r.minGain(), r.maxMoves(),
                r.cooldownS() * 1000L, defaults.migrationBandwidthBytesPerSec(), defaults.maxSourceHosts(),
                defaults.placement());
        Orchestrator.Settings settings = new Orchestrator.Settings(loaded.policy(), loaded.limits(),
                Duration.ofSeconds(c.load().intervalS()), c.load().window(), rebalance,
                Duration.ofSeconds(r.intervalS()), r.dryRun());
        GrpcAgents agents = new GrpcAgents(security);
        HistoryStore history;
        try {
            history = HistoryStore.open(loaded.database());
        } catch (RuntimeException e) {
            agents.close();
            throw e;
        }
        OrchestratorMetrics metrics = c.metricsListen() == null ? null : new OrchestratorMetrics();
        Orchestrator orchestrator = new Orchestrator(loaded.cluster(), settings, agents, history, Clock.systemUTC(),
                metrics == null ? OrchestratorEvents.NONE : metrics);
        GrpcServing server;
        try {
            orchestrator.start();
            server = OrchestratorServer.listen(c.listenAddress(), orchestrator, security,
                    OrchestratorServer.policy(c.allow()));
        } catch (IOException | ConfigException | RuntimeException e) {
            orchestrator.close();
            agents.close();
            history.close();
            if (e instanceof IOException io) {
                throw new IOException(DaemonRun.cannotListen(c.listen(), io), io);
            }
            if (e instanceof ConfigException ce) {
                throw ce;
            }
            throw (RuntimeException) e;
        }
        MetricsEndpoint endpoint = null;
        if (metrics != null) {
            try {
                endpoint = DaemonRun.startMetrics(c.metricsAddress(), c.metricsListen(),
                        () -> metrics.watch(orchestrator).registry());
            } catch (IOException e) {
                new Serving(server, orchestrator, agents, history, null).close();
                throw e;
            }
        }
        int hosts = loaded.cluster().hosts().size();
        RUN.logServing(" listening on " + c.listenAddress().host() + ":" + server.port() + " ("
                + hosts + (hosts == 1 ? " host" : " hosts") + ", history " + history.file() + ", "
                + DaemonRun.describe(security, c.allow()) + ")", endpoint);
        return new Serving(server, orchestrator, agents, history, endpoint);
    }
}
