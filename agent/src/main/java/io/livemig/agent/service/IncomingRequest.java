package io.livemig.agent.service;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the source tells the target before a migration.
 *
 * @param sourceNetworks the source's logical network name -> local bridge/network name
 * @param sourceStorage  the source's logical storage id -> local mount path
 * @param diskSizes      sizes of the VM's file-backed disks by source path
 * @param dirtyRate      the source's latest dirty-rate reading of the VM, if it has one
 */
public record IncomingRequest(
        String vmName,
        String vmUuid,
        String domainXml,
        long memoryBytes,
        String sourceHost,
        Map<String, String> sourceNetworks,
        Map<String, String> sourceStorage,
        Map<String, Long> diskSizes,
        Optional<DirtyRateReading> dirtyRate) {

    public IncomingRequest {
        sourceNetworks = Map.copyOf(sourceNetworks);
        sourceStorage = Map.copyOf(sourceStorage);
        diskSizes = Map.copyOf(diskSizes);
        Objects.requireNonNull(dirtyRate, "dirtyRate");
    }

    /**
     * A dirty-rate reading handed from one agent to another.
     *
     * @param bytesPerS what the measurement found
     * @param ageMs     how long ago the measurement started
     */
    public record DirtyRateReading(long bytesPerS, long ageMs) {

        public DirtyRateReading {
            if (bytesPerS < 0 || ageMs < 0) {
                throw new IllegalArgumentException("a dirty-rate reading is not negative: " + bytesPerS + " B/s, "
                        + ageMs + " ms old");
            }
        }
    }
}
