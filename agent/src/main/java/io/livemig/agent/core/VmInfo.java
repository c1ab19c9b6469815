package io.livemig.agent.core;

/**
 * A libvirt domain as seen on one host.
 *
 * @param name        domain name, unique per host
 * @param uuid        domain UUID, kept across migrations
 * @param state       current state
 * @param memoryBytes memory currently assigned to the guest
 * @param vcpus       virtual CPUs
 */
public record VmInfo(String name, String uuid, VmState state, long memoryBytes, int vcpus) {
}
