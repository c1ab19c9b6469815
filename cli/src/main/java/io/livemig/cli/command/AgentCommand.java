package io.livemig.cli.command;

import io.livemig.agent.config.AgentConfig;
import io.livemig.agent.core.monitor.MigrationMonitor;
import io.livemig.agent.grpc.AgentServer;
import io.livemig.agent.grpc.GrpcPeerAgents;
import io.livemig.agent.libvirt.LibvirtHypervisor;
import io.livemig.agent.metrics.AgentMetrics;
import io.livemig.agent.service.AgentEvents;
import io.livemig.agent.service.HostAgent;
import io.livemig.common.config.ConfigException;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.common.metrics.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "agent", description = "Serve this host's agent (gRPC): host facts, VMs, migrations in and out.",
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nThe configuration file (YAML):",
            "  host: lab-a                      # this host's name in the cluster file",
            "  listen: 10.213.77.11:7070        # where to serve",
            "  libvirt_uri: qemu:///system      # this host's own libvirt",
            "  cluster: /etc/livemig/cluster.yaml",
            "  tls:                             # mutual TLS (scripts/pki.sh makes these);",
            "    ca: pki/ca.pem                 # relative paths: from this file's directory",
            "    cert: pki/lab-a.pem            # CN = this host's name: peers know it so",
            "    key: pki/lab-a.key",
            "  allow: [orchestrator, operator]  # identities (certificate CNs) that may start,",
            "                                   # abort and steer migrations",
            "  # insecure: true                 # instead of tls: plaintext, no authentication",
            "  metrics_listen: 10.213.77.11:9170  # optional: Prometheus metrics, plain HTTP",
            "%nWith tls, clients need a certificate from the CA. Any such identity may read",
            "(GetHostInfo, ListVms, GetMigration, WatchMigration, health); the allow list may",
            "also control migrations; the cluster's other agents (identity = host name) may",
            "prepare and cancel incoming migrations. The agent presents its own certificate",
            "to its peers. --insecure (or insecure: true) serves plaintext: anyone who can",
            "reach the address can move VMs.",
            "%nmetrics_listen serves /metrics over plain HTTP: figures only, no control;",
            "listen on a management address.",
            "%nExamples:", "  livemig agent --config /etc/livemig/agent.yaml",
            "  livemig agent --config agent.yaml --listen 10.0.0.11:7070 --libvirt-uri qemu:///system",
            "  LIVEMIG_AGENT_LISTEN=127.0.0.1:7070 livemig agent --config agent.yaml"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_STOPPED, ExitCodes.HELP_BAD_SERVER_CONFIG + ".",
            ExitCodes.HELP_CANNOT_LISTEN})
final class AgentCommand implements Callable<Integer> {

    /** The agent's own lines (INSECURE, serving) go to its log, with its events. */
    private static final Logger LOG = LoggerFactory.getLogger("io.livemig.agent");
    private static final DaemonRun RUN = new DaemonRun("agent", LOG);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The agent's configuration file.")
    Path configFile;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Serve here instead of the file's listen. "
            + "Default: $" + ServerOverrides.AGENT_LISTEN + ", then the file.")
    String listen;

    @Option(names = "--libvirt-uri", paramLabel = "URI", description = "This host's libvirt instead of the file's "
            + "libvirt_uri. Default: $" + ServerOverrides.LIBVIRT_URI + ", then the file.")
    String libvirtUri;

    /** --insecure (the root's option, given before or after "agent"). */
    @ParentCommand
    LivemigCommand root;

    @Override
    public Integer call() throws ConfigException, InterruptedException {
        AgentConfig.Loaded config = ServerOverrides.agent(AgentConfig.load(configFile, root != null && root.tls.insecure),
                listen, libvirtUri, root != null ? root.env() : System.getenv());
        PrintWriter err = spec.commandLine().getErr();
        RUN.warnIfInsecure(config.security(), config.agent().listen());
        GrpcPeerAgents peers = new GrpcPeerAgents(config.security());
        AgentMetrics metrics = config.agent().metricsListen() == null ? null : new AgentMetrics();
        HostAgent agent = new HostAgent(new LibvirtHypervisor(), config.agent().libvirtUri(), config.self(), peers,
                MigrationMonitor.systemClock(), metrics == null ? AgentEvents.NONE : metrics);
        GrpcServing server;
        try {
            server = AgentServer.listen(config.agent().listenAddress(), agent,
                    config.security(), AgentServer.policy(config.self().name(), config.agent().allow(), config.peers()));
        } catch (ConfigException e) {
            agent.close();
            peers.close();
            throw e;
        } catch (IOException e) {
            return RUN.refuse(err, DaemonRun.cannotListen(config.agent().listen(), e), ExitCodes.UNAVAILABLE);
        }
        MetricsEndpoint endpoint = null;
        if (metrics != null) {
            try {
                endpoint = DaemonRun.startMetrics(config.agent().metricsAddress(), config.agent().metricsListen(),
                        () -> metrics.watch(agent).registry());
            } catch (IOException e) {
                agent.close();
                peers.close();
                server.close();
                return RUN.refuse(err, e.getMessage(), ExitCodes.UNAVAILABLE);
            }
        }
        RUN.logServing(": host " + config.self().name() + " serving on " + config.agent().listen()
                + ", libvirt " + config.agent().libvirtUri() + ", "
                + DaemonRun.describe(config.security(), config.agent().allow()), endpoint);
        // The first incoming preparation's code, readied while nothing is asked of the agent yet.
        Thread warmUp = new Thread(agent::warmUp, "livemig-warmup");
        warmUp.setDaemon(true);
        warmUp.setPriority(Thread.MIN_PRIORITY);
        warmUp.start();
        MetricsEndpoint metricsEndpoint = endpoint;
        return RUN.untilStopped(server::awaitTermination, () -> {
            if (metricsEndpoint != null) {
                metricsEndpoint.close();
            }
            agent.close();
            peers.close();
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
