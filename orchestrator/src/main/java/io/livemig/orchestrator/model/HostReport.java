package io.livemig.orchestrator.model;

/**
 * What a host's agent says of its host, the part the orchestrator uses.
 *
 * @param hostName the host's own name
 * @param cpus logical CPUs
 * @param memoryTotalBytes physical memory
 * @param memoryFreeBytes memory not in use
 * @param memoryReservedBytes memory held for incoming migrations
 * @param memoryCommittedBytes memory promised to running guests
 * @param guestCpuUtilisation the guests' CPU use as a fraction of the host's CPUs
 * @param cpuModel the CPU family, for compatibility between hosts
 * @param migrationsOutgoing migrations this host is sending now
 * @param migrationsIncoming migrations this host is receiving now
 */
public record HostReport(
        String hostName,
        int cpus,
        long memoryTotalBytes,
        long memoryFreeBytes,
        long memoryReservedBytes,
        long memoryCommittedBytes,
        double guestCpuUtilisation,
        String cpuModel,
        int migrationsOutgoing,
        int migrationsIncoming) {}
