package io.livemig.agent.service;

import io.livemig.agent.core.HostFacts;

/** The host's facts and load as the agent reports them. */
public record HostStatus(
        String hostName,
        HostFacts info,
        long memoryReservedBytes,
        int runningVms,
        int migrationsOutgoing,
        int migrationsIncoming,
        double guestCpuUtilisation,
        long memoryCommittedBytes) {}
