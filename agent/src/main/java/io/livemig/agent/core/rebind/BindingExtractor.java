package io.livemig.agent.core.rebind;

import static io.livemig.agent.core.rebind.DomainXml.attr;
import static io.livemig.agent.core.rebind.DomainXml.child;
import static io.livemig.agent.core.rebind.DomainXml.children;
import static io.livemig.agent.core.rebind.DomainXml.text;

import io.livemig.agent.core.rebind.ResourceBinding.BootFile;
import io.livemig.agent.core.rebind.ResourceBinding.ChardevLog;
import io.livemig.agent.core.rebind.ResourceBinding.Disk;
import io.livemig.agent.core.rebind.ResourceBinding.EmulatorPin;
import io.livemig.agent.core.rebind.ResourceBinding.Graphics;
import io.livemig.agent.core.rebind.ResourceBinding.HostDevice;
import io.livemig.agent.core.rebind.ResourceBinding.IothreadPin;
import io.livemig.agent.core.rebind.ResourceBinding.Nic;
import io.livemig.agent.core.rebind.ResourceBinding.SerialOrConsole;
import io.livemig.agent.core.rebind.ResourceBinding.VcpuDefaultPin;
import io.livemig.agent.core.rebind.ResourceBinding.VcpuPin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Finds the host bindings of a domain XML, each with the element a rule rewrites. Only libvirt's
 * own places are looked at ({@code <os>}, {@code <vcpu>}, {@code <cputune>}, {@code <devices>}):
 * {@code <metadata>} can hold anything and is never searched.
 */
final class BindingExtractor {

    private static final Set<String> CHARDEVS = Set.of("serial", "console", "parallel", "channel");
    private static final Set<String> BOOT_FILES = Set.of("kernel", "initrd", "dtb", "loader", "nvram");

    /** A binding and the element that carries it. */
    record Found(ResourceBinding binding, Element element) {
    }

    private BindingExtractor() {
    }

    static List<Found> extract(Document doc, SourceHost source) {
        Element domain = doc.getDocumentElement();
        List<Found> found = new ArrayList<>();
        Element os = child(domain, "os");
        if (os != null) {
            for (Element e : children(os)) {
                if (BOOT_FILES.contains(e.getLocalName())) {
                    bootFile(e, source).ifPresent(b -> found.add(new Found(b, e)));
                }
            }
        }
        Element vcpu = child(domain, "vcpu");
        if (vcpu != null && attr(vcpu, "cpuset") != null) {
            found.add(new Found(new VcpuDefaultPin(attr(vcpu, "cpuset")), vcpu));
        }
        Element cputune = child(domain, "cputune");
        if (cputune != null) {
            for (Element e : children(cputune)) {
                switch (e.getLocalName()) {
                    case "vcpupin" -> found.add(new Found(new VcpuPin(number(e, "vcpu"), required(e, "cpuset")), e));
                    case "emulatorpin" -> found.add(new Found(new EmulatorPin(required(e, "cpuset")), e));
                    case "iothreadpin" -> found.add(new Found(new IothreadPin(number(e, "iothread"), required(e, "cpuset")), e));
                    default -> { }
                }
            }
        }
        Element devices = child(domain, "devices");
        if (devices != null) {
            Map<String, Integer> chardevIndex = new HashMap<>();
            for (Element e : children(devices)) {
                String name = e.getLocalName();
                if (CHARDEVS.contains(name)) {
                    int index = chardevIndex.merge(name, 1, Integer::sum) - 1;
                    chardev(e, name, index, found);
                    continue;
                }
                switch (name) {
                    case "disk" -> found.add(new Found(disk(e, source), e));
                    case "interface" -> found.add(new Found(nic(e), e));
                    case "graphics" -> found.add(new Found(graphics(e), e));
                    case "hostdev" -> found.add(new Found(new HostDevice("hostdev", hostdev(e)), e));
                    case "filesystem" -> filesystem(e).ifPresent(b -> found.add(new Found(b, e)));
                    case "smartcard" -> smartcard(e).ifPresent(b -> found.add(new Found(b, e)));
                    case "tpm" -> tpm(e).ifPresent(b -> found.add(new Found(b, e)));
                    case "input" -> input(e).ifPresent(b -> found.add(new Found(b, e)));
                    default -> { }
                }
            }
        }
        return found;
    }

    private static Optional<ResourceBinding> bootFile(Element e, SourceHost source) {
        String path;
        if ("nvram".equals(e.getLocalName()) && (attr(e, "type") != null || child(e, "source") != null)) {
            // libvirt >= 8.5: <nvram type='file'><source file=.../></nvram>; a network NVRAM is not a host file.
            path = "file".equals(attr(e, "type")) ? attr(child(e, "source"), "file") : null;
        } else {
            path = text(e);
        }
        if (path == null) {
            return Optional.empty();
        }
        return Optional.of(new BootFile(e.getLocalName(), path, storageId(source, path)));
    }

    private static Disk disk(Element e, SourceHost source) {
        String device = orDefault(attr(e, "device"), "disk");
        String type = orDefault(attr(e, "type"), "file");
        Element src = child(e, "source");
        String sourceName = switch (type) {
            case "file" -> attr(src, "file");
            case "block" -> attr(src, "dev");
            case "dir" -> attr(src, "dir");
            case "network" -> networkDiskName(src);
            case "volume" -> src == null ? null : attr(src, "pool") + "/" + attr(src, "volume");
            case "nvme" -> src == null ? null : "nvme " + pciAddress(child(src, "address"));
            default -> null;
        };
        Optional<String> storage = Set.of("file", "block", "dir").contains(type) && sourceName != null
                ? storageId(source, sourceName) : Optional.empty();
        Element driver = child(e, "driver");
        return new Disk(device, type, sourceName, orDefault(attr(child(e, "target"), "dev"), "?"), attr(driver, "type"),
                child(e, "readonly") != null, child(e, "shareable") != null, storage);
    }

    private static String networkDiskName(Element src) {
        if (src == null) {
            return null;
        }
        String name = attr(src, "name");
        if (name == null) {
            Element host = child(src, "host");
            name = host == null ? "" : orDefault(attr(host, "name"), orDefault(attr(host, "socket"), ""));
        }
        return orDefault(attr(src, "protocol"), "network") + ":" + name;
    }

    private static ResourceBinding nic(Element e) {
        String type = orDefault(attr(e, "type"), "");
        String mac = attr(child(e, "mac"), "address");
        String model = attr(child(e, "model"), "type");
        Element src = child(e, "source");
        return switch (type) {
            case "bridge" -> new Nic(Nic.Type.BRIDGE, type, attr(src, "bridge"), mac, model);
            case "network" -> new Nic(Nic.Type.NETWORK, type, attr(src, "network"), mac, model);
            case "direct" -> new Nic(Nic.Type.DIRECT, type, attr(src, "dev"), mac, model);
            case "hostdev" -> new HostDevice("interface", "hostdev " + pciOrUsb(src) + macSuffix(mac));
            case "vdpa" -> new HostDevice("interface", "vdpa " + attr(src, "dev") + macSuffix(mac));
            default -> new Nic(Nic.Type.OTHER, type, null, mac, model);
        };
    }

    private static String macSuffix(String mac) {
        return mac == null ? "" : " (mac " + mac + ")";
    }

    private static String pciOrUsb(Element src) {
        Element address = child(src, "address");
        if (address != null && "usb".equals(attr(address, "type"))) {
            return "usb bus " + attr(address, "bus") + " device " + attr(address, "device");
        }
        return "pci " + pciAddress(address);
    }

    private static void chardev(Element e, String name, int index, List<Found> found) {
        Element target = child(e, "target");
        String device;
        if ("channel".equals(name)) {
            String targetName = attr(target, "name");
            device = targetName != null ? "channel " + targetName : "channel" + index;
        } else {
            String port = attr(target, "port");
            device = name + (port != null ? port : String.valueOf(index));
        }
        String type = orDefault(attr(e, "type"), "pty");
        Element src = child(e, "source");
        String path = Set.of("file", "unix", "dev", "pipe").contains(type) ? attr(src, "path") : null;
        found.add(new Found(new SerialOrConsole(device, type, path, attr(src, "append")), e));
        Element log = child(e, "log");
        if (log != null && attr(log, "file") != null) {
            found.add(new Found(new ChardevLog(device, attr(log, "file"), attr(log, "append")), log));
        }
    }

    private static Graphics graphics(Element e) {
        String type = orDefault(attr(e, "type"), "?");
        Element listen = child(e, "listen");
        if (listen != null) {
            String listenType = orDefault(attr(listen, "type"), "address");
            String value = switch (listenType) {
                case "address" -> orDefault(attr(listen, "address"), attr(e, "listen"));
                case "network" -> attr(listen, "network");
                case "socket" -> attr(listen, "socket");
                default -> null;
            };
            return new Graphics(type, listenType, value);
        }
        String address = attr(e, "listen");
        return new Graphics(type, address == null ? null : "address", address);
    }

    private static String hostdev(Element e) {
        String mode = orDefault(attr(e, "mode"), "subsystem");
        String type = orDefault(attr(e, "type"), "?");
        Element src = child(e, "source");
        if ("capabilities".equals(mode)) {
            String what = src == null ? null : firstText(src, "block", "char", "interface");
            return type + " " + orDefault(what, "?");
        }
        return switch (type) {
            case "pci" -> "pci " + pciAddress(child(src, "address"));
            case "usb" -> {
                Element vendor = child(src, "vendor");
                Element product = child(src, "product");
                if (vendor != null && product != null) {
                    yield "usb " + hex4(attr(vendor, "id")) + ":" + hex4(attr(product, "id"));
                }
                Element address = child(src, "address");
                yield "usb bus " + attr(address, "bus") + " device " + attr(address, "device");
            }
            case "scsi" -> {
                Element adapter = child(src, "adapter");
                Element address = child(src, "address");
                if (adapter != null && address != null) {
                    yield "scsi " + attr(adapter, "name") + ":" + attr(address, "bus") + ":" + attr(address, "target")
                            + ":" + attr(address, "unit");
                }
                yield "scsi " + orDefault(attr(src, "protocol"), "") + " " + orDefault(attr(src, "name"), "?");
            }
            case "scsi_host" -> "scsi_host " + orDefault(attr(src, "protocol"), "") + " " + orDefault(attr(src, "wwpn"), "?");
            case "mdev" -> "mdev " + orDefault(attr(child(src, "address"), "uuid"), "?");
            default -> type;
        };
    }

    private static Optional<ResourceBinding> filesystem(Element e) {
        String type = orDefault(attr(e, "type"), "mount");
        if ("ram".equals(type)) {
            return Optional.empty();
        }
        Element src = child(e, "source");
        String path = null;
        for (String a : List.of("dir", "file", "dev", "socket", "name")) {
            if (path == null) {
                path = attr(src, a);
            }
        }
        String driver = orDefault(attr(child(e, "driver"), "type"), "9p");
        String tag = attr(child(e, "target"), "dir");
        return Optional.of(new HostDevice("filesystem", orDefault(path, "?") + " (" + driver
                + (tag == null ? "" : ", tag '" + tag + "'") + ")"));
    }

    private static Optional<ResourceBinding> smartcard(Element e) {
        String mode = orDefault(attr(e, "mode"), "?");
        // mode='passthrough' relays to a character device (spicevmc, tcp), which is not host hardware.
        return "host".equals(mode) || "host-certificates".equals(mode)
                ? Optional.of(new HostDevice("smartcard", "reader (mode " + mode + ")")) : Optional.empty();
    }

    private static Optional<ResourceBinding> tpm(Element e) {
        Element backend = child(e, "backend");
        if (backend == null || !"passthrough".equals(attr(backend, "type"))) {
            return Optional.empty();
        }
        return Optional.of(new HostDevice("tpm", "passthrough " + orDefault(attr(child(backend, "device"), "path"), "/dev/tpm0")));
    }

    private static Optional<ResourceBinding> input(Element e) {
        String type = attr(e, "type");
        if (!"passthrough".equals(type) && !"evdev".equals(type)) {
            return Optional.empty();
        }
        Element src = child(e, "source");
        return Optional.of(new HostDevice("input", type + " " + orDefault(attr(src, "evdev"), orDefault(attr(src, "dev"), "?"))));
    }

    private static Optional<String> storageId(SourceHost source, String path) {
        return HostPaths.place(source.sharedStorage(), path).map(p -> p.storage().storageId());
    }

    static String pciAddress(Element address) {
        if (address == null) {
            return "?";
        }
        try {
            return String.format(Locale.ROOT, "%04x:%02x:%02x.%x", hex(attr(address, "domain"), 0), hex(attr(address, "bus"), -1),
                    hex(attr(address, "slot"), -1), hex(attr(address, "function"), 0));
        } catch (IllegalArgumentException e) {
            return attr(address, "domain") + ":" + attr(address, "bus") + ":" + attr(address, "slot") + "." + attr(address, "function");
        }
    }

    private static int hex(String value, int missing) {
        if (value == null) {
            if (missing < 0) {
                throw new IllegalArgumentException("missing");
            }
            return missing;
        }
        return value.startsWith("0x") || value.startsWith("0X") ? Integer.parseInt(value.substring(2), 16) : Integer.parseInt(value);
    }

    private static String hex4(String id) {
        if (id == null) {
            return "?";
        }
        try {
            return String.format(Locale.ROOT, "%04x", hex(id, 0));
        } catch (IllegalArgumentException e) {
            return id;
        }
    }

    private static String firstText(Element parent, String... names) {
        for (String name : names) {
            String t = text(child(parent, name));
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    private static String required(Element e, String attribute) {
        String value = attr(e, attribute);
        if (value == null) {
            throw new InvalidDomainXmlException("<" + e.getLocalName() + "> has no '" + attribute + "' attribute");
        }
        return value;
    }

    private static int number(Element e, String attribute) {
        String value = required(e, attribute).strip();
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException ex) {
            throw new InvalidDomainXmlException("<" + e.getLocalName() + " " + attribute + "='" + value + "'> is not a number");
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
