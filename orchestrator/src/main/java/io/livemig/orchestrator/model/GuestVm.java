package io.livemig.orchestrator.model;

import java.util.List;

/**
 * A running VM as its host's agent reports it.
 *
 * @param name libvirt domain name
 * @param uuid libvirt domain UUID
 * @param state run state
 * @param memoryBytes guest memory
 * @param vcpus virtual CPUs
 * @param bindings ties to the host (networks, storage, devices)
 * @param cpuUtilisation CPU use as a fraction of its vCPUs
 * @param dirtyRateBytesPerSec latest measured page dirtying rate; 0 when not measured yet
 * @param stateReason libvirt's reason for the state where it tells something, e.g. "post-copy
 *                    failed"; empty for a VM running as usual
 * @param ramHeldBytes how much of the guest's RAM its host holds (the pages it has written, at
 *                     least its non-zero memory); 0 when its agent could not read it
 */
public record GuestVm(
        String name,
        String uuid,
        GuestState state,
        long memoryBytes,
        int vcpus,
        List<VmBinding> bindings,
        double cpuUtilisation,
        long dirtyRateBytesPerSec,
        String stateReason,
        long ramHeldBytes) {

    public GuestVm {
        bindings = List.copyOf(bindings);
        stateReason = stateReason == null ? "" : stateReason;
    }

    /** A VM whose state has no reason worth showing. */
    public GuestVm(String name, String uuid, GuestState state, long memoryBytes, int vcpus, List<VmBinding> bindings,
            double cpuUtilisation, long dirtyRateBytesPerSec) {
        this(name, uuid, state, memoryBytes, vcpus, bindings, cpuUtilisation, dirtyRateBytesPerSec, "", 0);
    }

    /** A VM whose RAM held on its host is not known. */
    public GuestVm(String name, String uuid, GuestState state, long memoryBytes, int vcpus, List<VmBinding> bindings,
            double cpuUtilisation, long dirtyRateBytesPerSec, String stateReason) {
        this(name, uuid, state, memoryBytes, vcpus, bindings, cpuUtilisation, dirtyRateBytesPerSec, stateReason, 0);
    }
}
