package io.livemig.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One host of the cluster file: how to reach its agent and its libvirt, and the host-local names
 * of the cluster's logical resources, which is what rebinding maps between.
 *
 * @param name             the host's name in the cluster, e.g. lab-a
 * @param agent            host:port of the host's agent
 * @param libvirtUri       libvirt URI other hosts use to reach this host, e.g. qemu+tcp://10.0.0.2/system
 * @param migrationAddress address the migration stream is sent to (tcp:ADDRESS)
 * @param networks         logical network name -> local bridge (or libvirt network) name
 * @param storage          logical storage id -> local mount path of that shared storage
 * @param logDir           where serial/console log files of guests live on this host
 * @param graphicsListen   address graphics (VNC/SPICE) listen on, on this host
 * @param cpus             host CPUs guests may be pinned to, libvirt cpuset syntax, e.g. "0-3"
 * @param allowDiskCopy    whether disks on local storage may be copied along with a VM
 * @param maxOutgoing      concurrent outgoing migrations allowed
 * @param maxIncoming      concurrent incoming migrations allowed
 * @param linkMiBps        the host's link rate for migrations in MiB/s, 0 or absent if unknown
 *                         (auto mode compresses when the link, not the CPU, is the bottleneck)
 */
public record HostConfig(
        String name,
        String agent,
        String libvirtUri,
        String migrationAddress,
        Map<String, String> networks,
        Map<String, String> storage,
        String logDir,
        String graphicsListen,
        String cpus,
        Boolean allowDiskCopy,
        Integer maxOutgoing,
        Integer maxIncoming,
        @JsonProperty("link_mibps") Long linkMiBps) {

    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:]+]|[a-zA-Z0-9_.-]+):[0-9]{1,5}");

    public HostConfig {
        networks = networks == null ? Map.of() : Map.copyOf(networks);
        storage = storage == null ? Map.of() : Map.copyOf(storage);
        allowDiskCopy = allowDiskCopy != null && allowDiskCopy;
        maxOutgoing = maxOutgoing == null ? 2 : maxOutgoing;
        maxIncoming = maxIncoming == null ? 2 : maxIncoming;
        linkMiBps = linkMiBps == null ? 0 : linkMiBps;
    }

    /** Checks what Jackson cannot; the message says which host and which key. */
    void validate(String where) throws ConfigException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException(where + ": name must be 1-63 letters, digits, '_', '.', '-', got '" + name + "'");
        }
        String at = where + ": host " + name + ": ";
        if (agent == null || !HOST_PORT.matcher(agent).matches()) {
            throw new ConfigException(at + "agent must be host:port, got '" + agent + "'");
        }
        int port = Integer.parseInt(agent.substring(agent.lastIndexOf(':') + 1));
        if (port < 1 || port > 65535) {
            throw new ConfigException(at + "agent port must be 1..65535, got " + port);
        }
        if (libvirtUri == null || !libvirtUri.contains("://")) {
            throw new ConfigException(at + "libvirt_uri must be a libvirt URI such as qemu+tcp://HOST/system, got '" + libvirtUri + "'");
        }
        if (maxOutgoing < 1 || maxOutgoing > 64 || maxIncoming < 1 || maxIncoming > 64) {
            throw new ConfigException(at + "max_outgoing and max_incoming must be 1..64");
        }
        for (var e : storage.entrySet()) {
            if (!e.getValue().startsWith("/")) {
                throw new ConfigException(at + "storage '" + e.getKey() + "' must be an absolute path, got '" + e.getValue() + "'");
            }
        }
        if (logDir != null && !logDir.startsWith("/")) {
            throw new ConfigException(at + "log_dir must be an absolute path, got '" + logDir + "'");
        }
    }
}
