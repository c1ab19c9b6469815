package io.livemig.orchestrator.placement;

/**
 * Tunables of placement, passed in on every call (never read from a global).
 *
 * @param cpuWeight weight of CPU utilisation in a host's load
 * @param memoryWeight weight of memory utilisation in a host's load
 * @param memoryHeadroomBytes free memory a target must keep after receiving the VM
 */
public record PlacementSettings(double cpuWeight, double memoryWeight, long memoryHeadroomBytes) {

    /** Equal CPU and memory weights, 512 MiB headroom. */
    public static final PlacementSettings DEFAULT =
            new PlacementSettings(0.5, 0.5, 512L * 1024 * 1024);

    public PlacementSettings {
        if (!(cpuWeight >= 0 && memoryWeight >= 0 && cpuWeight + memoryWeight > 0)) {
            throw new IllegalArgumentException("weights must be >= 0 and not both 0");
        }
        if (memoryHeadroomBytes < 0) {
            throw new IllegalArgumentException("memoryHeadroomBytes must be >= 0");
        }
    }

    /**
     * Weighted load of a host: {@code (wCpu * cpuUtilisation + wMem * memoryUtilisation) /
     * (wCpu + wMem)}; 0 is idle, 1 is full on both, above 1 means CPU overcommitted.
     */
    public double load(HostLoad host) {
        return (cpuWeight * host.cpuUtilisation() + memoryWeight * host.memoryUtilisation())
                / (cpuWeight + memoryWeight);
    }
}
