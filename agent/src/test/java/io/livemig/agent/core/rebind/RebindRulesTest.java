package io.livemig.agent.core.rebind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table per rule: a domain with the binding under test, the rule the planner makes for it and,
 * when the plan is feasible, exactly what changes in the destination XML.
 */
class RebindRulesTest {

    static final SourceHost SOURCE = new SourceHost("lab-a",
            new SharedStorage("lab", "/mnt/lab-a-shared"),
            new SharedStorage("nfs2", "/srv/nfs2"));

    static TargetHost.Builder targetBuilder() {
        return TargetHost.builder("lab-b")
                .bridges("br0", "br-lab")
                .mapBridge("br-a", "br-lab")
                .mapBridge("br-old", "br-gone")
                .networks("default", "tenant-b")
                .mapNetwork("tenant-a", "tenant-b")
                .directDevices("ens3", "ens4")
                .mapDirectDevice("eth1", "ens3")
                .sharedStorage("lab", "/mnt/lab-b-shared")
                .sharedPools("ceph-pool")
                .logDirectory("/var/log/livemig")
                .graphicsListenAddress("10.213.77.12")
                .usableCpus("0-3");
    }

    static final TargetHost TARGET = targetBuilder().build();
    static final TargetHost COPYING = targetBuilder().copyLocalDisks(true).build();
    /** Mounts the shared storage at the same path as the source. */
    static final TargetHost SAME_MOUNT = TargetHost.builder("lab-b").sharedStorage("lab", "/mnt/lab-a-shared")
            .usableCpus("0-3").build();

    static final String UUID = "140b1a29-fa55-40a5-9580-c743a9a0422a";

    /** A libvirt-style domain around the given top-level elements (cputune, os) and devices. */
    static String domain(String top, String devices) {
        return """
                <domain type='kvm'>
                  <name>vm1</name>
                  <uuid>%s</uuid>
                  <memory unit='KiB'>262144</memory>
                  <currentMemory unit='KiB'>262144</currentMemory>
                  %s
                  <devices>
                    <emulator>/usr/bin/qemu-system-x86_64</emulator>
                    %s
                  </devices>
                </domain>
                """.formatted(UUID, top.contains("<vcpu") ? top : "<vcpu placement='static'>4</vcpu>\n"
                + (top.contains("<os>") ? top : top + "<os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>"), devices);
    }

    /** One row: the planner's rule for {@code subject} in a domain, and the XML changes it causes. */
    record Row(String name, String top, String devices, TargetHost target, String subject, RebindAction action, String to,
               String reasonPart, List<String> changes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Row row(String name, String devices, String subject, RebindAction action, String to, String reasonPart,
                   String... changes) {
        return new Row(name, "", devices, TARGET, subject, action, to, reasonPart, List.of(changes));
    }

    static Row row(String name, String devices, TargetHost target, String subject, RebindAction action, String to,
                   String reasonPart, String... changes) {
        return new Row(name, "", devices, target, subject, action, to, reasonPart, List.of(changes));
    }

    static Row topRow(String name, String top, String subject, RebindAction action, String to, String reasonPart,
                      String... changes) {
        return new Row(name, top, "", TARGET, subject, action, to, reasonPart, List.of(changes));
    }

    private static void check(Row row) {
        String xml = domain(row.top(), row.devices());
        RebindPlan plan = new RebindPlanner().plan(xml, SOURCE, row.target());
        List<BindingRule> matching = plan.rules().stream().filter(r -> r.binding().subject().equals(row.subject())).toList();
        assertEquals(1, matching.size(), () -> "one rule for " + row.subject() + " in\n" + plan.describe());
        BindingRule rule = matching.get(0);
        assertEquals(row.action(), rule.action(), rule::describe);
        assertEquals(row.to(), rule.to(), rule::describe);
        assertTrue(rule.reason().contains(row.reasonPart()), () -> "reason of " + rule.describe());
        assertFalse(rule.reason().contains("\n"));
        if (row.action() == RebindAction.REFUSE) {
            assertFalse(plan.feasible());
            assertTrue(plan.destinationXml().isEmpty());
            assertTrue(plan.refusals().contains(rule.reason()));
        } else {
            assertTrue(plan.feasible(), plan::describe);
            String destination = plan.destinationXml().orElseThrow();
            assertEquals(row.changes(), XmlDiff.diff(xml, destination), "changes of " + row.name());
            assertEquals(destination, plan.persistentXml().orElseThrow());
        }
    }

    // ---------------------------------------------------------------- interfaces

    static String nic(String type, String source) {
        return "<interface type='" + type + "'>\n  <mac address='52:54:00:4c:4d:64'/>\n  " + source
                + "\n  <model type='virtio'/>\n  <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>\n</interface>";
    }

    static final String NIC = "interface 52:54:00:4c:4d:64";
    static final String IF0 = "/domain/devices/interface/source";

    static Stream<Row> interfaces() {
        return Stream.of(
                row("bridge of the same name on the target", nic("bridge", "<source bridge='br0'/>"), NIC,
                        RebindAction.KEEP, "br0", "lab-b has a bridge named 'br0'"),
                row("bridge renamed by the mapping", nic("bridge", "<source bridge='br-a'/>"), NIC,
                        RebindAction.MAP, "br-lab", "bridge mapping of lab-b", IF0 + "@bridge: br-a -> br-lab"),
                row("bridge unknown to the target", nic("bridge", "<source bridge='br9'/>"), NIC,
                        RebindAction.REFUSE, null, "target lab-b has no bridge 'br9' and no mapping for it"),
                row("bridge mapped to a bridge the target lacks", nic("bridge", "<source bridge='br-old'/>"), NIC,
                        RebindAction.REFUSE, null, "sends bridge 'br-old' to 'br-gone', which does not exist on lab-b"),
                row("bridge with an openvswitch virtualport", nic("bridge",
                        "<source bridge='br-a'/>\n<virtualport type='openvswitch'><parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport>"),
                        NIC, RebindAction.MAP, "br-lab", "bridge mapping", IF0 + "@bridge: br-a -> br-lab"),
                row("network of the same name on the target", nic("network", "<source network='default'/>"), NIC,
                        RebindAction.KEEP, "default", "lab-b has a network named 'default'"),
                row("network renamed by the mapping, portgroup kept", nic("network", "<source network='tenant-a' portgroup='web'/>"), NIC,
                        RebindAction.MAP, "tenant-b", "network mapping of lab-b", IF0 + "@network: tenant-a -> tenant-b"),
                row("network unknown to the target", nic("network", "<source network='isolated'/>"), NIC,
                        RebindAction.REFUSE, null, "target lab-b has no network 'isolated' and no mapping for it"),
                row("macvtap with a mapping", nic("direct", "<source dev='eth1' mode='bridge'/>"), NIC,
                        RebindAction.MAP, "ens3", "host interface mapping of lab-b", IF0 + "@dev: eth1 -> ens3"),
                row("macvtap on an interface of the same name but no mapping", nic("direct", "<source dev='ens4' mode='vepa'/>"), NIC,
                        RebindAction.REFUSE, null, "target lab-b has no mapping for host interface 'ens4' (macvtap)"),
                row("user networking is not bound to the host", nic("user", ""), NIC,
                        RebindAction.KEEP, "user", "interface type 'user' names no host bridge"),
                row("SR-IOV VF as interface type hostdev",
                        "<interface type='hostdev' managed='yes'>\n  <mac address='52:54:00:9a:00:01'/>\n  <source>\n"
                                + "    <address type='pci' domain='0x0000' bus='0x3b' slot='0x02' function='0x1'/>\n  </source>\n</interface>",
                        "interface hostdev pci 0000:3b:02.1 (mac 52:54:00:9a:00:01)", RebindAction.REFUSE, null,
                        "VM uses host network device hostdev pci 0000:3b:02.1 (mac 52:54:00:9a:00:01); live migration of passthrough devices is not supported"),
                row("vDPA interface", "<interface type='vdpa'>\n  <mac address='52:54:00:9a:00:02'/>\n  <source dev='/dev/vhost-vdpa-0'/>\n</interface>",
                        "interface vdpa /dev/vhost-vdpa-0 (mac 52:54:00:9a:00:02)", RebindAction.REFUSE, null, "passthrough"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("interfaces")
    void interfaceRule(Row row) {
        check(row);
    }

    // ---------------------------------------------------------------- disks

    static String disk(String type, String device, String source, String dev, String extra) {
        return "<disk type='" + type + "' device='" + device + "'>\n  <driver name='qemu' type='"
                + ("cdrom".equals(device) ? "raw" : "qcow2") + "'/>\n  " + source + "\n  <target dev='" + dev
                + "' bus='virtio'/>\n  " + extra + "\n</disk>";
    }

    static String fileDisk(String path) {
        return disk("file", "disk", "<source file='" + path + "'/>", "vda", "");
    }

    static final String D0 = "/domain/devices/disk/source";

    static Stream<Row> disks() {
        return Stream.of(
                row("file on shared storage, mounted elsewhere on the target", fileDisk("/mnt/lab-a-shared/images/x.qcow2"), "disk vda",
                        RebindAction.MAP, "/mnt/lab-b-shared/images/x.qcow2",
                        "on shared storage 'lab' (lab-a: /mnt/lab-a-shared, lab-b: /mnt/lab-b-shared)",
                        D0 + "@file: /mnt/lab-a-shared/images/x.qcow2 -> /mnt/lab-b-shared/images/x.qcow2"),
                row("file on shared storage mounted at the same path", fileDisk("/mnt/lab-a-shared/images/x.qcow2"), SAME_MOUNT,
                        "disk vda", RebindAction.KEEP, "/mnt/lab-a-shared/images/x.qcow2", "on shared storage 'lab'"),
                row("un-normalised path on shared storage", fileDisk("/mnt/lab-a-shared/iso/../images//x.qcow2"), "disk vda",
                        RebindAction.MAP, "/mnt/lab-b-shared/images/x.qcow2", "shared storage 'lab'",
                        D0 + "@file: /mnt/lab-a-shared/iso/../images//x.qcow2 -> /mnt/lab-b-shared/images/x.qcow2"),
                row("prefix matches whole path components only", fileDisk("/mnt/lab-a-shared2/x.qcow2"), "disk vda",
                        RebindAction.REFUSE, null, "is on local storage of lab-a"),
                row("shared storage the target does not mount", fileDisk("/srv/nfs2/vm1.qcow2"), "disk vda",
                        RebindAction.REFUSE, null, "disk vda at /srv/nfs2/vm1.qcow2 is on shared storage 'nfs2' of lab-a, which lab-b does not mount"),
                row("local file, copying not allowed", fileDisk("/var/lib/libvirt/images/x.qcow2"), "disk vda", RebindAction.REFUSE, null,
                        "disk vda at /var/lib/libvirt/images/x.qcow2 is on local storage of lab-a; enable disk copy or move it to shared storage"),
                row("local file, copying allowed", fileDisk("/var/lib/libvirt/images/x.qcow2"), COPYING, "disk vda",
                        RebindAction.COPY, "/var/lib/libvirt/images/x.qcow2",
                        "pre-create /var/lib/libvirt/images/x.qcow2 on lab-b (format qcow2"),
                row("local block device, copying allowed", disk("block", "disk", "<source dev='/dev/vg0/vm1-data'/>", "vdb", ""),
                        COPYING, "disk vdb", RebindAction.COPY, "/dev/vg0/vm1-data", "VIR_MIGRATE_NON_SHARED_DISK, migrate_disks vdb"),
                row("block device on a SAN declared as shared", disk("block", "disk", "<source dev='/mnt/lab-a-shared/lun3'/>", "vdb", ""),
                        "disk vdb", RebindAction.MAP, "/mnt/lab-b-shared/lun3", "shared storage 'lab'",
                        D0 + "@dev: /mnt/lab-a-shared/lun3 -> /mnt/lab-b-shared/lun3"),
                row("local ISO in a cdrom is refused even when copying", disk("file", "cdrom",
                        "<source file='/var/lib/libvirt/images/debian.iso'/>", "hdc", "<readonly/>"), COPYING, "cdrom hdc",
                        RebindAction.REFUSE, null, "cdrom hdc at /var/lib/libvirt/images/debian.iso is on local storage of lab-a; a read-only medium is not copied"),
                row("ISO on shared storage", disk("file", "cdrom", "<source file='/mnt/lab-a-shared/iso/debian.iso'/>", "hdc", "<readonly/>"),
                        "cdrom hdc", RebindAction.MAP, "/mnt/lab-b-shared/iso/debian.iso", "shared storage",
                        D0 + "@file: /mnt/lab-a-shared/iso/debian.iso -> /mnt/lab-b-shared/iso/debian.iso"),
                row("empty cdrom", disk("file", "cdrom", "", "hdc", "<readonly/>"), "cdrom hdc", RebindAction.KEEP, "", "no medium"),
                row("read-only local data disk", disk("file", "disk", "<source file='/data/ref.qcow2'/>", "vdc", "<readonly/>"), COPYING,
                        "disk vdc", RebindAction.REFUSE, null, "a read-only medium is not copied"),
                row("shareable local disk", disk("file", "disk", "<source file='/data/quorum.raw'/>", "vdc", "<shareable/>"), COPYING,
                        "disk vdc", RebindAction.REFUSE, null, "a shareable disk is not copied"),
                row("rbd disk", disk("network", "disk", "<source protocol='rbd' name='vms/vm1'><host name='10.0.0.11' port='6789'/></source>",
                        "vda", ""), "disk vda", RebindAction.KEEP, "rbd:vms/vm1", "network disk"),
                row("nbd disk without a name", disk("network", "disk", "<source protocol='nbd'><host name='10.0.0.30' port='10809'/></source>",
                        "vda", ""), "disk vda", RebindAction.KEEP, "nbd:10.0.0.30", "network disk"),
                row("volume of a shared pool", disk("volume", "disk", "<source pool='ceph-pool' volume='vm1'/>", "vda", ""),
                        "disk vda", RebindAction.KEEP, "ceph-pool/vm1", "storage pool 'ceph-pool' is shared storage on lab-b"),
                row("volume of a pool the target does not share", disk("volume", "disk", "<source pool='default' volume='vm1.qcow2'/>", "vda", ""),
                        COPYING, "disk vda", RebindAction.REFUSE, null, "storage pool 'default', which lab-b does not list as a shared pool"),
                row("NVMe controller passed through", disk("nvme", "disk", "<source type='pci' managed='yes' namespace='1'>"
                        + "<address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>", "vde", ""),
                        "disk vde", RebindAction.REFUSE, null, "VM uses host device nvme 0000:01:00.0 as disk vde"),
                row("backing chain on shared storage is mapped too", disk("file", "disk",
                        "<source file='/mnt/lab-a-shared/images/vm1.qcow2'/>\n  <backingStore type='file'>\n    <format type='qcow2'/>\n"
                                + "    <source file='/mnt/lab-a-shared/images/base.qcow2'/>\n    <backingStore/>\n  </backingStore>", "vda", ""),
                        "disk vda", RebindAction.MAP, "/mnt/lab-b-shared/images/vm1.qcow2",
                        "backing file /mnt/lab-a-shared/images/base.qcow2 -> /mnt/lab-b-shared/images/base.qcow2",
                        D0 + "@file: /mnt/lab-a-shared/images/vm1.qcow2 -> /mnt/lab-b-shared/images/vm1.qcow2",
                        "/domain/devices/disk/backingStore/source@file: /mnt/lab-a-shared/images/base.qcow2 -> /mnt/lab-b-shared/images/base.qcow2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("disks")
    void diskRule(Row row) {
        check(row);
    }

    @Test
    void copiedDisksAreListedForTheAgentWithUnknownSize() {
        String xml = domain("", fileDisk("/var/lib/libvirt/images/vm1.qcow2") + "\n"
                + disk("block", "disk", "<source dev='/dev/vg0/vm1-data'/>", "vdb", "").replace("type='qcow2'", "type='raw'") + "\n"
                + disk("file", "disk", "<source file='/mnt/lab-a-shared/vm1-logs.qcow2'/>", "vdc", ""));
        RebindPlan plan = new RebindPlanner().plan(xml, SOURCE, COPYING);
        assertEquals(List.of(
                new DiskCopy("vda", "file", "/var/lib/libvirt/images/vm1.qcow2", "qcow2", OptionalLong.empty()),
                new DiskCopy("vdb", "block", "/dev/vg0/vm1-data", "raw", OptionalLong.empty())), plan.disksToCopy());
        assertEquals(List.of("vda", "vdb"), plan.migrateDisks());
        assertEquals(OptionalLong.of(10L << 30), plan.disksToCopy().get(0).withCapacityBytes(10L << 30).capacityBytes());
        // Copying does not change the XML: the image is pre-created at the same path.
        assertEquals(List.of("/domain/devices/disk[2]/source@file: /mnt/lab-a-shared/vm1-logs.qcow2 -> /mnt/lab-b-shared/vm1-logs.qcow2"),
                XmlDiff.diff(xml, plan.destinationXml().orElseThrow()));
    }

    // ---------------------------------------------------------------- serial / console

    static String serial(String type, String source, String port) {
        return "<serial type='" + type + "'>\n  " + source + "\n  <target type='isa-serial' port='" + port
                + "'>\n    <model name='isa-serial'/>\n  </target>\n</serial>";
    }

    static final String S0 = "/domain/devices/serial/source";

    static Stream<Row> chardevs() {
        return Stream.of(
                row("local file without append: log directory, named after the domain, append added",
                        serial("file", "<source path='/var/lib/livemig-lab/vms/vm1/serial.log'/>", "0"), "serial0", RebindAction.MAP,
                        "/var/log/livemig/vm1-serial.log", "append='on' added: libvirt truncates the file",
                        S0 + "@append: null -> on", S0 + "@path: /var/lib/livemig-lab/vms/vm1/serial.log -> /var/log/livemig/vm1-serial.log"),
                row("file already named after the domain keeps its name", serial("file",
                        "<source path='/var/log/libvirt/qemu/vm1-serial0.log' append='on'/>", "0"), "serial0", RebindAction.MAP,
                        "/var/log/livemig/vm1-serial0.log", "into the log directory of lab-b",
                        S0 + "@path: /var/log/libvirt/qemu/vm1-serial0.log -> /var/log/livemig/vm1-serial0.log"),
                row("a name that merely starts like the domain's is prefixed", serial("file",
                        "<source path='/var/log/vm10.log' append='on'/>", "0"), "serial0", RebindAction.MAP,
                        "/var/log/livemig/vm1-vm10.log", "named after the domain", S0 + "@path: /var/log/vm10.log -> /var/log/livemig/vm1-vm10.log"),
                row("explicit append='off' is left alone", serial("file", "<source path='/var/log/vm1.log' append='off'/>", "0"),
                        "serial0", RebindAction.MAP, "/var/log/livemig/vm1.log", "append='off' left as configured",
                        S0 + "@path: /var/log/vm1.log -> /var/log/livemig/vm1.log"),
                row("file on shared storage stays the same file", serial("file",
                        "<source path='/mnt/lab-a-shared/logs/vm1.log' append='on'/>", "0"), "serial0", RebindAction.MAP,
                        "/mnt/lab-b-shared/logs/vm1.log", "lab-b goes on writing the same file",
                        S0 + "@path: /mnt/lab-a-shared/logs/vm1.log -> /mnt/lab-b-shared/logs/vm1.log"),
                row("file on shared storage mounted at the same path, append on", serial("file",
                        "<source path='/mnt/lab-a-shared/logs/vm1.log' append='on'/>", "0"), SAME_MOUNT, "serial0", RebindAction.KEEP,
                        "/mnt/lab-a-shared/logs/vm1.log", "goes on writing the same file"),
                row("file on shared storage mounted at the same path, append missing", serial("file",
                        "<source path='/mnt/lab-a-shared/logs/vm1.log'/>", "0"), SAME_MOUNT, "serial0", RebindAction.MAP,
                        "/mnt/lab-a-shared/logs/vm1.log", "append='on' added", S0 + "@append: null -> on"),
                row("console file", "<console type='file'>\n  <source path='/var/log/vm1.log'/>\n  <target type='serial' port='0'/>\n</console>",
                        "console0", RebindAction.MAP, "/var/log/livemig/vm1.log", "append='on' added",
                        "/domain/devices/console/source@append: null -> on",
                        "/domain/devices/console/source@path: /var/log/vm1.log -> /var/log/livemig/vm1.log"),
                row("pty", serial("pty", "", "0"), "serial0", RebindAction.KEEP, "pty", "not a host file"),
                row("log file of a pty serial", serial("pty", "<log file='/var/log/libvirt/qemu/vm1-serial0.log'/>", "0"), "serial0 log",
                        RebindAction.MAP, "/var/log/livemig/vm1-serial0.log", "append='on' added",
                        "/domain/devices/serial/log@append: null -> on",
                        "/domain/devices/serial/log@file: /var/log/libvirt/qemu/vm1-serial0.log -> /var/log/livemig/vm1-serial0.log"),
                row("guest agent channel with a libvirt-chosen socket", "<channel type='unix'>\n  <target type='virtio' name='org.qemu.guest_agent.0'/>\n</channel>",
                        "channel org.qemu.guest_agent.0", RebindAction.KEEP, "", "libvirt picks the socket path on lab-b"),
                row("unix socket with a path", serial("unix", "<source mode='bind' path='/run/vm1/console.sock'/>", "0"), "serial0",
                        RebindAction.KEEP, "/run/vm1/console.sock", "same path on lab-b"),
                row("tcp serial", serial("tcp", "<source mode='bind' host='127.0.0.1' service='4555'/>\n  <protocol type='telnet'/>", "0"),
                        "serial0", RebindAction.KEEP, "tcp", "not a host file"),
                row("host serial port", serial("dev", "<source path='/dev/ttyS0'/>", "0"), "serial0", RebindAction.REFUSE, null,
                        "VM uses host serial device /dev/ttyS0 as serial0"),
                row("named pipe", serial("pipe", "<source path='/run/vm1/pipe'/>", "0"), "serial0", RebindAction.PREPARE, "/run/vm1/pipe",
                        "must exist on lab-b"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chardevs")
    void serialOrConsoleRule(Row row) {
        check(row);
    }

    @Test
    void twoFilesThatWouldBecomeOneAreRefused() {
        String xml = domain("", serial("file", "<source path='/var/log/a/console.log' append='on'/>", "0") + "\n"
                + serial("file", "<source path='/var/log/b/console.log' append='on'/>", "1"));
        RebindPlan plan = new RebindPlanner().plan(xml, SOURCE, TARGET);
        assertEquals(List.of(RebindAction.MAP, RebindAction.REFUSE), plan.rules().stream().map(BindingRule::action).toList());
        assertEquals(List.of("serial1 (/var/log/b/console.log) and /var/log/a/console.log would both write"
                + " /var/log/livemig/vm1-console.log on lab-b"), plan.refusals());
    }

    @Test
    void serialAndConsoleOnOneFileStayOnOneFile() {
        String xml = domain("", serial("file", "<source path='/var/log/vm1.log' append='on'/>", "0") + "\n"
                + "<console type='file'>\n  <source path='/var/log/vm1.log' append='on'/>\n  <target type='serial' port='0'/>\n</console>");
        RebindPlan plan = new RebindPlanner().plan(xml, SOURCE, TARGET);
        assertTrue(plan.feasible(), plan::describe);
        assertEquals(List.of("/var/log/livemig/vm1.log", "/var/log/livemig/vm1.log"), plan.rules().stream().map(BindingRule::to).toList());
    }

    // ---------------------------------------------------------------- graphics

    static final String G0 = "/domain/devices/graphics";

    static Stream<Row> graphics() {
        return Stream.of(
                row("vnc on loopback, attribute and listen element", "<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>\n"
                        + "  <listen type='address' address='127.0.0.1'/>\n</graphics>", "graphics vnc", RebindAction.MAP, "10.213.77.12",
                        "graphics listen address of lab-b", G0 + "@listen: 127.0.0.1 -> 10.213.77.12",
                        G0 + "/listen@address: 127.0.0.1 -> 10.213.77.12"),
                row("spice on all addresses", "<graphics type='spice' autoport='yes' listen='0.0.0.0'>\n  <listen type='address' address='0.0.0.0'/>\n"
                        + "  <image compression='off'/>\n</graphics>", "graphics spice", RebindAction.MAP, "10.213.77.12", "listen address",
                        G0 + "@listen: 0.0.0.0 -> 10.213.77.12", G0 + "/listen@address: 0.0.0.0 -> 10.213.77.12"),
                row("old style: listen attribute only", "<graphics type='vnc' port='5901' autoport='no' listen='192.168.1.10'/>", "graphics vnc",
                        RebindAction.MAP, "10.213.77.12", "listen address", G0 + "@listen: 192.168.1.10 -> 10.213.77.12"),
                row("already the target's address", "<graphics type='vnc' port='-1' autoport='yes' listen='10.213.77.12'>\n"
                        + "  <listen type='address' address='10.213.77.12'/>\n</graphics>", "graphics vnc", RebindAction.KEEP, "10.213.77.12",
                        "already the listen address of lab-b"),
                row("no listen address at all", "<graphics type='vnc' port='-1' autoport='yes'/>", "graphics vnc", RebindAction.KEEP, "",
                        "default of lab-b (qemu.conf) applies"),
                row("listen on a network the target has", "<graphics type='vnc' port='-1' autoport='yes'>\n  <listen type='network' network='default'/>\n</graphics>",
                        "graphics vnc", RebindAction.KEEP, "default", "network named 'default'"),
                row("listen on a mapped network", "<graphics type='vnc' port='-1' autoport='yes'>\n  <listen type='network' network='tenant-a'/>\n</graphics>",
                        "graphics vnc", RebindAction.MAP, "tenant-b", "network mapping", G0 + "/listen@network: tenant-a -> tenant-b"),
                row("listen on a network the target lacks", "<graphics type='vnc' port='-1' autoport='yes'>\n  <listen type='network' network='mgmt'/>\n</graphics>",
                        "graphics vnc", RebindAction.REFUSE, null, "no network 'mgmt'"),
                row("listen on a socket", "<graphics type='vnc'>\n  <listen type='socket'/>\n</graphics>", "graphics vnc", RebindAction.KEEP, "",
                        "UNIX socket"),
                row("listen none", "<graphics type='spice'>\n  <listen type='none'/>\n</graphics>", "graphics spice", RebindAction.KEEP, "",
                        "listen type 'none'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphics")
    void graphicsRule(Row row) {
        check(row);
    }

    // ---------------------------------------------------------------- host devices

    static Stream<Row> hostDevices() {
        String refuse = "; live migration of passthrough devices is not supported";
        return Stream.of(
                row("PCI device", "<hostdev mode='subsystem' type='pci' managed='yes'>\n  <source>\n"
                        + "    <address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>\n  </source>\n</hostdev>",
                        "hostdev pci 0000:03:00.0", RebindAction.REFUSE, null, "VM uses host device pci 0000:03:00.0" + refuse),
                row("USB device by vendor and product", "<hostdev mode='subsystem' type='usb' managed='yes'>\n  <source>\n"
                        + "    <vendor id='0x046d'/>\n    <product id='0xc52b'/>\n  </source>\n</hostdev>",
                        "hostdev usb 046d:c52b", RebindAction.REFUSE, null, "VM uses host device usb 046d:c52b" + refuse),
                row("USB device by address", "<hostdev mode='subsystem' type='usb'>\n  <source>\n    <address bus='1' device='3'/>\n  </source>\n</hostdev>",
                        "hostdev usb bus 1 device 3", RebindAction.REFUSE, null, "usb bus 1 device 3"),
                row("SCSI device", "<hostdev mode='subsystem' type='scsi'>\n  <source>\n    <adapter name='scsi_host0'/>\n"
                        + "    <address bus='0' target='0' unit='0'/>\n  </source>\n</hostdev>",
                        "hostdev scsi scsi_host0:0:0:0", RebindAction.REFUSE, null, "scsi scsi_host0:0:0:0"),
                row("mediated device (vGPU)", "<hostdev mode='subsystem' type='mdev' model='vfio-pci'>\n  <source>\n"
                        + "    <address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/>\n  </source>\n</hostdev>",
                        "hostdev mdev c2177883-f1bb-47f0-914d-32a22e3a8804", RebindAction.REFUSE, null, "mdev c2177883"),
                row("block device of the host (capabilities mode)", "<hostdev mode='capabilities' type='storage'>\n  <source>\n"
                        + "    <block>/dev/sdf1</block>\n  </source>\n</hostdev>", "hostdev storage /dev/sdf1", RebindAction.REFUSE, null, "/dev/sdf1"),
                row("virtiofs share of a host directory", "<filesystem type='mount' accessmode='passthrough'>\n  <driver type='virtiofs'/>\n"
                        + "  <source dir='/srv/datasets'/>\n  <target dir='datasets'/>\n</filesystem>",
                        "filesystem /srv/datasets (virtiofs, tag 'datasets')", RebindAction.REFUSE, null,
                        "VM uses host directory /srv/datasets (virtiofs, tag 'datasets')" + refuse),
                row("9p share", "<filesystem type='mount' accessmode='mapped'>\n  <source dir='/srv/share'/>\n  <target dir='share'/>\n</filesystem>",
                        "filesystem /srv/share (9p, tag 'share')", RebindAction.REFUSE, null, "host directory /srv/share"),
                row("host smartcard reader", "<smartcard mode='host'/>", "smartcard reader (mode host)", RebindAction.REFUSE, null, "smartcard"),
                row("TPM passthrough", "<tpm model='tpm-tis'>\n  <backend type='passthrough'>\n    <device path='/dev/tpm0'/>\n  </backend>\n</tpm>",
                        "tpm passthrough /dev/tpm0", RebindAction.REFUSE, null, "VM uses host TPM passthrough /dev/tpm0" + refuse),
                row("evdev input passthrough", "<input type='passthrough' bus='virtio'>\n  <source evdev='/dev/input/event3'/>\n</input>",
                        "input passthrough /dev/input/event3", RebindAction.REFUSE, null, "host input device"),
                row("evdev input (grab)", "<input type='evdev'>\n  <source dev='/dev/input/by-id/kbd-event-kbd' grab='all' repeat='on'/>\n</input>",
                        "input evdev /dev/input/by-id/kbd-event-kbd", RebindAction.REFUSE, null, "host input device"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostDevices")
    void hostDeviceRule(Row row) {
        check(row);
    }

    static Stream<Arguments> notHostBound() {
        return Stream.of(
                Arguments.of("emulated TPM (swtpm state migrates with the VM)", "<tpm model='tpm-crb'>\n  <backend type='emulator' version='2.0'/>\n</tpm>"),
                Arguments.of("smartcard relayed to SPICE", "<smartcard mode='passthrough' type='spicevmc'/>"),
                Arguments.of("tablet", "<input type='tablet' bus='usb'/>"),
                Arguments.of("RAM filesystem", "<filesystem type='ram' accessmode='passthrough'>\n  <source usage='1024' units='KiB'/>\n"
                        + "  <target dir='/mnt'/>\n</filesystem>"),
                Arguments.of("rng", "<rng model='virtio'>\n  <backend model='random'>/dev/urandom</backend>\n</rng>"),
                Arguments.of("video", "<video>\n  <model type='virtio' heads='1' primary='yes'/>\n</video>"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notHostBound")
    void devicesNotBoundToTheHostGetNoRuleAndStayAsTheyAre(String name, String device) {
        String xml = domain("", device);
        RebindPlan plan = new RebindPlanner().plan(xml, SOURCE, TARGET);
        assertEquals(List.of(), plan.rules());
        assertEquals(List.of(), XmlDiff.diff(xml, plan.destinationXml().orElseThrow()));
    }

    // ---------------------------------------------------------------- boot files

    static String os(String files) {
        return "<os>\n  <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n  " + files + "\n  <boot dev='hd'/>\n</os>";
    }

    static Stream<Row> bootFiles() {
        return Stream.of(
                topRow("kernel outside shared storage", os("<kernel>/var/lib/livemig-lab/guest/vmlinuz</kernel>"), "os kernel",
                        RebindAction.PREPARE, "/var/lib/livemig-lab/guest/vmlinuz", "it must exist there at the same path"),
                topRow("initrd on shared storage", os("<initrd>/mnt/lab-a-shared/guest/initrd.img</initrd>"), "os initrd",
                        RebindAction.MAP, "/mnt/lab-b-shared/guest/initrd.img", "shared storage 'lab'",
                        "/domain/os/initrd text: /mnt/lab-a-shared/guest/initrd.img -> /mnt/lab-b-shared/guest/initrd.img"),
                topRow("UEFI firmware from the distribution", os("<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"),
                        "os loader", RebindAction.PREPARE, "/usr/share/OVMF/OVMF_CODE_4M.fd", "must exist there"),
                topRow("local NVRAM store", os("<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>/var/lib/libvirt/qemu/nvram/vm1_VARS.fd</nvram>"),
                        "os nvram", RebindAction.PREPARE, "/var/lib/libvirt/qemu/nvram/vm1_VARS.fd", "UEFI variable store"),
                topRow("NVRAM store on shared storage (libvirt 8.5+ form)", os("<nvram type='file'>\n    <source file='/mnt/lab-a-shared/nvram/vm1_VARS.fd'/>\n  </nvram>"),
                        "os nvram", RebindAction.MAP, "/mnt/lab-b-shared/nvram/vm1_VARS.fd", "shared storage",
                        "/domain/os/nvram/source@file: /mnt/lab-a-shared/nvram/vm1_VARS.fd -> /mnt/lab-b-shared/nvram/vm1_VARS.fd"),
                topRow("kernel on storage the target does not mount", os("<kernel>/srv/nfs2/vmlinuz</kernel>"), "os kernel",
                        RebindAction.REFUSE, null, "os kernel at /srv/nfs2/vmlinuz is on shared storage 'nfs2' of lab-a, which lab-b does not mount"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bootFiles")
    void bootFileRule(Row row) {
        check(row);
    }

    // ---------------------------------------------------------------- CPU pinning

    /** A cputune table row: the pins, the target's usable CPUs, and the expected rule per pin (action:cpuset). */
    record PinRow(String name, String top, String usable, Map<String, String> expected, String reasonPart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static String cputune(String vcpu, String... pins) {
        return vcpu + "\n<cputune>\n  " + String.join("\n  ", pins) + "\n</cputune>";
    }

    static final String VCPU4 = "<vcpu placement='static'>4</vcpu>";

    static Stream<PinRow> pins() {
        return Stream.of(
                new PinRow("every pinned CPU exists on the target", cputune(VCPU4, "<vcpupin vcpu='0' cpuset='2'/>", "<vcpupin vcpu='1' cpuset='3'/>",
                        "<emulatorpin cpuset='0-1'/>"), "0-7",
                        Map.of("vcpupin 0", "KEEP 2", "vcpupin 1", "KEEP 3", "emulatorpin", "KEEP 0-1"), "are usable on lab-b"),
                new PinRow("missing CPUs: spread in order, dedicated vCPUs first", cputune(VCPU4, "<vcpupin vcpu='0' cpuset='4'/>",
                        "<vcpupin vcpu='1' cpuset='5'/>", "<emulatorpin cpuset='2-3'/>", "<iothreadpin iothread='1' cpuset='2-3'/>"), "0-3",
                        Map.of("vcpupin 0", "MAP 0", "vcpupin 1", "MAP 1", "emulatorpin", "KEEP 2-3", "iothreadpin 1", "KEEP 2-3"),
                        "pinned CPUs go onto the CPUs of lab-b in order (4->0, 5->1, 2->2, 3->3)"),
                new PinRow("onto a target whose CPUs are numbered elsewhere", cputune(VCPU4, "<vcpupin vcpu='0' cpuset='0'/>",
                        "<vcpupin vcpu='1' cpuset='1'/>", "<emulatorpin cpuset='2-3'/>"), "8-11",
                        Map.of("vcpupin 0", "MAP 8", "vcpupin 1", "MAP 9", "emulatorpin", "MAP 10-11"), "(0->8, 1->9, 2->10, 3->11)"),
                new PinRow("libvirt's exclusion syntax", cputune(VCPU4, "<vcpupin vcpu='0' cpuset='0-3,^2'/>"), "8-11",
                        Map.of("vcpupin 0", "MAP 8-10"), "lacks host CPU(s) 0-1,3"),
                new PinRow("fewer target CPUs than pinned ones: shared, and said so", cputune(VCPU4, "<vcpupin vcpu='0' cpuset='2'/>",
                        "<vcpupin vcpu='1' cpuset='3'/>", "<emulatorpin cpuset='0-1'/>"), "0-1",
                        Map.of("vcpupin 0", "MAP 0", "vcpupin 1", "MAP 1", "emulatorpin", "KEEP 0-1"),
                        "lab-b has fewer usable CPUs (2) than the 4 pinned ones, so some now share a CPU"),
                new PinRow("more dedicated vCPUs than target CPUs: refused", cputune(VCPU4, "<vcpupin vcpu='0' cpuset='4'/>",
                        "<vcpupin vcpu='1' cpuset='5'/>", "<vcpupin vcpu='2' cpuset='6'/>", "<vcpupin vcpu='3' cpuset='7'/>"), "0-1",
                        Map.of("vcpupin 0", "REFUSE", "vcpupin 1", "REFUSE", "vcpupin 2", "REFUSE", "vcpupin 3", "REFUSE"),
                        "for 4 dedicated vCPU pins"),
                new PinRow("two vCPUs sharing a CPU are not dedicated", cputune(VCPU4, "<vcpupin vcpu='0' cpuset='6'/>",
                        "<vcpupin vcpu='1' cpuset='6'/>", "<vcpupin vcpu='2' cpuset='7'/>", "<vcpupin vcpu='3' cpuset='5'/>"), "0",
                        Map.of("vcpupin 0", "MAP 0", "vcpupin 1", "MAP 0", "vcpupin 2", "REFUSE", "vcpupin 3", "REFUSE"),
                        "lab-b offers 1 usable CPU(s) (0) for 2 dedicated vCPU pins"),
                new PinRow("vcpu cpuset attribute", "<vcpu placement='static' cpuset='4-7'>4</vcpu>", "0-3",
                        Map.of("vcpu cpuset", "MAP 0-3"), "(4->0, 5->1, 6->2, 7->3)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pins")
    void cpuPinningRule(PinRow row) {
        String xml = domain(row.top(), "");
        TargetHost target = targetBuilder().usableCpus(row.usable()).build();
        RebindPlan plan = new RebindPlanner().plan(xml, SOURCE, target);
        Map<String, String> actual = new TreeMap<>();
        for (BindingRule rule : plan.rules()) {
            actual.put(rule.binding().subject(), rule.action() + (rule.to() == null ? "" : " " + rule.to()));
            assertTrue(rule.reason().contains(row.reasonPart()) || rule.action() == RebindAction.REFUSE
                    || row.expected().containsValue("REFUSE"), rule::describe);
        }
        assertEquals(new TreeMap<>(row.expected()), actual, plan::describe);
        assertTrue(plan.rules().stream().anyMatch(r -> r.reason().contains(row.reasonPart())), plan::describe);
        if (plan.feasible()) {
            // Only cpuset attributes change, each to its rule's value.
            for (String change : XmlDiff.diff(xml, plan.destinationXml().orElseThrow())) {
                assertTrue(change.matches("/domain/(cputune/\\w+(\\[\\d+])?|vcpu)@cpuset: .* -> .*"), change);
            }
        }
    }

    @Test
    void mappedPinsAreWrittenInCanonicalCpusetSyntax() {
        String xml = domain(cputune(VCPU4, "<vcpupin vcpu='0' cpuset='10'/>", "<emulatorpin cpuset='11-13,^12'/>"), "");
        TargetHost target = targetBuilder().usableCpus("0-1,4-5").build();
        RebindPlan plan = new RebindPlanner().plan(xml, SOURCE, target);
        assertEquals(List.of(
                "/domain/cputune/vcpupin@cpuset: 10 -> 0",
                "/domain/cputune/emulatorpin@cpuset: 11-13,^12 -> 1,4"), XmlDiff.diff(xml, plan.destinationXml().orElseThrow()));
    }
}
