package io.livemig.agent.config;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.HostConfig;
import io.livemig.common.config.TlsConfig;
import io.livemig.common.config.YamlFiles;
import io.livemig.common.config.YamlLines;
import io.livemig.common.input.Inputs;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.common.value.HostPort;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

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
 * @param metricsListen host:port to serve Prometheus metrics on (plain HTTP, no control: a
 *                   management address); null: no metrics endpoint
 */
public record AgentConfig(String host, String listen, String libvirtUri, String cluster, TlsConfig tls,
        List<String> allow, Boolean insecure, String metricsListen) {

    public AgentConfig {
        libvirtUri = libvirtUri == null ? "qemu:///system" : libvirtUri;
        // Not List.copyOf: an empty entry ("- " alone) must reach validation to be reported at its line.
        allow = allow == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(allow));
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
        lines.refuseBadListen(config.listen, config.metricsListen);
        lines.refuse("/libvirt_uri", Inputs.libvirtUri("libvirt_uri", config.libvirtUri));
        lines.refuseBadAllow(config.allow);
        if (config.cluster == null || config.cluster.isBlank()) {
            throw new ConfigException(where + ": cluster (path of the cluster file) is required");
        }
        Path clusterFile = file.toAbsolutePath().getParent().resolve(config.cluster);
        ClusterConfig cluster = ClusterConfig.load(clusterFile);
        HostConfig self = cluster.host(config.host).orElseThrow(() -> new ConfigException(
                lines.at("/host") + "host '" + config.host + "' is not in " + clusterFile + " (it has: "
                        + String.join(", ", cluster.hosts().stream().map(HostConfig::name).toList()) + ")"));
        TransportSecurity security = TlsConfig.choose(file, config.tls, config.insecure, insecureFlag);
        return new Loaded(config, cluster, self, security);
    }

    /** This file's settings with another listen address (from a flag or the environment). */
    public AgentConfig withListen(String newListen) {
        return new AgentConfig(host, newListen, libvirtUri, cluster, tls, allow, insecure, metricsListen);
    }

    /** This file's settings with another local libvirt URI (from a flag or the environment). */
    public AgentConfig withLibvirtUri(String newLibvirtUri) {
        return new AgentConfig(host, listen, newLibvirtUri, cluster, tls, allow, insecure, metricsListen);
    }

    public HostPort listenAddress() {
        return HostPort.parse(listen);
    }

    /** The metrics endpoint's address, when {@code metrics_listen} is set. */
    public HostPort metricsAddress() {
        return HostPort.parse(metricsListen);
    }
}
