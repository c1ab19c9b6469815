package io.livemig.agent.core.rebind;

import io.livemig.common.value.CpuSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the target host offers a VM that arrives, as its agent knows it from its own configuration
 * and from libvirt.
 *
 * @param hostName              for messages, e.g. "lab-b"
 * @param bridges               source bridge → target bridge, and the bridges that exist here
 * @param networks              source libvirt network → target network, and the networks defined here
 * @param directDevices         source host interface of a macvtap ({@code <interface type='direct'>})
 *                              → interface here; only explicit entries are used (see
 *                              {@link RebindPlanner})
 * @param sharedStorage         where this host mounts shared storage (paired with the source's by id)
 * @param sharedPools           libvirt storage pools here that hold the same volumes as on the
 *                              source (rbd, iscsi, netfs pools); a {@code type='volume'} disk of
 *                              another pool is refused
 * @param logDirectory          where serial/console files go, e.g. /var/log/libvirt/qemu
 * @param graphicsListenAddress address VNC/SPICE listen on here
 * @param usableCpus            host CPUs vCPU and emulator threads may be pinned to here
 * @param copyLocalDisks        policy: a disk on the source's local storage may be copied with the
 *                              VM (libvirt's VIR_MIGRATE_NON_SHARED_DISK with migrate_disks); the
 *                              agent must pre-create it here first
 */
public record TargetHost(
        String hostName,
        NameMapping bridges,
        NameMapping networks,
        NameMapping directDevices,
        List<SharedStorage> sharedStorage,
        Set<String> sharedPools,
        String logDirectory,
        String graphicsListenAddress,
        CpuSet usableCpus,
        boolean copyLocalDisks) {

    public TargetHost {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(bridges, "bridges");
        Objects.requireNonNull(networks, "networks");
        Objects.requireNonNull(directDevices, "directDevices");
        sharedStorage = SharedStorage.checkedList(sharedStorage, hostName);
        sharedPools = Set.copyOf(Objects.requireNonNull(sharedPools, "sharedPools"));
        if (!HostPaths.isAbsolute(logDirectory)) {
            throw new IllegalArgumentException(hostName + ": log directory must be an absolute path, got '" + logDirectory + "'");
        }
        logDirectory = HostPaths.normalize(logDirectory);
        if (graphicsListenAddress == null || graphicsListenAddress.isBlank()) {
            throw new IllegalArgumentException(hostName + ": graphics listen address must be set");
        }
        Objects.requireNonNull(usableCpus, "usableCpus");
        if (usableCpus.isEmpty()) {
            throw new IllegalArgumentException(hostName + ": usable CPU list must not be empty");
        }
    }

    public static Builder builder(String hostName) {
        return new Builder(hostName);
    }

    /** Builds a {@link TargetHost}; defaults are libvirt's own: log directory /var/log/libvirt/qemu, listen 127.0.0.1. */
    public static final class Builder {
        private final String hostName;
        private final Map<String, String> bridgeRenames = new HashMap<>();
        private final Set<String> bridges = new HashSet<>();
        private final Map<String, String> networkRenames = new HashMap<>();
        private final Set<String> networks = new HashSet<>();
        private final Map<String, String> deviceRenames = new HashMap<>();
        private final Set<String> devices = new HashSet<>();
        private final List<SharedStorage> storage = new ArrayList<>();
        private final Set<String> pools = new HashSet<>();
        private String logDirectory = "/var/log/libvirt/qemu";
        private String listen = "127.0.0.1";
        private CpuSet usableCpus;
        private boolean copyLocalDisks;

        private Builder(String hostName) {
            this.hostName = hostName;
        }

        /** Bridges that exist on the target. */
        public Builder bridges(String... names) {
            bridges.addAll(List.of(names));
            return this;
        }

        /** A source bridge is called {@code targetBridge} here (which must be listed in {@link #bridges}). */
        public Builder mapBridge(String sourceBridge, String targetBridge) {
            bridgeRenames.put(sourceBridge, targetBridge);
            return this;
        }

        public Builder networks(String... names) {
            networks.addAll(List.of(names));
            return this;
        }

        public Builder mapNetwork(String sourceNetwork, String targetNetwork) {
            networkRenames.put(sourceNetwork, targetNetwork);
            return this;
        }

        /** Host interfaces that exist on the target. */
        public Builder directDevices(String... names) {
            devices.addAll(List.of(names));
            return this;
        }

        public Builder mapDirectDevice(String sourceDevice, String targetDevice) {
            deviceRenames.put(sourceDevice, targetDevice);
            return this;
        }

        public Builder sharedStorage(String storageId, String pathPrefix) {
            storage.add(new SharedStorage(storageId, pathPrefix));
            return this;
        }

        public Builder sharedPools(String... names) {
            pools.addAll(List.of(names));
            return this;
        }

        public Builder logDirectory(String directory) {
            this.logDirectory = directory;
            return this;
        }

        public Builder graphicsListenAddress(String address) {
            this.listen = address;
            return this;
        }

        public Builder usableCpus(CpuSet cpus) {
            this.usableCpus = cpus;
            return this;
        }

        /** In libvirt's cpuset syntax, e.g. "0-3". */
        public Builder usableCpus(String cpuset) {
            return usableCpus(CpuSet.parse(cpuset));
        }

        public Builder copyLocalDisks(boolean allowed) {
            this.copyLocalDisks = allowed;
            return this;
        }

        public TargetHost build() {
            if (usableCpus == null) {
                throw new IllegalStateException(hostName + ": usable CPUs not set");
            }
            return new TargetHost(hostName,
                    new NameMapping(bridgeRenames, bridges),
                    new NameMapping(networkRenames, networks),
                    new NameMapping(deviceRenames, devices),
                    storage, pools, logDirectory, listen, usableCpus, copyLocalDisks);
        }
    }
}
