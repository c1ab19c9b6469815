package io.livemig.common.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.livemig.common.input.Inputs;
import io.livemig.common.value.CpuSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
 * @param migrationTls     migrations from this host carry the memory stream over libvirt's TLS
 *                         (VIR_MIGRATE_TLS); the hosts' libvirt and QEMU must be set up for it
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
        @JsonProperty("link_mibps") Long linkMiBps,
        Boolean migrationTls) {

    public HostConfig {
        // Not Map.copyOf: an entry without a value ("lan:") must reach validation to be reported at its line.
        networks = networks == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(networks));
        storage = storage == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(storage));
        allowDiskCopy = allowDiskCopy != null && allowDiskCopy;
        maxOutgoing = maxOutgoing == null ? 2 : maxOutgoing;
        maxIncoming = maxIncoming == null ? 2 : maxIncoming;
        linkMiBps = linkMiBps == null ? 0 : linkMiBps;
        migrationTls = migrationTls != null && migrationTls;
    }

    /**
     * Checks what Jackson cannot; the message says where (file:line), which host and which key.
     *
     * @param at the host's entry, e.g. "/hosts/1"
     */
    void validate(YamlLines lines, String at) throws ConfigException {
        Check check = (key, problem) -> {
            if (problem.isPresent()) {
                String host = key.equals("name") || name == null ? "" : "host " + name + ": ";
                throw new ConfigException(lines.at(at + "/" + key) + host + problem.get());
            }
        };
        check.that("name", name == null ? Optional.of("name is required") : Inputs.hostName(name));
        check.that("agent", Inputs.hostPort("agent", agent));
        check.that("libvirt_uri", Inputs.libvirtUri("libvirt_uri", libvirtUri));
        check.that("migration_address", migrationAddress == null || ADDRESS.matcher(migrationAddress).matches()
                ? Optional.empty()
                : Optional.of("migration_address must be a host name or IP address, got '" + migrationAddress + "'"));
        check.that("graphics_listen", graphicsListen == null || ADDRESS.matcher(graphicsListen).matches()
                ? Optional.empty()
                : Optional.of("graphics_listen must be a host name or IP address, got '" + graphicsListen + "'"));
        check.that("max_outgoing", range("max_outgoing", maxOutgoing, 1, 64));
        check.that("max_incoming", range("max_incoming", maxIncoming, 1, 64));
        check.that("link_mibps", range("link_mibps", linkMiBps, 0, 1_000_000));
        for (var e : networks.entrySet()) {
            check.that("networks/" + e.getKey(), e.getValue() == null || e.getValue().isBlank()
                    ? Optional.of("network '" + e.getKey() + "' needs a local bridge or network name") : Optional.empty());
        }
        for (var e : storage.entrySet()) {
            check.that("storage/" + e.getKey(), e.getValue() != null && e.getValue().startsWith("/") ? Optional.empty()
                    : Optional.of("storage '" + e.getKey() + "' must be an absolute path, got '" + e.getValue() + "'"));
        }
        check.that("log_dir", logDir == null || logDir.startsWith("/") ? Optional.empty()
                : Optional.of("log_dir must be an absolute path, got '" + logDir + "'"));
        if (cpus != null) {
            try {
                CpuSet.parse(cpus);
            } catch (IllegalArgumentException e) {
                check.that("cpus", Optional.of("cpus: " + e.getMessage()));
            }
        }
    }

    /** A host name, an IPv4 address or an IPv6 address (bare or bracketed). */
    static final Pattern ADDRESS = Pattern.compile("\\[[0-9a-fA-F:]+]|[0-9a-fA-F:]*:[0-9a-fA-F:]+|[a-zA-Z0-9_.-]+");

    @FunctionalInterface
    private interface Check {
        void that(String key, Optional<String> problem) throws ConfigException;
    }

    private static Optional<String> range(String key, long value, long min, long max) {
        return value >= min && value <= max ? Optional.empty()
                : Optional.of(key + " must be " + min + ".." + max + ", got " + value);
    }
}
