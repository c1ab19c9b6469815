/**
 * The libvirt adapter: {@link io.livemig.agent.libvirt.LibvirtHypervisor} implements
 * {@link io.livemig.agent.core.Hypervisor} with libvirt-java (JNA bindings to libvirt.so), and
 * {@link io.livemig.agent.libvirt.LibvirtMigrationJob} runs and steers one migration. The few
 * libvirt functions libvirt-java lacks (max speed, post-copy switch, migration events) are bound
 * directly in {@code LibvirtNative}. Every {@code org.libvirt} and JNA import of the project lives
 * in this package.
 */
package io.livemig.agent.libvirt;
