package io.livemig.agent.config;

import java.nio.file.Path;

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
        AgentConfig config = YamlFiles.read(file, AgentConfig.class);
        String where = file.toString();
        if (config.host == null || !HostConfig.NAME.matcher(config.host).matches()) {
            throw new ConfigException(where + ": host must name this host as in the cluster file, got '" + config.host + "'");
        }
        if (config.listen == null || config.listen.lastIndexOf(':') < 1) {
            throw new ConfigException(where + ": listen must be host:port, got '" + config.listen + "'");
        }
        if (config.cluster == null) {
            throw new ConfigException(where + ": cluster (path of the cluster file) is required");
        }
        Path clusterFile = file.toAbsolutePath().getParent().resolve(config.cluster);
        ClusterConfig cluster = ClusterConfig.load(clusterFile);
        HostConfig self = cluster.host(config.host).orElseThrow(() -> new ConfigException(
                where + ": host '" + config.host + "' is not in " + clusterFile));
        return new Loaded(config, cluster, self);
    }

    public int listenPort() {
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    public String listenHost() {
        return listen.substring(0, listen.lastIndexOf(':'));
    }
}
