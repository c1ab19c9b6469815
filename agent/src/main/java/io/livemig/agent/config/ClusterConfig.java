package io.livemig.agent.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The cluster file: the hosts, their agents and their resource names. */
public record ClusterConfig(List<HostConfig> hosts) {

    public ClusterConfig {
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
    }

    public static ClusterConfig load(Path file) throws ConfigException {
        return validated(YamlFiles.read(file, ClusterConfig.class), file.toString());
    }

    public static ClusterConfig parse(String yaml, String source) throws ConfigException {
        return validated(YamlFiles.parse(yaml, source, ClusterConfig.class), source);
    }

    private static ClusterConfig validated(ClusterConfig config, String source) throws ConfigException {
        if (config.hosts.isEmpty()) {
            throw new ConfigException(source + ": no hosts (a 'hosts:' list is required)");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < config.hosts.size(); i++) {
            HostConfig host = config.hosts.get(i);
            if (host == null) {
                throw new ConfigException(source + ": hosts[" + i + "] is empty");
            }
            host.validate(source + ": hosts[" + i + "]");
            if (!names.add(host.name())) {
                throw new ConfigException(source + ": host '" + host.name() + "' is listed twice");
            }
        }
        return config;
    }

    public Optional<HostConfig> host(String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst();
    }

    /** The host, or an error that lists the known ones. */
    public HostConfig requireHost(String name) throws ConfigException {
        return host(name).orElseThrow(() -> new ConfigException("unknown host '" + name + "' (cluster has: "
                + String.join(", ", hosts.stream().map(HostConfig::name).toList()) + ")"));
    }
}
