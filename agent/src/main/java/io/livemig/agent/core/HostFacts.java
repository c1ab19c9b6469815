package io.livemig.agent.core;

/**
 * Facts about one hypervisor host.
 *
 * @param hostname          the host's name as its libvirt daemon reports it
 * @param libvirtUri        the URI of the connection that produced these facts
 * @param hypervisorType    as libvirt names it, e.g. "QEMU"
 * @param hypervisorVersion dotted, e.g. "10.0.2"
 * @param libvirtVersion    dotted version of the libvirt library on the client side
 * @param cpus              logical CPUs
 * @param memoryTotalBytes  host memory
 * @param memoryFreeBytes   host memory not in use
 * @param virtType          the best virtualisation libvirt offers for guests of the host's architecture
 * @param cpuModel          the host CPU model as libvirt's capabilities name it, "" if they do not
 */
public record HostFacts(
        String hostname,
        String libvirtUri,
        String hypervisorType,
        String hypervisorVersion,
        String libvirtVersion,
        int cpus,
        long memoryTotalBytes,
        long memoryFreeBytes,
        DomainType virtType,
        String cpuModel) {
}
