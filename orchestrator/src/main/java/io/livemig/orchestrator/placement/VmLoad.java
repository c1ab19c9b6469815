package io.livemig.orchestrator.placement;

import java.util.Objects;
import java.util.Set;

/**
 * A VM's size and activity as seen by the orchestrator.
 *
 * @param name unique VM name
 * @param host the host it runs on; empty for a VM not placed yet
 * @param memoryBytes guest memory
 * @param vcpus virtual CPUs
 * @param cpuUtilisation average utilisation of its vcpus, 0..1
 * @param dirtyRateBytesPerSec rate at which the guest dirties memory; drives migration cost
 * @param requiredCapabilities capabilities the target host must offer
 */
public record VmLoad(
        String name,
        String host,
        long memoryBytes,
        int vcpus,
        double cpuUtilisation,
        long dirtyRateBytesPerSec,
        Set<String> requiredCapabilities) {

    public VmLoad {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
        if (memoryBytes <= 0 || vcpus <= 0) {
            throw new IllegalArgumentException("memoryBytes and vcpus must be positive");
        }
        if (!(cpuUtilisation >= 0 && cpuUtilisation <= 1)) {
            throw new IllegalArgumentException("cpuUtilisation must be in 0..1: " + cpuUtilisation);
        }
        if (dirtyRateBytesPerSec < 0) {
            throw new IllegalArgumentException("dirtyRateBytesPerSec must be >= 0");
        }
        requiredCapabilities = Set.copyOf(requiredCapabilities);
    }

    /** CPU demand in host CPUs (for example 4 vcpus at 50% = 2.0). */
    public double cpuDemand() {
        return cpuUtilisation * vcpus;
    }

    /** This VM as if it ran on {@code newHost}. */
    public VmLoad onHost(String newHost) {
        return new VmLoad(name, newHost, memoryBytes, vcpus, cpuUtilisation, dirtyRateBytesPerSec,
                requiredCapabilities);
    }
}
