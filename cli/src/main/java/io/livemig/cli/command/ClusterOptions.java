package io.livemig.cli.command;

import io.livemig.cli.client.ClientTarget;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.HostConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where the cluster file is: {@code --cluster FILE}, else $LIVEMIG_CLUSTER, else
 * /etc/livemig/cluster.yaml, else the lab's /var/lib/livemig-lab/cluster.yaml.
 */
final class ClusterOptions {

    static final String ENV = ClientTarget.CLUSTER_ENV;
    static final Path[] DEFAULTS = {Path.of("/etc/livemig/cluster.yaml"), Path.of("/var/lib/livemig-lab/cluster.yaml")};

    @Option(names = "--cluster", paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Cluster file (YAML: hosts, agent addresses, per-host resource names). "
                    + "Default: $" + ENV + ", /etc/livemig/cluster.yaml, /var/lib/livemig-lab/cluster.yaml.")
    Path clusterFile;

    private final Map<String, String> env;

    ClusterOptions() {
        this(System.getenv());
    }

    ClusterOptions(Map<String, String> env) {
        this.env = env;
    }

    ClusterConfig load() throws ConfigException {
        return ClusterConfig.load(resolve());
    }

    Path resolve() throws ConfigException {
        if (clusterFile != null) {
            return clusterFile;
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        for (Path candidate : DEFAULTS) {
            if (Files.isReadable(candidate)) {
                return candidate;
            }
        }
        throw new ConfigException("no cluster file: pass --cluster FILE or set $" + ENV
                + " (scripts/lab.sh up writes /var/lib/livemig-lab/cluster.yaml)");
    }

    static HostConfig host(ClusterConfig cluster, String name) throws ConfigException {
        return cluster.requireHost(name);
    }
}
