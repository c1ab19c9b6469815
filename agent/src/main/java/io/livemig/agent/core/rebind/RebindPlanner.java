package io.livemig.agent.core.rebind;

import io.livemig.common.value.CpuSet;

import static io.livemig.agent.core.rebind.DomainXml.attr;
import static io.livemig.agent.core.rebind.DomainXml.child;
import static io.livemig.agent.core.rebind.DomainXml.children;
import static io.livemig.agent.core.rebind.DomainXml.text;

import io.livemig.agent.core.rebind.ResourceBinding.BootFile;
import io.livemig.agent.core.rebind.ResourceBinding.ChardevLog;
import io.livemig.agent.core.rebind.ResourceBinding.Disk;
import io.livemig.agent.core.rebind.ResourceBinding.Graphics;
import io.livemig.agent.core.rebind.ResourceBinding.HostCpuPin;
import io.livemig.agent.core.rebind.ResourceBinding.HostDevice;
import io.livemig.agent.core.rebind.ResourceBinding.Nic;
import io.livemig.agent.core.rebind.ResourceBinding.SerialOrConsole;
import io.livemig.agent.core.rebind.ResourceBinding.VcpuPin;
import io.livemig.agent.core.rebind.BindingExtractor.Found;
import io.livemig.agent.core.rebind.HostPaths.Placement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
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

    /** One binding's rule, and what it changes in the XML. */
    private record PlannedRule(BindingRule rule, Runnable edit, DiskCopy copy) {
        PlannedRule(BindingRule rule) {
            this(rule, null, null);
        }
    }

    /**
     * Plans the move of the VM described by {@code sourceDomainXml} (libvirt's
     * {@code dumpxml --migratable} on the source) from {@code source} to {@code target}.
     *
     * @throws InvalidDomainXmlException when the XML cannot be used
     */
    /**
     * The VM's bindings to its host, as found in its domain XML.
     *
     * @throws InvalidDomainXmlException when the XML cannot be used
     */
    public List<ResourceBinding> bindings(String domainXml, SourceHost source) {
        return BindingExtractor.extract(DomainXml.parse(domainXml), Objects.requireNonNull(source, "source")).stream()
                .map(Found::binding).toList();
    }

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
        Context context = new Context(name, source, target);
        PlannedRule[] decisions = new PlannedRule[found.size()];
        List<Integer> pins = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            if (found.get(i).binding() instanceof HostCpuPin) {
                pins.add(i);
            } else {
                decisions[i] = context.decide(found.get(i));
            }
        }
        context.decidePins(found, pins, decisions);
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

    /** The per-plan facts every rule needs. */
    private record Context(String domainName, SourceHost source, TargetHost target) {

        String src() {
            return source.hostName();
        }

        String dst() {
            return target.hostName();
        }

        PlannedRule decide(Found f) {
            ResourceBinding b = f.binding();
            Element e = f.element();
            if (b instanceof Nic nic) {
                return nic(nic, e);
            } else if (b instanceof Disk disk) {
                return disk(disk, e);
            } else if (b instanceof SerialOrConsole chardev) {
                return chardev(chardev, e);
            } else if (b instanceof ChardevLog log) {
                return file(log, log.path(), log.append(), e, "file");
            } else if (b instanceof Graphics graphics) {
                return graphics(graphics, e);
            } else if (b instanceof BootFile boot) {
                return bootFile(boot, e);
            } else if (b instanceof HostDevice device) {
                return refuse(device, device.description(), "VM uses host " + noun(device.kind()) + " " + device.description()
                        + "; live migration of passthrough devices is not supported");
            }
            throw new IllegalStateException("no rule for " + b);
        }

        // ---- interfaces

        private PlannedRule nic(Nic nic, Element e) {
            Element source = child(e, "source");
            return switch (nic.type()) {
                case BRIDGE -> named(nic, nic.source(), source, "bridge", "bridge", target.bridges(), true);
                case NETWORK -> named(nic, nic.source(), source, "network", "network", target.networks(), true);
                case DIRECT -> named(nic, nic.source(), source, "dev", "host interface", target.directDevices(), false);
                case OTHER -> keep(nic, nic.libvirtType(), "interface type '" + nic.libvirtType()
                        + "' names no host bridge, network or device to rebind");
            };
        }

        /** A name the target may call differently: bridge, network, host interface. */
        private PlannedRule named(ResourceBinding b, String from, Element element, String attribute, String noun, NameMapping mapping,
                               boolean sameNameWins) {
            if (from == null || element == null) {
                return refuse(b, "", b.subject() + " names no source " + noun);
            }
            String mapped = mapping.renames().get(from);
            if (mapped != null) {
                if (!mapping.available().contains(mapped)) {
                    return refuse(b, from, "the mapping of " + dst() + " sends " + noun + " '" + from + "' to '" + mapped
                            + "', which does not exist on " + dst());
                }
                if (mapped.equals(from)) {
                    return keep(b, from, "the mapping of " + dst() + " keeps " + noun + " '" + from + "'");
                }
                return new PlannedRule(new BindingRule(b, RebindAction.MAP, from, mapped, noun + " mapping of " + dst()),
                        () -> element.setAttribute(attribute, mapped), null);
            }
            if (sameNameWins && mapping.available().contains(from)) {
                return keep(b, from, dst() + " has a " + noun + " named '" + from + "'");
            }
            if (sameNameWins) {
                return refuse(b, from, "target " + dst() + " has no " + noun + " '" + from + "' and no mapping for it");
            }
            return refuse(b, from, "target " + dst() + " has no mapping for " + noun + " '" + from + "' (macvtap): map it,"
                    + " to the same name if that is right, to confirm it reaches the same network");
        }

        // ---- disks

        private PlannedRule disk(Disk d, Element e) {
            String what = d.subject() + " at " + d.source();
            switch (d.type()) {
                case "network":
                    return keep(d, d.source(), "network disk: " + dst() + " reaches " + d.source() + " over the network too");
                case "volume": {
                    String pool = attr(child(e, "source"), "pool");
                    if (target.sharedPools().contains(pool)) {
                        return keep(d, d.source(), "storage pool '" + pool + "' is shared storage on " + dst());
                    }
                    return refuse(d, d.source(), d.subject() + " is volume " + d.source() + " of storage pool '" + pool
                            + "', which " + dst() + " does not list as a shared pool (pool volumes are not copied)");
                }
                case "nvme":
                    return refuse(d, d.source(), "VM uses host device " + d.source() + " as " + d.subject()
                            + "; live migration of passthrough devices is not supported");
                case "file":
                case "block":
                case "dir":
                    break;
                default:
                    return refuse(d, String.valueOf(d.source()), d.subject() + " has source type '" + d.type()
                            + "', which the planner does not know; refusing rather than guessing");
            }
            if (d.source() == null) {
                return keep(d, "", "no medium");
            }
            Optional<Placement> placed = HostPaths.place(source.sharedStorage(), d.source());
            if (placed.isPresent()) {
                Optional<SharedStorage> there = targetStorage(placed.get());
                if (there.isEmpty()) {
                    return refuse(d, d.source(), what + " is on shared storage '" + placed.get().storage().storageId() + "' of "
                            + src() + ", which " + dst() + " does not mount");
                }
                String to = HostPaths.join(there.get().pathPrefix(), placed.get().relativePath());
                List<Runnable> edits = new ArrayList<>();
                List<String> notes = new ArrayList<>();
                backingChain(e, edits, notes);
                String reason = sharedReason(placed.get(), there.get()) + (notes.isEmpty() ? "" : "; " + String.join("; ", notes));
                if (to.equals(d.source()) && edits.isEmpty()) {
                    return keep(d, d.source(), reason);
                }
                Element sourceElement = child(e, "source");
                String attribute = sourceAttribute(d.type());
                edits.add(0, () -> sourceElement.setAttribute(attribute, to));
                return new PlannedRule(new BindingRule(d, RebindAction.MAP, d.source(), to, reason), () -> edits.forEach(Runnable::run), null);
            }
            String local = what + " is on local storage of " + src();
            if (d.readonly() || "cdrom".equals(d.device())) {
                return refuse(d, d.source(), local + "; a read-only medium is not copied: put the image on shared storage"
                        + " or eject it before migrating");
            }
            if (d.shareable()) {
                return refuse(d, d.source(), local + "; a shareable disk is not copied (other VMs may write to it):"
                        + " put it on shared storage");
            }
            if ("dir".equals(d.type())) {
                return refuse(d, d.source(), local + "; a directory-backed disk cannot be copied: put it on shared storage");
            }
            if (!target.copyLocalDisks()) {
                return refuse(d, d.source(), local + "; enable disk copy or move it to shared storage");
            }
            String format = d.format() == null ? "raw" : d.format();
            DiskCopy copy = new DiskCopy(d.targetDev(), d.type(), d.source(), format, OptionalLong.empty());
            return new PlannedRule(new BindingRule(d, RebindAction.COPY, d.source(), d.source(),
                    "local disk of " + src() + " copied with the VM: pre-create " + d.source() + " on " + dst() + " (format "
                            + format + ", the source's virtual size) and migrate it with VIR_MIGRATE_NON_SHARED_DISK,"
                            + " migrate_disks " + d.targetDev()), null, copy);
        }

        /** Maps the {@code <backingStore>} sources that lie on shared storage the target mounts. */
        private void backingChain(Element disk, List<Runnable> edits, List<String> notes) {
            for (Element store = child(disk, "backingStore"); store != null; store = child(store, "backingStore")) {
                Element src = child(store, "source");
                String type = attr(store, "type");
                if (src == null || !("file".equals(type) || "block".equals(type))) {
                    continue;
                }
                String attribute = sourceAttribute(type);
                String path = attr(src, attribute);
                Optional<Placement> placed = path == null ? Optional.empty() : HostPaths.place(source.sharedStorage(), path);
                Optional<SharedStorage> there = placed.flatMap(this::targetStorage);
                if (there.isEmpty()) {
                    notes.add("backing file " + path + " is not on shared storage " + dst() + " mounts: it must exist there at the same path");
                    continue;
                }
                String to = HostPaths.join(there.get().pathPrefix(), placed.get().relativePath());
                if (!to.equals(path)) {
                    notes.add("backing file " + path + " -> " + to);
                    edits.add(() -> src.setAttribute(attribute, to));
                }
            }
        }

        private static String sourceAttribute(String diskType) {
            return switch (diskType) {
                case "block" -> "dev";
                case "dir" -> "dir";
                default -> "file";
            };
        }

        private Optional<SharedStorage> targetStorage(Placement placed) {
            String id = placed.storage().storageId();
            return target.sharedStorage().stream().filter(s -> s.storageId().equals(id)).findFirst();
        }

        private String sharedReason(Placement placed, SharedStorage there) {
            SharedStorage here = placed.storage();
            return "on shared storage '" + here.storageId() + "' (" + src() + ": " + here.pathPrefix() + ", " + dst() + ": "
                    + there.pathPrefix() + ")";
        }

        // ---- character devices

        private PlannedRule chardev(SerialOrConsole c, Element e) {
            String path = c.path();
            return switch (c.type()) {
                case "file" -> path == null ? keep(c, "", "file " + c.device() + " names no path")
                        : file(c, path, c.append(), child(e, "source"), "path");
                case "dev" -> refuse(c, path, "VM uses host serial device " + path + " as " + c.device()
                        + "; live migration of passthrough devices is not supported");
                case "pipe" -> new PlannedRule(new BindingRule(c, RebindAction.PREPARE, path, path, "the named pipe " + path
                        + " must exist on " + dst() + " before the migration (QEMU opens it when it starts)"));
                case "unix" -> keep(c, path == null ? "" : path, path == null ? "libvirt picks the socket path on " + dst()
                        : "QEMU opens the socket at the same path on " + dst());
                default -> keep(c, c.type(), "type '" + c.type() + "' is not a host file");
            };
        }

        /** A file a character device (or its log) writes: same file on shared storage, else the target's log directory. */
        private PlannedRule file(ResourceBinding b, String path, String append, Element element, String pathAttribute) {
            Optional<Placement> placed = HostPaths.place(source.sharedStorage(), path);
            Optional<SharedStorage> there = placed.flatMap(this::targetStorage);
            String to;
            String reason;
            if (there.isPresent()) {
                to = HostPaths.join(there.get().pathPrefix(), placed.get().relativePath());
                reason = sharedReason(placed.get(), there.get()) + ": " + dst() + " goes on writing the same file";
            } else {
                String name = HostPaths.fileName(path);
                boolean prefixed = !namedAfterDomain(name);
                to = HostPaths.join(target.logDirectory(), prefixed ? domainName + "-" + name : name);
                reason = "into the log directory of " + dst() + (prefixed
                        ? " (named after the domain so that VMs whose files share a name do not write into one file)" : "");
            }
            boolean addAppend = append == null;
            if (addAppend) {
                reason += "; append='on' added: libvirt truncates the file when the destination QEMU opens it, losing its history";
            } else if (!"on".equals(append)) {
                reason += "; append='" + append + "' left as configured: the file starts empty on " + dst();
            }
            if (to.equals(path) && !addAppend) {
                return keep(b, path, reason);
            }
            return new PlannedRule(new BindingRule(b, RebindAction.MAP, path, to, reason), () -> {
                element.setAttribute(pathAttribute, to);
                if (addAppend) {
                    element.setAttribute("append", "on");
                }
            }, null);
        }

        /** "lm.log", "lm-serial0.log", "lm_console.txt" are the domain lm's; "palm.log" is not. */
        private boolean namedAfterDomain(String fileName) {
            if (!fileName.startsWith(domainName)) {
                return false;
            }
            return fileName.length() == domainName.length() || ".-_".indexOf(fileName.charAt(domainName.length())) >= 0;
        }

        /** Two different files of the VM must not become one file on the target. */
        void refuseFileCollisions(List<Found> found, PlannedRule[] decisions) {
            Map<String, String> claimedBy = new HashMap<>();
            for (int i = 0; i < decisions.length; i++) {
                ResourceBinding b = found.get(i).binding();
                boolean fileRule = b instanceof ChardevLog || b instanceof SerialOrConsole s && "file".equals(s.type());
                BindingRule rule = decisions[i].rule();
                if (!fileRule || rule.action() == RebindAction.REFUSE) {
                    continue;
                }
                String previous = claimedBy.putIfAbsent(rule.to(), rule.from());
                if (previous != null && !previous.equals(rule.from())) {
                    decisions[i] = refuse(b, rule.from(), b.subject() + " (" + rule.from() + ") and " + previous
                            + " would both write " + rule.to() + " on " + dst());
                }
            }
        }

        // ---- graphics

        private PlannedRule graphics(Graphics g, Element e) {
            if (g.listenType() == null) {
                return keep(g, "", "no listen address: the default of " + dst() + " (qemu.conf) applies");
            }
            switch (g.listenType()) {
                case "address": {
                    if (g.listen() == null) {
                        return keep(g, "", "no listen address: the default of " + dst() + " (qemu.conf) applies");
                    }
                    String to = target.graphicsListenAddress();
                    List<Element> listens = new ArrayList<>();
                    boolean allSame = !e.hasAttribute("listen") || to.equals(e.getAttribute("listen"));
                    for (Element listen : children(e, "listen")) {
                        String type = attr(listen, "type");
                        if ((type == null || "address".equals(type)) && listen.hasAttribute("address")) {
                            listens.add(listen);
                            allSame &= to.equals(listen.getAttribute("address"));
                        }
                    }
                    if (allSame) {
                        return keep(g, g.listen(), "already the listen address of " + dst());
                    }
                    return new PlannedRule(new BindingRule(g, RebindAction.MAP, g.listen(), to, "graphics listen address of " + dst()), () -> {
                        if (e.hasAttribute("listen")) {
                            e.setAttribute("listen", to);
                        }
                        listens.forEach(l -> l.setAttribute("address", to));
                    }, null);
                }
                case "network":
                    return named(g, g.listen(), child(e, "listen"), "network", "network", target.networks(), true);
                case "socket":
                    return keep(g, g.listen() == null ? "" : g.listen(), "a UNIX socket, created by libvirt on " + dst());
                default:
                    return keep(g, "", "listen type '" + g.listenType() + "' is not bound to the host");
            }
        }

        // ---- boot files

        private PlannedRule bootFile(BootFile f, Element e) {
            Optional<Placement> placed = HostPaths.place(source.sharedStorage(), f.path());
            if (placed.isPresent()) {
                Optional<SharedStorage> there = targetStorage(placed.get());
                if (there.isEmpty()) {
                    return refuse(f, f.path(), f.subject() + " at " + f.path() + " is on shared storage '"
                            + placed.get().storage().storageId() + "' of " + src() + ", which " + dst() + " does not mount");
                }
                String to = HostPaths.join(there.get().pathPrefix(), placed.get().relativePath());
                String reason = sharedReason(placed.get(), there.get());
                if (to.equals(f.path())) {
                    return keep(f, f.path(), reason);
                }
                Element source = child(e, "source");
                Runnable edit = "nvram".equals(f.element()) && source != null
                        ? () -> source.setAttribute("file", to) : () -> DomainXml.setText(e, to);
                return new PlannedRule(new BindingRule(f, RebindAction.MAP, f.path(), to, reason), edit, null);
            }
            String reason = "nvram".equals(f.element())
                    ? "the UEFI variable store is a file of " + src() + ": copy it to " + dst()
                            + " at the same path before the migration (QEMU opens it when it starts)"
                    : "QEMU reads it when it starts on " + dst() + ": it must exist there at the same path";
            return new PlannedRule(new BindingRule(f, RebindAction.PREPARE, f.path(), f.path(), reason));
        }

        // ---- CPU pinning

        void decidePins(List<Found> found, List<Integer> indexes, PlannedRule[] decisions) {
            if (indexes.isEmpty()) {
                return;
            }
            Map<Integer, CpuSet> sets = new LinkedHashMap<>();
            CpuSet pinned = CpuSet.of();
            for (int i : indexes) {
                HostCpuPin pin = (HostCpuPin) found.get(i).binding();
                CpuSet set;
                try {
                    set = CpuSet.parse(pin.cpuset());
                } catch (IllegalArgumentException e) {
                    throw new InvalidDomainXmlException(pin.subject() + ": " + e.getMessage(), e);
                }
                sets.put(i, set);
                pinned = pinned.union(set);
            }
            CpuSet usable = target.usableCpus();
            if (usable.containsAll(pinned)) {
                for (int i : indexes) {
                    HostCpuPin pin = (HostCpuPin) found.get(i).binding();
                    decisions[i] = keep(pin, pin.cpuset(), "host CPUs " + sets.get(i) + " are usable on " + dst()
                            + " (usable: " + usable + ")");
                }
                return;
            }
            // Which host CPUs one vCPU has to itself: those keep a CPU of their own on the target.
            Map<Integer, Integer> users = new HashMap<>();
            sets.values().forEach(set -> set.cpus().forEach(cpu -> users.merge(cpu, 1, Integer::sum)));
            List<Integer> dedicated = new ArrayList<>();
            for (int i : indexes) {
                CpuSet set = sets.get(i);
                if (found.get(i).binding() instanceof VcpuPin && set.size() == 1 && users.get(set.cpus().get(0)) == 1) {
                    dedicated.add(set.cpus().get(0));
                }
            }
            dedicated.sort(null);
            List<Integer> order = new ArrayList<>(dedicated);
            pinned.cpus().stream().filter(cpu -> !dedicated.contains(cpu)).forEach(order::add);
            List<Integer> targets = usable.cpus();
            Map<Integer, Integer> move = new LinkedHashMap<>();
            for (int k = 0; k < order.size(); k++) {
                move.put(order.get(k), targets.get(k % targets.size()));
            }
            String spread = "pinned CPUs go onto the CPUs of " + dst() + " in order ("
                    + move.entrySet().stream().limit(16).map(m -> m.getKey() + "->" + m.getValue()).collect(Collectors.joining(", "))
                    + (move.size() > 16 ? ", ..." : "") + ")";
            String lacks = dst() + " lacks host CPU(s) " + pinned.minus(usable) + " (usable: " + usable + ")";
            String shared = order.size() > targets.size() ? "; " + dst() + " has fewer usable CPUs (" + targets.size() + ") than the "
                    + order.size() + " pinned ones, so some now share a CPU" : "";
            boolean tooManyDedicated = dedicated.size() > targets.size();
            for (int i : indexes) {
                HostCpuPin pin = (HostCpuPin) found.get(i).binding();
                CpuSet set = sets.get(i);
                if (tooManyDedicated && pin instanceof VcpuPin v && set.size() == 1 && dedicated.contains(set.cpus().get(0))) {
                    decisions[i] = refuse(pin, pin.cpuset(), "vCPU " + v.vcpu() + " has host CPU " + set + " to itself on " + src()
                            + ", but " + dst() + " offers " + targets.size() + " usable CPU(s) (" + usable + ") for "
                            + dedicated.size() + " dedicated vCPU pins");
                    continue;
                }
                CpuSet image = CpuSet.of(set.cpus().stream().map(move::get).toList());
                if (image.equals(set)) {
                    decisions[i] = keep(pin, pin.cpuset(), "unchanged when " + spread + ", as " + lacks + shared);
                    continue;
                }
                String to = image.format();
                Element element = found.get(i).element();
                decisions[i] = new PlannedRule(new BindingRule(pin, RebindAction.MAP, pin.cpuset(), to, lacks + ": " + spread + shared),
                        () -> element.setAttribute("cpuset", to), null);
            }
        }

        // ---- helpers

        private static PlannedRule keep(ResourceBinding b, String value, String reason) {
            return new PlannedRule(new BindingRule(b, RebindAction.KEEP, value, value, reason));
        }

        private static PlannedRule refuse(ResourceBinding b, String value, String reason) {
            return new PlannedRule(new BindingRule(b, RebindAction.REFUSE, value, null, reason));
        }

        private static String noun(String kind) {
            return switch (kind) {
                case "hostdev" -> "device";
                case "interface" -> "network device";
                case "filesystem" -> "directory";
                case "tpm" -> "TPM";
                case "input" -> "input device";
                default -> kind;
            };
        }
    }
}
