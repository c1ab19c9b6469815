package io.livemig.cli.command;

import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.cli.client.ClientSecurity;
import io.livemig.cli.client.ClientTarget;
import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.log.LogLevels;
import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.TransportSecurity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The top-level command; it groups the subcommands ({@link Subcommands}) and decides where client
 * commands go.
 */
@Command(
        name = "livemig",
        description = {"Live migration of libvirt/QEMU virtual machines.",
            "",
            "Where client commands (hosts, vms, migrate, watch, abort, history, rebalance,",
            "drain, host-state) go, first match wins:",
            "  1. --cluster FILE given, or $LIVEMIG_CLUSTER set: straight to the agents of",
            "     that cluster file (direct mode);",
            "  2. --orchestrator HOST:PORT: to that orchestrator;",
            "  3. $LIVEMIG_ORCHESTRATOR;",
            "  4. the first readable client file, /etc/livemig/client.yaml or",
            "     /var/lib/livemig-lab/client.yaml (YAML, one key: orchestrator: HOST:PORT);",
            "  5. else direct mode with the default cluster files.",
            "In direct mode only hosts, vms and migrate (with --to) work.",
            "",
            "Connections use mutual TLS; the client's certificate, first match wins:",
            "  --insecure (plaintext); --ca/--cert/--key; $LIVEMIG_INSECURE=1;",
            "  $LIVEMIG_TLS_CA, $LIVEMIG_TLS_CERT, $LIVEMIG_TLS_KEY; the tls section of the",
            "  client file (tls: {ca: ca.pem, cert: operator.pem, key: operator.key}, paths",
            "  relative to it). scripts/pki.sh makes the CA and certificates.",
            ""},
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersionProvider.class,
        // The subcommands are added by Subcommands, only those a run needs.
        footer = {"%nExamples:",
            "  livemig --orchestrator 10.213.77.1:7080 hosts",
            "  livemig migrate web1                    # the orchestrator picks the target",
            "  livemig --cluster lab.yaml migrate web1 --to lab-b",
            "  livemig rebalance --dry-run"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_MIGRATION_FAILED, ExitCodes.HELP_USAGE,
            ExitCodes.HELP_UNAVAILABLE, ExitCodes.HELP_REFUSED})
public final class LivemigCommand {

    /** --cluster, given before or after the subcommand's name. */
    @Mixin
    ClusterOptions cluster;

    /** --orchestrator, given before or after the subcommand's name. */
    @Mixin
    OrchestratorOptions orchestrator;

    /** --ca, --cert, --key, --insecure, given before or after the subcommand's name. */
    @Mixin
    TlsOptions tls;

    /** -v, -vv, given before or after the subcommand's name. */
    @Mixin
    LogOptions logs = new LogOptions();

    private final ClientEnvironment environment;

    LivemigCommand() {
        this(ClientEnvironment.system());
    }

    public LivemigCommand(ClientEnvironment environment) {
        this.environment = environment;
        this.cluster = new ClusterOptions(environment.env());
        this.orchestrator = new OrchestratorOptions();
        this.tls = new TlsOptions();
    }

    /**
     * What the command tree built from this root needs once its subcommands are added: the
     * servers' own help for the options they inherit (see {@link TlsOptions#describeForServers}).
     */
    public static void finish(picocli.CommandLine commandLine) {
        TlsOptions.describeForServers(commandLine);
    }

    /** The log levels of this run of {@code command} (the subcommand's name); see {@link LogLevels}. */
    public LogLevels logLevels(String command) {
        return LogLevels.of(logs.verbosity(), command.equals("agent") || command.equals("orchestrator"),
                environment.env());
    }

    /** The environment variables, for the servers' overrides ({@link ServerOverrides}). */
    java.util.Map<String, String> env() {
        return environment.env();
    }

    /** How client commands connect; see {@link ClientSecurity}. */
    public TransportSecurity security() throws ConfigException {
        return ClientSecurity.resolve(tls.flags(), environment.env(), environment.clientFiles());
    }

    /** Where client commands go; see {@link ClientTarget}. */
    ClientTarget target() throws ConfigException {
        return ClientTarget.resolve(cluster.clusterFile, orchestrator.address, environment.env(),
                environment.clientFiles());
    }

    /** A client of the orchestrator {@code target} names. */
    OrchestratorClient client(AgentChannels channels, ClientTarget target) {
        return new OrchestratorClient(channels.to(target.orchestrator()), target.orchestrator(),
                environment.callDeadline());
    }

    /** For the commands that only make sense with an orchestrator: its client, or a one-line refusal. */
    OrchestratorClient requireOrchestrator(AgentChannels channels, String command) throws ConfigException {
        ClientTarget target = target();
        if (!target.orchestrated()) {
            throw new IllegalArgumentException(command + " needs an orchestrator: " + ClientTarget.HOW_TO_NAME_ONE
                    + (target.source().startsWith("no ") ? "" : " (" + target.source() + " selects direct mode)"));
        }
        return client(channels, target);
    }
}
