package io.livemig.agent.core;

/**
 * A domain as the hypervisor lists it.
 *
 * @param cpuTimeNs   CPU time the guest has used since it started (virDomainInfo.cpuTime); the
 *                    agent derives its CPU utilisation from two readings
 * @param stateReason libvirt's raw reason code for {@code state} (virDomainGetState), 0 when unknown
 */
public record VmInfo(String name, String uuid, DomainState state, long memoryBytes, int vcpus, long cpuTimeNs,
        int stateReason) {

    /** A domain whose state reason is not known (0). */
    public VmInfo(String name, String uuid, DomainState state, long memoryBytes, int vcpus, long cpuTimeNs) {
        this(name, uuid, state, memoryBytes, vcpus, cpuTimeNs, 0);
    }

    /** A domain whose CPU time is not known (0). */
    public VmInfo(String name, String uuid, DomainState state, long memoryBytes, int vcpus) {
        this(name, uuid, state, memoryBytes, vcpus, 0);
    }

    /** The state with its reason. */
    public DomainStatus status() {
        return new DomainStatus(state, stateReason);
    }
}
