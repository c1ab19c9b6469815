package io.livemig.agent.service;

import java.util.Map;

/**
 * What the source tells the target before a migration.
 *
 * @param sourceNetworks the source's logical network name -> local bridge/network name
 * @param sourceStorage  the source's logical storage id -> local mount path
 * @param diskSizes      sizes of the VM's file-backed disks by source path
 */
public record IncomingRequest(
        String vmName,
        String vmUuid,
        String domainXml,
        long memoryBytes,
        String sourceHost,
        Map<String, String> sourceNetworks,
        Map<String, String> sourceStorage,
        Map<String, Long> diskSizes) {

    public IncomingRequest {
        sourceNetworks = Map.copyOf(sourceNetworks);
        sourceStorage = Map.copyOf(sourceStorage);
        diskSizes = Map.copyOf(diskSizes);
    }
}
