/**
 * The agent's pure core: value types for hosts, VMs and migration jobs, and the functions that
 * interpret libvirt's job statistics and migration flags.
 *
 * <p>Nothing here imports {@code org.libvirt}, {@code io.grpc} or generated protobuf classes: the
 * hypervisor is reached through {@link io.livemig.agent.core.Hypervisor}, implemented by the
 * adapter in {@code io.livemig.agent.libvirt}, so everything in this package can be tested with
 * plain values.
 */
package io.livemig.agent.core;
