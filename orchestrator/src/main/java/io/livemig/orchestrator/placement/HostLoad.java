package io.livemig.orchestrator.placement;

import java.util.Objects;
import java.util.Set;

/**
 * A host's capacity and load as seen by the orchestrator.
 *
 * @param name unique host name
 * @param state whether the host may receive VMs
 * @param cpus number of physical CPUs (threads) available to guests
 * @param cpuUtilisation average CPU utilisation over the sampling window, 0..1 of {@code cpus}
 * @param memoryTotalBytes memory available to guests
 * @param memoryFreeBytes memory not in use
 * @param memoryCommittedBytes memory promised to VMs (may exceed total when overcommitted)
 * @param vmCount number of VMs running on the host
 * @param capabilities what the host offers, such as network and storage names ({@code
 *     "net:prod"}, {@code "storage:ceph"}); a VM's required capabilities must be a subset
 * @param cpuFamily CPU family/model name; live migration needs the same family on both ends
 */
public record HostLoad(
        String name,
        HostAvailability state,
        int cpus,
        double cpuUtilisation,
        long memoryTotalBytes,
        long memoryFreeBytes,
        long memoryCommittedBytes,
        int vmCount,
        Set<String> capabilities,
        String cpuFamily) {

    public HostLoad {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(cpuFamily, "cpuFamily");
        if (cpus <= 0) {
            throw new IllegalArgumentException("cpus must be positive: " + cpus);
        }
        if (!(cpuUtilisation >= 0)) {
            throw new IllegalArgumentException("cpuUtilisation must be >= 0: " + cpuUtilisation);
        }
        if (memoryTotalBytes <= 0 || memoryFreeBytes < 0 || memoryFreeBytes > memoryTotalBytes) {
            throw new IllegalArgumentException(
                    "need 0 <= memoryFreeBytes <= memoryTotalBytes and total > 0: "
                            + memoryFreeBytes + "/" + memoryTotalBytes);
        }
        if (memoryCommittedBytes < 0 || vmCount < 0) {
            throw new IllegalArgumentException("memoryCommittedBytes and vmCount must be >= 0");
        }
        capabilities = Set.copyOf(capabilities);
    }

    /** Fraction of guest memory in use, 0..1. */
    public double memoryUtilisation() {
        return (double) (memoryTotalBytes - memoryFreeBytes) / memoryTotalBytes;
    }

    /** This host after {@code vm} has arrived: its memory is used and its CPU demand added. */
    public HostLoad withVmAdded(VmLoad vm) {
        double cpu = (cpuUtilisation * cpus + vm.cpuDemand()) / cpus;
        return new HostLoad(name, state, cpus, cpu, memoryTotalBytes,
                Math.max(0, memoryFreeBytes - vm.memoryBytes()), memoryCommittedBytes + vm.memoryBytes(),
                vmCount + 1, capabilities, cpuFamily);
    }

    /** This host after {@code vm} has left. */
    public HostLoad withVmRemoved(VmLoad vm) {
        double cpu = Math.max(0, cpuUtilisation * cpus - vm.cpuDemand()) / cpus;
        return new HostLoad(name, state, cpus, cpu, memoryTotalBytes,
                Math.min(memoryTotalBytes, memoryFreeBytes + vm.memoryBytes()),
                Math.max(0, memoryCommittedBytes - vm.memoryBytes()), Math.max(0, vmCount - 1),
                capabilities, cpuFamily);
    }
}
