package io.livemig.orchestrator.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builders for small synthetic clusters. */
final class Clusters {
    static final long GIB = 1024L * 1024 * 1024;

    private Clusters() {}

    static HostLoad host(String name, HostAvailability state, int cpus, double cpu, long totalGib,
            long freeGib, Set<String> caps, String family) {
        return new HostLoad(name, state, cpus, cpu, totalGib * GIB, freeGib * GIB,
                (totalGib - freeGib) * GIB, 0, caps, family);
    }

    static HostLoad up(String name, double cpu, long totalGib, long freeGib) {
        return host(name, HostAvailability.UP, 16, cpu, totalGib, freeGib, Set.of(), "x86");
    }

    static VmLoad vm(String name, String host, long memGib, int vcpus, double cpu, long dirtyMiBps) {
        return new VmLoad(name, host, memGib * GIB, vcpus, cpu, dirtyMiBps * 1024 * 1024, Set.of());
    }

    /** Hosts of 16 CPUs and 64 GiB whose load is exactly that of the VMs listed for them. */
    static List<HostLoad> hostsFor(List<String> hostNames, List<VmLoad> vms) {
        List<HostLoad> hosts = new ArrayList<>();
        for (String name : hostNames) {
            HostLoad h = new HostLoad(name, HostAvailability.UP, 16, 0, 64 * GIB, 64 * GIB, 0, 0, Set.of(),
                    "x86");
            for (VmLoad v : vms) {
                if (v.host().equals(name)) {
                    h = h.withVmAdded(v);
                }
            }
            hosts.add(h);
        }
        return hosts;
    }
}
