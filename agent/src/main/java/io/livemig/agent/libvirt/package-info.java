/**
 * The libvirt adapter: {@link io.livemig.agent.libvirt.LibvirtHypervisor} implements
 * {@link io.livemig.agent.core.Hypervisor} with libvirt-java (JNA bindings to libvirt.so).
 * Every {@code org.libvirt} import of the project lives in this package.
 */
package io.livemig.agent.libvirt;
