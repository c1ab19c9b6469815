package io.livemig.agent.core.rebind;

import java.util.Objects;
import java.util.Optional;

/**
 * Something in a domain XML that ties the VM to resources of the host it runs on. Values are
 * libvirt's own strings (attribute values as written), so that a rule shows what the XML says.
 */
public sealed interface ResourceBinding {

    /** How the binding is named in messages, e.g. "disk vda", "interface 52:54:00:4c:4d:64". */
    String subject();

    /**
     * An {@code <interface>} attached to a host network resource.
     *
     * @param type        what the planner does with it
     * @param libvirtType the {@code type} attribute (bridge, network, direct, user, ethernet, ...)
     * @param source      bridge, network or host interface name; null for other types
     * @param mac         guest MAC address (unchanged by migration)
     * @param model       NIC model, e.g. virtio (unchanged by migration); null when not given
     */
    record Nic(Type type, String libvirtType, String source, String mac, String model) implements ResourceBinding {

        /** The kinds of interface the planner rebinds; everything else is OTHER. */
        public enum Type { BRIDGE, NETWORK, DIRECT, OTHER }

        public Nic {
            Objects.requireNonNull(type, "type");
        }

        @Override
        public String subject() {
            return "interface " + (mac == null ? "(no mac)" : mac);
        }
    }

    /**
     * A {@code <disk>}.
     *
     * @param device          disk, cdrom, floppy or lun
     * @param type            file, block, dir, network, volume, nvme, ...
     * @param source          path for file/block/dir, "protocol:name" for network, "pool/volume"
     *                        for volume, PCI address for nvme; null for an empty drive
     * @param targetDev       guest device name, e.g. vda
     * @param format          the driver type (qcow2, raw); null when not given
     * @param readonly        has {@code <readonly/>}
     * @param shareable       has {@code <shareable/>}
     * @param sharedStorageId the source's shared storage holding the path; empty for a local path
     *                        and for sources that are not paths
     */
    record Disk(String device, String type, String source, String targetDev, String format, boolean readonly,
                boolean shareable, Optional<String> sharedStorageId) implements ResourceBinding {

        public Disk {
            Objects.requireNonNull(sharedStorageId, "sharedStorageId");
        }

        @Override
        public String subject() {
            return ("disk".equals(device) ? "disk" : device) + " " + targetDev;
        }
    }

    /**
     * A character device: {@code <serial>}, {@code <console>}, {@code <parallel>} or
     * {@code <channel>}.
     *
     * @param device e.g. serial0, console0, channel org.qemu.guest_agent.0
     * @param type   file, pty, unix, tcp, dev, pipe, ...
     * @param path   source path for file/unix/dev/pipe; null otherwise
     * @param append the source's append attribute (on/off), null when absent
     */
    record SerialOrConsole(String device, String type, String path, String append) implements ResourceBinding {
        @Override
        public String subject() {
            return device;
        }
    }

    /**
     * The {@code <log file=... append=...>} of a character device: a file libvirt (virtlogd) writes
     * the device's output to.
     */
    record ChardevLog(String device, String path, String append) implements ResourceBinding {
        @Override
        public String subject() {
            return device + " log";
        }
    }

    /**
     * A {@code <graphics>} device.
     *
     * @param type       vnc, spice, rdp, ...
     * @param listenType address, network, socket, none; null when it names no listen at all
     * @param listen     address, network name or socket path; null when none is given
     */
    record Graphics(String type, String listenType, String listen) implements ResourceBinding {
        @Override
        public String subject() {
            return "graphics " + type;
        }
    }

    /** A file read from the host when QEMU starts: {@code <os>}'s kernel, initrd, dtb, loader or nvram. */
    record BootFile(String element, String path, Optional<String> sharedStorageId) implements ResourceBinding {

        public BootFile {
            Objects.requireNonNull(sharedStorageId, "sharedStorageId");
        }

        @Override
        public String subject() {
            return "os " + element;
        }
    }

    /** A pinning of some of the VM's threads to host CPUs, in libvirt's cpuset syntax. */
    sealed interface HostCpuPin extends ResourceBinding {
        String cpuset();
    }

    /** {@code <cputune><vcpupin vcpu= cpuset=>}. */
    record VcpuPin(int vcpu, String cpuset) implements HostCpuPin {
        @Override
        public String subject() {
            return "vcpupin " + vcpu;
        }
    }

    /** {@code <cputune><emulatorpin cpuset=>}. */
    record EmulatorPin(String cpuset) implements HostCpuPin {
        @Override
        public String subject() {
            return "emulatorpin";
        }
    }

    /** {@code <cputune><iothreadpin iothread= cpuset=>}. */
    record IothreadPin(int iothread, String cpuset) implements HostCpuPin {
        @Override
        public String subject() {
            return "iothreadpin " + iothread;
        }
    }

    /** {@code <vcpu cpuset=>}: the default host CPUs of vCPUs without their own vcpupin. */
    record VcpuDefaultPin(String cpuset) implements HostCpuPin {
        @Override
        public String subject() {
            return "vcpu cpuset";
        }
    }

    /**
     * Something passed through from the host that cannot follow the VM: {@code <hostdev>},
     * {@code <interface type='hostdev'|'vdpa'>}, a {@code <filesystem>} sharing a host directory,
     * a host {@code <smartcard>}, a passthrough {@code <tpm>}, an evdev/passthrough {@code <input>}.
     *
     * @param kind        the element, e.g. hostdev, interface, filesystem
     * @param description e.g. "device pci 0000:03:00.0"
     */
    record HostDevice(String kind, String description) implements ResourceBinding {
        @Override
        public String subject() {
            return kind + " " + description;
        }
    }
}
