package io.livemig.agent.config;

import io.livemig.agent.tls.TransportSecurity;
import java.nio.file.Path;
import java.util.List;

/**
 * The agent's own file: which host of the cluster it is, where it listens, how it reaches its
 * own libvirt, and the cluster file that describes the hosts.
 *
 * @param host       this host's name in the cluster file
 * @param listen     host:port to serve gRPC on
 * @param libvirtUri the local libvirt URI, usually qemu:///system
 * @param cluster    path of the cluster file (relative paths: from this file's directory)
 * @param tls        CA, certificate and key of this agent (its CN: the host name); see {@link TlsConfig}
 * @param allow      identities (certificate CNs) that may control migrations: start, abort, steer,
 *                   prepare and cancel incoming; other agents of the cluster may prepare and cancel
 *                   incoming, and every identity with a certificate from the CA may read
 * @param insecure   true: plaintext gRPC without authentication (instead of tls)
 */
public record AgentConfig(String host, String listen, String libvirtUri, String cluster, TlsConfig tls,
        List<String> allow, Boolean insecure) {

    public AgentConfig {
        libvirtUri = libvirtUri == null ? "qemu:///system" : libvirtUri;
        allow = allow == null ? List.of() : List.copyOf(allow);
    }

    /**
     * The agent's configuration with its own entry of the cluster file resolved and its transport
     * security chosen.
     */
    public record Loaded(AgentConfig agent, ClusterConfig cluster, HostConfig self, TransportSecurity security) {

        /** The cluster's agents, by host name: the identities that may prepare incoming migrations here. */
        public List<String> peers() {
            return cluster.hosts().stream().map(HostConfig::name).toList();
        }
    }

    public static Loaded load(Path file) throws ConfigException {
        return load(file, false);
    }

    /** Loads {@code file}; {@code insecureFlag}: --insecure was given (plaintext, whatever the file says). */
    public static Loaded load(Path file, boolean insecureFlag) throws ConfigException {
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
        TransportSecurity security = TlsConfig.choose(file, config.tls, config.insecure, insecureFlag);
        return new Loaded(config, cluster, self, security);
    }

    public int listenPort() {
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    public String listenHost() {
        return listen.substring(0, listen.lastIndexOf(':'));
    }
}
