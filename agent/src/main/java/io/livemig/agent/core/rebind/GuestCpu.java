package io.livemig.agent.core.rebind;

import java.util.Optional;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The CPU a domain asks of its host, as the target of a migration must check it: the domain's
 * {@code <cpu>} element and what libvirt needs to compare it with the CPU the target's hypervisor
 * can give (virConnectCompareHypervisorCPU).
 *
 * @param virtType the domain's type ({@code kvm}, {@code qemu}): with KVM the host's CPU limits the
 *                 guest, with TCG QEMU emulates what it can
 * @param arch     the guest architecture, or null when the XML does not say
 * @param mode     the {@code <cpu>} mode ({@code custom}, {@code host-model}, {@code host-passthrough},
 *                 {@code maximum}); {@code custom} when absent, as libvirt reads it
 * @param model    the named model, or the mode when there is none
 * @param cpuXml   the {@code <cpu>} element as XML text
 */
public record GuestCpu(String virtType, String arch, String mode, String model, String cpuXml) {

    /**
     * The CPU of a domain XML; empty when it has no {@code <cpu>} element (the hypervisor's default
     * CPU, which every host of that hypervisor offers).
     *
     * @throws InvalidDomainXmlException when the XML is not a domain
     */
    public static Optional<GuestCpu> of(String domainXml) {
        Document doc = DomainXml.parse(domainXml);
        Element domain = doc.getDocumentElement();
        Element cpu = DomainXml.child(domain, "cpu");
        if (cpu == null) {
            return Optional.empty();
        }
        Element os = DomainXml.child(domain, "os");
        String arch = os == null ? null : DomainXml.attr(DomainXml.child(os, "type"), "arch");
        String mode = DomainXml.attr(cpu, "mode");
        if (mode == null) {
            mode = "custom";
        }
        String model = DomainXml.text(DomainXml.child(cpu, "model"));
        String virtType = DomainXml.attr(domain, "type");
        return Optional.of(new GuestCpu(virtType == null ? "kvm" : virtType, arch, mode,
                model == null ? mode : model, DomainXml.write(cpu).strip()));
    }

    /**
     * Whether comparing with the target's hypervisor CPU says anything. host-passthrough and
     * maximum take whatever the target's host has; libvirt cannot tell in advance whether that
     * matches what the guest saw on its source.
     */
    public boolean comparable() {
        return !mode.equals("host-passthrough") && !mode.equals("maximum");
    }
}
