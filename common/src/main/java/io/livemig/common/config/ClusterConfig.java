package io.livemig.common.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The cluster file: the hosts, their agents and their resource names. */
public record ClusterConfig(List<HostConfig> hosts) {

    public ClusterConfig {
        // Not List.copyOf: an empty entry ("- " alone) must reach validation to be reported at its line.
        hosts = hosts == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(hosts));
    }

    public static ClusterConfig load(Path file) throws ConfigException {
        var read = YamlFiles.readLocated(file, ClusterConfig.class);
        return validated(read.value(), read.lines());
    }

    public static ClusterConfig parse(String yaml, String source) throws ConfigException {
        var read = YamlFiles.parseLocated(yaml, source, ClusterConfig.class);
        return validated(read.value(), read.lines());
    }

    /**
     * Every host checked, then what must differ between hosts: names, agent addresses and libvirt
     * URIs (two entries for one machine would let a VM "migrate" onto itself).
     */
    private static ClusterConfig validated(ClusterConfig config, YamlLines lines) throws ConfigException {
        if (config.hosts.isEmpty()) {
            throw new ConfigException(lines.at("/hosts") + "no hosts (a 'hosts:' list is required)");
        }
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> agents = new HashMap<>();
        Map<String, Integer> uris = new HashMap<>();
        for (int i = 0; i < config.hosts.size(); i++) {
            HostConfig host = config.hosts.get(i);
            String at = "/hosts/" + i;
            if (host == null) {
                throw new ConfigException(lines.at(at) + "hosts[" + i + "] is empty");
            }
            host.validate(lines, at);
            unique(names, host.name(), i, lines, at + "/name", "host name '" + host.name() + "'");
            unique(agents, host.agent(), i, lines, at + "/agent", "host " + host.name() + ": agent address " + host.agent());
            unique(uris, host.libvirtUri(), i, lines, at + "/libvirt_uri", "host " + host.name() + ": libvirt_uri "
                    + host.libvirtUri());
        }
        return config;
    }

    private static void unique(Map<String, Integer> seen, String value, int index, YamlLines lines, String pointer,
            String what) throws ConfigException {
        Integer first = seen.putIfAbsent(value, index);
        if (first != null) {
            int firstLine = lines.line("/hosts/" + first);
            throw new ConfigException(lines.at(pointer) + what + " is listed twice (first at "
                    + (firstLine > 0 ? "line " + firstLine : "hosts[" + first + "]") + ")");
        }
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
