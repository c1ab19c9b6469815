/**
 * Resource rebinding for live migration: reads a VM's domain XML, finds what ties it to its
 * source host (bridges, networks, disk paths, serial files, listen addresses, CPU pinning, host
 * devices), decides per binding what to do on the target ({@link io.livemig.agent.core.rebind.RebindPlanner})
 * and writes the destination XML (VIR_MIGRATE_PARAM_DEST_XML) with the same name and UUID.
 *
 * <p>Pure Java over the JDK's DOM: no libvirt, no gRPC. Domain XML is parsed with DTDs, external
 * entities and XInclude off, because it comes from another host.
 */
package io.livemig.agent.core.rebind;
