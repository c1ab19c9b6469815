package io.livemig.agent.core.rebind;

import static io.livemig.agent.core.rebind.DomainXml.child;
import static io.livemig.agent.core.rebind.DomainXml.text;

import io.livemig.agent.core.rebind.BindingExtractor.Found;
import io.livemig.agent.core.rebind.ResourceBinding.HostCpuPin;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Decides, on the target, what becomes of each host binding of a VM that is about to arrive, and
 * writes the destination domain XML. Pure: XML and host descriptions in, a {@link RebindPlan} out.
 *
 * <p>The rules, by binding:
 * <ul>
 * <li><b>interface type bridge / network</b>: the target's mapping for the name wins (MAP; REFUSE
 *     when the mapped name does not exist on the target); without a mapping, a bridge/network of
 *     the same name on the target is used (KEEP); otherwise REFUSE. MAC and model never change.
 * <li><b>interface type direct</b> (macvtap): only an explicit mapping is used (an interface name
 *     says nothing about which network it reaches); a mapping to the same name confirms it.
 * <li><b>interface type hostdev / vdpa, {@code <hostdev>}, host-directory {@code <filesystem>},
 *     host {@code <smartcard>}, passthrough {@code <tpm>}, evdev {@code <input>}</b>: REFUSE.
 *     (libvirt itself can move some USB and failover-teamed devices; we do not try.)
 * <li><b>disk on shared storage</b> (file, block, dir below a source prefix): MAP to the same
 *     relative path below the target's prefix for that storage id (KEEP when identical), with its
 *     {@code <backingStore>} chain on shared storage mapped the same way; REFUSE when the target
 *     does not mount that storage.
 * <li><b>disk on local storage</b>: COPY when the target allows it (same path, listed in
 *     {@link RebindPlan#disksToCopy()}), else REFUSE. A read-only medium (every CD-ROM), a
 *     shareable disk and a directory-backed disk on local storage are REFUSED even when copying is
 *     allowed: we do not copy an ISO that only the source has, nor a disk other VMs write.
 * <li><b>network disk</b> (rbd, iscsi, nbd, ...): KEEP. <b>volume disk</b>: KEEP when its pool is
 *     one of the target's shared pools, else REFUSE. <b>nvme disk</b>: REFUSE (host PCI device).
 *     An empty drive: KEEP.
 * <li><b>serial/console/parallel/channel type file and {@code <log file>}</b>: a file on shared
 *     storage the target mounts stays that file (MAP by prefix); any other file goes to the
 *     target's log directory under its file name, prefixed with "NAME-" unless it already starts
 *     with the domain name (the first lab wrote every VM's serial log as "serial.log": without the
 *     prefix two VMs would share one file on the target). {@code append='on'} is added when absent (libvirt truncates the file when the
 *     destination QEMU opens it, losing the history); an explicit {@code append='off'} is left.
 *     Two different files that would land on one target file: REFUSE. type dev (host serial
 *     port): REFUSE. type pipe: PREPARE (the FIFO must exist on the target). pty, unix, tcp, ...:
 *     KEEP.
 * <li><b>graphics</b>: every listen address (the {@code listen} attribute and each
 *     {@code <listen type='address'>}, kept consistent as libvirt requires) becomes the target's
 *     listen address; a {@code <listen type='network'>} follows the network rule; a graphics
 *     device with no listen address, a socket or none: KEEP.
 * <li><b>CPU pinning</b> ({@code <vcpupin>}, {@code <emulatorpin>}, {@code <iothreadpin>},
 *     {@code <vcpu cpuset>}), decided together: when every pinned host CPU is usable on the target,
 *     KEEP all. Otherwise each pinned host CPU is sent to a target CPU, in order: first the CPUs
 *     "dedicated" to one vCPU (pinned by exactly one {@code <vcpupin>} with a single CPU and by
 *     nothing else), then the rest, ascending, onto the usable target CPUs ascending, wrapping
 *     when there are more pinned CPUs than usable ones (they then share CPUs, which the reason
 *     says). REFUSE the dedicated pins when there are more dedicated CPUs than usable target CPUs.
 * <li><b>{@code <os>} kernel, initrd, dtb, loader, nvram</b>: on shared storage, as a disk;
 *     elsewhere PREPARE: QEMU opens them when it starts on the target, so they must exist there
 *     at the same path (the agent checks, or copies the NVRAM store).
 * </ul>
 * Everything else, {@code <name>} and {@code <uuid>} included, is left as it is.
 */
public final class RebindPlanner {

    /**
     * The VM's bindings to its host, as found in its domain XML.
     *
     * @throws InvalidDomainXmlException when the XML cannot be used
     */
    public List<ResourceBinding> bindings(String domainXml, SourceHost source) {
        return BindingExtractor.extract(DomainXml.parse(domainXml), Objects.requireNonNull(source, "source")).stream()
                .map(Found::binding).toList();
    }

    /**
     * Plans the move of the VM described by {@code sourceDomainXml} (libvirt's
     * {@code dumpxml --migratable} on the source) from {@code source} to {@code target}.
     *
     * @throws InvalidDomainXmlException when the XML cannot be used
     */
    public RebindPlan plan(String sourceDomainXml, SourceHost source, TargetHost target) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Document doc = DomainXml.parse(sourceDomainXml);
        Element domain = doc.getDocumentElement();
        String name = text(child(domain, "name"));
        String uuid = text(child(domain, "uuid"));
        if (name == null) {
            throw new InvalidDomainXmlException("domain XML has no <name>");
        }
        if (uuid == null) {
            throw new InvalidDomainXmlException("domain XML of '" + name + "' has no <uuid>: the target must keep the source's");
        }
        List<Found> found = BindingExtractor.extract(doc, source);
        BindingRules context = new BindingRules(name, source, target);
        PlannedRule[] decisions = new PlannedRule[found.size()];
        List<Integer> pins = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            if (found.get(i).binding() instanceof HostCpuPin) {
                pins.add(i);
            } else {
                decisions[i] = context.decide(found.get(i));
            }
        }
        CpuPinRules.decide(context, found, pins, decisions);
        context.refuseFileCollisions(found, decisions);

        List<BindingRule> rules = new ArrayList<>();
        List<DiskCopy> copies = new ArrayList<>();
        for (PlannedRule d : decisions) {
            rules.add(d.rule());
            if (d.copy() != null) {
                copies.add(d.copy());
            }
        }
        String xml = null;
        if (rules.stream().noneMatch(r -> r.action() == RebindAction.REFUSE)) {
            for (PlannedRule d : decisions) {
                if (d.edit() != null) {
                    d.edit().run();
                }
            }
            xml = DomainXml.write(doc);
        }
        return new RebindPlan(name, uuid, source.hostName(), target.hostName(), rules, copies, xml);
    }
}
