package io.livemig.agent.config;

import io.livemig.agent.core.Inputs;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The agent's own file: which host of the cluster it is, where it listens, how it reaches its
 * own libvirt, and the cluster file that describes the hosts.
 *
 * @param host       this host's name in the cluster file
 * @param listen     host:port to serve gRPC on
 * @param libvirtUri the local libvirt URI, usually qemu:///system
 * @param cluster    path of the cluster file (relative paths: from this file's directory)
 */
public record AgentConfig(String host, String listen, String libvirtUri, String cluster) {

    public AgentConfig {
        libvirtUri = libvirtUri == null ? "qemu:///system" : libvirtUri;
    }

    /** The agent's configuration with its own entry of the cluster file resolved. */
    public record Loaded(AgentConfig agent, ClusterConfig cluster, HostConfig self) {}

    public static Loaded load(Path file) throws ConfigException {
        var read = YamlFiles.readLocated(file, AgentConfig.class);
        AgentConfig config = read.value();
        YamlLines lines = read.lines();
        String where = file.toString();
        if (config.host == null) {
            throw new ConfigException(where + ": host (this host's name in the cluster file) is required");
        }
        Optional<String> badHost = Inputs.hostName(config.host);
        if (badHost.isPresent()) {
            throw new ConfigException(lines.at("/host") + "host: " + badHost.get());
        }
        Optional<String> badListen = Inputs.listenAddress("listen", config.listen);
        if (badListen.isPresent()) {
            throw new ConfigException(lines.at("/listen") + badListen.get());
        }
        if (config.cluster == null || config.cluster.isBlank()) {
            throw new ConfigException(where + ": cluster (path of the cluster file) is required");
        }
        Path clusterFile = file.toAbsolutePath().getParent().resolve(config.cluster);
        ClusterConfig cluster = ClusterConfig.load(clusterFile);
        HostConfig self = cluster.host(config.host).orElseThrow(() -> new ConfigException(
                lines.at("/host") + "host '" + config.host + "' is not in " + clusterFile + " (it has: "
                        + String.join(", ", cluster.hosts().stream().map(HostConfig::name).toList()) + ")"));
        return new Loaded(config, cluster, self);
    }

    public int listenPort() {
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    public String listenHost() {
        return listen.substring(0, listen.lastIndexOf(':'));
    }
}
