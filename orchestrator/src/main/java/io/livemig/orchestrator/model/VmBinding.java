package io.livemig.orchestrator.model;

/**
 * One of a VM's ties to its host, as its agent reports it.
 *
 * @param kind "nic", "disk", "hostdevice", ...
 * @param device the guest-side device (MAC address, target disk, host device address)
 * @param resource the host-side resource (bridge, image path)
 */
public record VmBinding(String kind, String device, String resource) {}
