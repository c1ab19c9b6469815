package io.livemig.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.livemig.agent.config.AgentConfig;
import io.livemig.cli.client.ClientSecurity;
import io.livemig.cli.client.ClientTarget;
import io.livemig.cli.client.TlsFlags;
import io.livemig.cli.experiment.ExperimentSpec;
import io.livemig.cli.format.MigrationSummary;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.HostConfig;
import io.livemig.common.config.YamlFiles;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.orchestrator.config.OrchestratorConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "config", description = "Configuration files.",
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        subcommands = ConfigCommand.Check.class,
        footer = {"%nExamples:", "  livemig config check /etc/livemig/cluster.yaml",
            "  livemig config check agent.yaml --kind agent"})
final class ConfigCommand {

    @Command(name = "check",
            description = {"Load FILE as livemig would and say whether it is good: unknown keys, bad values, missing",
                "TLS files, a host not in the cluster file... are reported as FILE:LINE: reason.",
                "Files it refers to (the cluster file, TLS files) are loaded and checked too."},
            mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
            footer = {"%nThe kind, when --kind is not given, comes from the file's keys: hosts -> cluster;",
                "host -> agent; database, policy, limits, load or rebalance -> orchestrator; an",
                "experiment's keys (name, source, modes...) -> experiment; orchestrator, or only tls",
                "or insecure -> client.",
                "%nExamples:", "  livemig config check /etc/livemig/agent.yaml",
                "  livemig config check /etc/livemig/cluster.yaml",
                "  livemig config check spec.yaml --kind experiment"},
            exitCodeListHeading = ExitCodes.HELP_HEADING,
            exitCodeList = {"0:The file is good.",
                "2:It is not (one line says where and why), or its kind cannot be told from its keys."})
    static final class Check implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "The YAML file to check.")
        Path file;

        @Option(names = "--kind", paramLabel = "KIND", converter = KindConverter.class,
                description = "agent, orchestrator, cluster, client or experiment. Default: from the file's keys.")
        ConfigKind kind;

        @Override
        public Integer call() {
            try {
                ConfigKind k = kind != null ? kind : detect(file);
                String summary = check(file, k);
                spec.commandLine().getOut().println(file + ": ok (" + k.label() + ": " + summary + ")");
                spec.commandLine().getOut().flush();
                return ExitCodes.OK;
            } catch (ConfigException e) {
                String message = String.valueOf(e.getMessage());
                spec.commandLine().getErr().println(MigrationSummary.oneLine(
                        message.startsWith(file.toString()) ? message : file + ": " + message));
                spec.commandLine().getErr().flush();
                return ExitCodes.USAGE;
            }
        }
    }

    /** The file's kind from its top-level keys; a file that cannot be read or parsed is refused here. */
    static ConfigKind detect(Path file) throws ConfigException {
        JsonNode root = YamlFiles.read(file, JsonNode.class);
        if (!root.isObject()) {
            throw new ConfigException(file + ": not a YAML mapping of keys to values");
        }
        Set<String> keys = new HashSet<>();
        root.fieldNames().forEachRemaining(keys::add);
        return ConfigKind.detect(keys).orElseThrow(() -> new ConfigException(file + ": cannot tell which kind of "
                + "file this is from its keys " + keys.stream().sorted().toList()
                + "; give --kind agent|orchestrator|cluster|client|experiment"));
    }

    /** Loads {@code file} with the loader of {@code kind}; a short summary of what it holds. */
    static String check(Path file, ConfigKind kind) throws ConfigException {
        return switch (kind) {
            case CLUSTER -> hosts(ClusterConfig.load(file));
            case AGENT -> {
                AgentConfig.Loaded a = AgentConfig.load(file);
                yield "host " + a.self().name() + ", listen " + a.agent().listen() + ", libvirt "
                        + a.agent().libvirtUri() + ", cluster of " + hosts(a.cluster()) + ", "
                        + DaemonRun.describe(a.security(), a.agent().allow());
            }
            case ORCHESTRATOR -> {
                OrchestratorConfig.Loaded o = OrchestratorConfig.load(file);
                yield "listen " + o.config().listen() + ", " + hosts(o.cluster()) + ", policy " + o.config().policy()
                        + ", history " + o.database() + ", "
                        + DaemonRun.describe(o.security(), o.config().allow());
            }
            case CLIENT -> client(file);
            case EXPERIMENT -> {
                ExperimentSpec e = ExperimentSpec.load(file);
                yield e.name() + ", " + e.source() + " -> " + e.target() + ", " + e.workloads().size() + " workloads x "
                        + e.linksMibps().size() + " links x " + e.modes().size() + " modes x " + e.repetitions()
                        + " repetitions";
            }
        };
    }

    private static String hosts(ClusterConfig cluster) {
        List<String> names = cluster.hosts().stream().map(HostConfig::name).toList();
        return names.size() + (names.size() == 1 ? " host" : " hosts") + " (" + String.join(", ", names) + ")";
    }

    /** The client file as client commands read it: where they go, and how they connect. */
    private static String client(Path file) throws ConfigException {
        ClientTarget.ClientFile c = YamlFiles.read(file, ClientTarget.ClientFile.class);
        ClientTarget target = ClientTarget.resolve(null, null, Map.of(), List.of(file));
        String where = target.orchestrated() ? "orchestrator " + target.orchestrator() : "direct mode (no orchestrator)";
        if (c.tls() == null && !Boolean.TRUE.equals(c.insecure())) {
            return where + ", no tls (give --ca/--cert/--key or $LIVEMIG_TLS_*)";
        }
        TransportSecurity security = ClientSecurity.resolve(TlsFlags.NONE, Map.of(), List.of(file));
        return where + ", " + (security instanceof TransportSecurity.Insecure ? "plaintext" : "mutual TLS");
    }

    /** --kind in lower case, as the help writes it. */
    static final class KindConverter implements picocli.CommandLine.ITypeConverter<ConfigKind> {
        @Override
        public ConfigKind convert(String value) {
            for (ConfigKind k : ConfigKind.values()) {
                if (k.label().equals(value)) {
                    return k;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("unknown kind '" + value
                    + "' (agent, orchestrator, cluster, client or experiment)");
        }
    }
}
