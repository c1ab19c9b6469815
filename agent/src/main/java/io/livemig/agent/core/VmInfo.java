package io.livemig.agent.core;

/**
 * A domain as the hypervisor lists it.
 *
 * @param cpuTimeNs CPU time the guest has used since it started (virDomainInfo.cpuTime); the
 *                  agent derives its CPU utilisation from two readings
 */
public record VmInfo(String name, String uuid, DomainState state, long memoryBytes, int vcpus, long cpuTimeNs) {

    /** A domain whose CPU time is not known (0). */
    public VmInfo(String name, String uuid, DomainState state, long memoryBytes, int vcpus) {
        this(name, uuid, state, memoryBytes, vcpus, 0);
    }
}
