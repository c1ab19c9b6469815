package io.livemig.agent.core.rebind;

import static io.livemig.agent.core.rebind.DomainXml.attr;
import static io.livemig.agent.core.rebind.DomainXml.child;
import static io.livemig.agent.core.rebind.DomainXml.children;
import static io.livemig.agent.core.rebind.PlannedRule.keep;
import static io.livemig.agent.core.rebind.PlannedRule.refuse;

import io.livemig.agent.core.rebind.BindingExtractor.Found;
import io.livemig.agent.core.rebind.HostPaths.Placement;
import io.livemig.agent.core.rebind.ResourceBinding.BootFile;
import io.livemig.agent.core.rebind.ResourceBinding.ChardevLog;
import io.livemig.agent.core.rebind.ResourceBinding.Disk;
import io.livemig.agent.core.rebind.ResourceBinding.Graphics;
import io.livemig.agent.core.rebind.ResourceBinding.HostDevice;
import io.livemig.agent.core.rebind.ResourceBinding.Nic;
import io.livemig.agent.core.rebind.ResourceBinding.SerialOrConsole;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.w3c.dom.Element;

/**
 * The rules for one binding at a time (interfaces, disks, character devices and their logs,
 * graphics, boot files, host devices; see {@link RebindPlanner} for the rules in words), with the
 * per-plan facts every rule needs. Each rule returns its decision and the XML edit it implies.
 */
record BindingRules(String domainName, SourceHost source, TargetHost target) {

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
