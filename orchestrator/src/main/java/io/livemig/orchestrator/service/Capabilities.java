package io.livemig.orchestrator.service;

import io.livemig.common.config.HostConfig;
import io.livemig.orchestrator.model.VmBinding;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Placement capabilities from the cluster file's logical resource names: a host offers
 * {@code net:NAME} for each network it maps and {@code storage:ID} for each shared storage it
 * mounts; a VM requires those its bindings use on its current host. A host device is required as
 * {@code hostdev:...}, which no host offers: such a VM is never moved.
 */
final class Capabilities {

    private Capabilities() {
    }

    static Set<String> offered(HostConfig host) {
        Set<String> caps = new TreeSet<>();
        host.networks().keySet().forEach(n -> caps.add("net:" + n));
        host.storage().keySet().forEach(s -> caps.add("storage:" + s));
        return caps;
    }

    static Set<String> required(Iterable<VmBinding> bindings, HostConfig current) {
        Set<String> caps = new TreeSet<>();
        for (VmBinding b : bindings) {
            switch (b.kind()) {
                case "nic" -> logicalName(current.networks(), b.resource(), false).ifPresent(n -> caps.add("net:" + n));
                case "disk" -> logicalName(current.storage(), b.resource(), true).ifPresent(s -> caps.add("storage:" + s));
                case "hostdevice" -> caps.add("hostdev:" + b.device());
                default -> { } // log files, graphics and pinning are rebound on any host
            }
        }
        return caps;
    }

    private static java.util.Optional<String> logicalName(Map<String, String> names, String resource, boolean prefix) {
        return names.entrySet().stream()
                .filter(e -> prefix ? resource.startsWith(e.getValue().endsWith("/") ? e.getValue() : e.getValue() + "/")
                        : resource.equals(e.getValue()))
                .map(Map.Entry::getKey).sorted().findFirst();
    }
}
