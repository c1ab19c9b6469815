package io.livemig.agent.core.rebind;

import static io.livemig.agent.core.rebind.RebindAction.COPY;
import static io.livemig.agent.core.rebind.RebindAction.KEEP;
import static io.livemig.agent.core.rebind.RebindAction.MAP;
import static io.livemig.agent.core.rebind.RebindAction.PREPARE;
import static io.livemig.agent.core.rebind.RebindAction.REFUSE;
import static io.livemig.agent.core.rebind.XmlDiff.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;

/**
 * Plans on whole domain XMLs as libvirt writes them (see src/test/resources/domains/README.md):
 * the rules made, and every change in the destination XML, nothing else.
 */
class RebindSamplesTest {

    private final RebindPlanner planner = new RebindPlanner();

    private static List<String> actions(RebindPlan plan) {
        return plan.rules().stream().map(r -> r.action() + " " + r.binding().subject()).toList();
    }

    // ---- the lab

    /** The guest running on lab-b, dumped with virsh dumpxml --migratable (lab layout of 2026-11-24). */
    @Test
    void labGuestToAHostThatSeesTheLabDirectoryAtTheSamePath() {
        String xml = sample("lab-lm-migratable.xml");
        SourceHost source = new SourceHost("lab-b", new SharedStorage("lab", "/var/lib/livemig-lab"));
        TargetHost target = TargetHost.builder("lab-a").bridges("br0").sharedStorage("lab", "/var/lib/livemig-lab")
                .graphicsListenAddress("10.213.77.11").usableCpus("0-1").build();
        RebindPlan plan = planner.plan(xml, source, target);
        assertEquals(List.of("KEEP os kernel", "KEEP os initrd", "KEEP interface 52:54:00:4c:4d:64", "KEEP serial0", "KEEP console0"),
                actions(plan), plan::describe);
        assertEquals(List.of(), XmlDiff.diff(xml, plan.destinationXml().orElseThrow()));
        assertEquals("lm", plan.domainName());
        assertEquals("140b1a29-fa55-40a5-9580-c743a9a0422a", plan.uuid());
    }

    @Test
    void labGuestToAHostWhoseBridgeHasAnotherName() {
        String xml = sample("lab-lm-migratable.xml");
        SourceHost source = new SourceHost("lab-b", new SharedStorage("lab", "/var/lib/livemig-lab"));
        TargetHost target = TargetHost.builder("lab-a").bridges("lmbr-a").mapBridge("br0", "lmbr-a")
                .sharedStorage("lab", "/var/lib/livemig-lab").usableCpus("0-1").build();
        RebindPlan plan = planner.plan(xml, source, target);
        assertEquals(List.of("/domain/devices/interface/source@bridge: br0 -> lmbr-a"), XmlDiff.diff(xml, plan.destinationXml().orElseThrow()));
    }

    @Test
    void labGuestWithoutAMappingForItsBridgeIsRefused() {
        SourceHost source = new SourceHost("lab-b", new SharedStorage("lab", "/var/lib/livemig-lab"));
        TargetHost target = TargetHost.builder("lab-a").bridges("lmbr-a").sharedStorage("lab", "/var/lib/livemig-lab").usableCpus("0-1").build();
        RebindPlan plan = planner.plan(sample("lab-lm-migratable.xml"), source, target);
        assertFalse(plan.feasible());
        assertEquals(List.of("target lab-a has no bridge 'br0' and no mapping for it"), plan.refusals());
        assertTrue(plan.destinationXml().isEmpty());
        assertTrue(plan.persistentXml().isEmpty());
    }

    /** The layout scripts/lab.sh writes into cluster.yaml: storage, logs and bridge named per host. */
    @Test
    void labGuestWithASharedDiskInThePerHostLayout() {
        String xml = sample("lab-lm2-shared-disk.xml");
        String hosts = "/var/lib/livemig-lab/hosts/";
        SourceHost source = new SourceHost("lab-a", new SharedStorage("shared", hosts + "lab-a/mnt/shared"));
        TargetHost target = TargetHost.builder("lab-b").bridges("lmbr-b").mapBridge("lmbr-a", "lmbr-b")
                .sharedStorage("shared", hosts + "lab-b/mnt/shared").logDirectory(hosts + "lab-b/mnt/logs")
                .graphicsListenAddress("10.213.77.12").usableCpus("0-1").copyLocalDisks(true).build();
        RebindPlan plan = planner.plan(xml, source, target);
        assertEquals(List.of("PREPARE os kernel", "PREPARE os initrd", "MAP disk vda", "MAP interface 52:54:00:4c:4d:65",
                "MAP serial0", "MAP console0"), actions(plan), plan::describe);
        assertEquals(List.of(
                "/domain/devices/disk/source@file: " + hosts + "lab-a/mnt/shared/lm2.img -> " + hosts + "lab-b/mnt/shared/lm2.img",
                "/domain/devices/interface/source@bridge: lmbr-a -> lmbr-b",
                "/domain/devices/serial/source@path: " + hosts + "lab-a/mnt/logs/lm2.log -> " + hosts + "lab-b/mnt/logs/lm2.log",
                "/domain/devices/console/source@path: " + hosts + "lab-a/mnt/logs/lm2.log -> " + hosts + "lab-b/mnt/logs/lm2.log"),
                XmlDiff.diff(xml, plan.destinationXml().orElseThrow()));
        assertEquals(List.of(), plan.disksToCopy());
    }

    // ---- hand-written, formatted by libvirt

    static TargetHost.Builder labB() {
        return TargetHost.builder("lab-b").bridges("br0").networks("default", "tenant-b").mapNetwork("tenant-net", "tenant-b")
                .directDevices("ens3").mapDirectDevice("eth1", "ens3").sharedStorage("lab", "/mnt/lab-b-shared")
                .sharedPools("ceph-pool").logDirectory("/var/log/livemig").graphicsListenAddress("10.213.77.12").usableCpus("0-7");
    }

    static final SourceHost LAB_A = new SourceHost("lab-a", new SharedStorage("lab", "/var/lib/livemig-lab/shared"));

    @Test
    void workstationWithALocalDiskIsRefusedWithoutDiskCopy() {
        RebindPlan plan = planner.plan(sample("web1.xml"), LAB_A, labB().build());
        assertEquals(List.of("PREPARE os loader", "PREPARE os nvram", "REFUSE disk vda", "KEEP cdrom sda", "KEEP interface 52:54:00:6a:1b:2c",
                "KEEP serial0", "KEEP console0", "KEEP channel org.qemu.guest_agent.0", "MAP graphics vnc"), actions(plan), plan::describe);
        assertEquals(List.of("disk vda at /var/lib/libvirt/images/web1.qcow2 is on local storage of lab-a;"
                + " enable disk copy or move it to shared storage"), plan.refusals());
    }

    @Test
    void workstationWithALocalDiskIsCopiedWhenAllowed() {
        String xml = sample("web1.xml");
        RebindPlan plan = planner.plan(xml, LAB_A, labB().copyLocalDisks(true).build());
        assertTrue(plan.feasible(), plan::describe);
        assertEquals(List.of(COPY), plan.rules().stream().filter(r -> r.binding() instanceof ResourceBinding.Disk d && d.targetDev().equals("vda"))
                .map(BindingRule::action).toList());
        assertEquals(List.of("vda"), plan.migrateDisks());
        assertEquals("qcow2", plan.disksToCopy().get(0).format());
        assertEquals(List.of(
                "/domain/devices/graphics@listen: 127.0.0.1 -> 10.213.77.12",
                "/domain/devices/graphics/listen@address: 127.0.0.1 -> 10.213.77.12"), XmlDiff.diff(xml, plan.destinationXml().orElseThrow()));
    }

    @Test
    void databaseOnSharedStorageWithPinnedCpus() {
        String xml = sample("db1.xml");
        RebindPlan plan = planner.plan(xml, LAB_A, labB().copyLocalDisks(true).build());
        assertEquals(List.of("KEEP vcpu cpuset", "KEEP vcpupin 0", "KEEP vcpupin 1", "KEEP vcpupin 2", "KEEP vcpupin 3", "KEEP emulatorpin",
                "KEEP iothreadpin 1", "MAP disk vda", "COPY disk vdb", "MAP cdrom hdc", "KEEP interface 52:54:00:d6:01:0a",
                "MAP interface 52:54:00:d6:01:0b", "MAP serial0", "KEEP serial1", "MAP serial1 log", "MAP console0", "MAP graphics spice"),
                actions(plan), plan::describe);
        String images = "/var/lib/livemig-lab/shared/images/";
        assertEquals(List.of(
                "/domain/devices/disk[0]/source@file: " + images + "db1.qcow2 -> /mnt/lab-b-shared/images/db1.qcow2",
                "/domain/devices/disk[0]/backingStore/source@file: " + images + "base-debian12.qcow2 -> /mnt/lab-b-shared/images/base-debian12.qcow2",
                "/domain/devices/disk[2]/source@file: /var/lib/livemig-lab/shared/iso/debian-12.5.0-amd64-netinst.iso"
                        + " -> /mnt/lab-b-shared/iso/debian-12.5.0-amd64-netinst.iso",
                "/domain/devices/interface[1]/source@dev: eth1 -> ens3",
                "/domain/devices/serial[0]/source@append: null -> on",
                "/domain/devices/serial[0]/source@path: /var/log/libvirt/qemu/db1-serial0.log -> /var/log/livemig/db1-serial0.log",
                "/domain/devices/serial[1]/log@file: /var/log/libvirt/qemu/db1-serial1.log -> /var/log/livemig/db1-serial1.log",
                "/domain/devices/console/source@append: null -> on",
                "/domain/devices/console/source@path: /var/log/libvirt/qemu/db1-serial0.log -> /var/log/livemig/db1-serial0.log",
                "/domain/devices/graphics@listen: 0.0.0.0 -> 10.213.77.12",
                "/domain/devices/graphics/listen@address: 0.0.0.0 -> 10.213.77.12"), XmlDiff.diff(xml, plan.destinationXml().orElseThrow()));
        assertEquals(List.of("vdb"), plan.migrateDisks());
        assertEquals("block", plan.disksToCopy().get(0).sourceType());
    }

    @Test
    void databaseOntoASmallerHostHasItsPinsSpread() {
        String xml = sample("db1.xml");
        RebindPlan plan = planner.plan(xml, LAB_A, labB().usableCpus("0-3").copyLocalDisks(true).build());
        assertTrue(plan.feasible(), plan::describe);
        List<String> pinChanges = XmlDiff.diff(xml, plan.destinationXml().orElseThrow()).stream().filter(c -> c.contains("cpuset")).toList();
        // Pinned host CPUs 0-5 go onto 0-3 in order: 4->0, 5->1 (sharing with the emulator threads).
        assertEquals(List.of("/domain/vcpu@cpuset: 2-5 -> 0-3", "/domain/cputune/vcpupin[2]@cpuset: 4 -> 0",
                "/domain/cputune/vcpupin[3]@cpuset: 5 -> 1"), pinChanges);
        assertTrue(plan.rules(MAP).stream().anyMatch(r -> r.reason().contains("some now share a CPU")));
    }

    @Test
    void passthroughGuestIsRefusedWithEveryReason() {
        RebindPlan plan = planner.plan(sample("gpu1.xml"), LAB_A, labB().copyLocalDisks(true).build());
        String refuse = "; live migration of passthrough devices is not supported";
        assertEquals(List.of(
                "VM uses host directory /srv/datasets (virtiofs, tag 'datasets')" + refuse,
                "VM uses host network device hostdev pci 0000:3b:02.1 (mac 52:54:00:9a:00:01)" + refuse,
                "VM uses host smartcard reader (mode host)" + refuse,
                "VM uses host input device passthrough /dev/input/event3" + refuse,
                "VM uses host TPM passthrough /dev/tpm0" + refuse,
                "VM uses host device pci 0000:03:00.0" + refuse,
                "VM uses host device usb 046d:c52b" + refuse), plan.refusals());
        // The shared disk is still planned, so an operator sees everything at once.
        assertEquals(1, plan.rules(MAP).size());
    }

    @Test
    void cephGuestKeepsNetworkStorageAndKeepsForeignNamespaces() {
        String xml = sample("ceph1.xml");
        RebindPlan plan = planner.plan(xml, LAB_A, labB().build());
        assertEquals(List.of("KEEP disk vda", "KEEP disk vdb", "KEEP disk vdc", "KEEP disk vdd", "MAP interface 52:54:00:ce:01:01",
                "KEEP interface 52:54:00:ce:01:02", "KEEP serial0", "KEEP console0", "MAP graphics vnc"), actions(plan), plan::describe);
        String destination = plan.destinationXml().orElseThrow();
        assertEquals(List.of("/domain/devices/interface[0]/source@network: tenant-net -> tenant-b",
                "/domain/devices/graphics/listen@network: tenant-net -> tenant-b"), XmlDiff.diff(xml, destination));
        Element root = DomainXml.parse(destination).getDocumentElement();
        assertEquals("http://libvirt.org/schemas/domain/qemu/1.0",
                root.getElementsByTagNameNS("http://libvirt.org/schemas/domain/qemu/1.0", "commandline").item(0).getNamespaceURI());
        assertEquals(1, root.getElementsByTagNameNS("http://openstack.org/xmlns/libvirt/nova/1.1", "instance").getLength());
    }

    // ---- every sample

    static Stream<Arguments> samples() {
        return Stream.of("lab-lm-migratable.xml", "lab-lm2-shared-disk.xml", "web1.xml", "db1.xml", "ceph1.xml")
                .map(Arguments::of);
    }

    /** A target on which everything can go: output keeps name and UUID, and planning it again changes nothing more. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void destinationKeepsNameAndUuidAndIsStable(String name) {
        String xml = sample(name);
        TargetHost target = TargetHost.builder("lab-b").bridges("br0", "lmbr-a").networks("default", "tenant-net")
                .mapDirectDevice("eth1", "eth1").directDevices("eth1").sharedPools("ceph-pool").copyLocalDisks(true)
                .sharedStorage("lab", "/mnt/lab-b-shared")
                .logDirectory("/var/log/livemig").graphicsListenAddress("10.213.77.12").usableCpus("0-7").build();
        RebindPlan plan = planner.plan(xml, LAB_A, target);
        assertTrue(plan.feasible(), plan::describe);
        String destination = plan.destinationXml().orElseThrow();
        Element before = DomainXml.parse(xml).getDocumentElement();
        Element after = DomainXml.parse(destination).getDocumentElement();
        for (String element : List.of("name", "uuid")) {
            assertEquals(DomainXml.text(DomainXml.child(before, element)), DomainXml.text(DomainXml.child(after, element)));
        }
        assertTrue(XmlDiff.diff(xml, destination).stream().noneMatch(c -> c.startsWith("/domain/name") || c.startsWith("/domain/uuid")));
        // The destination, planned again onto the same target from a source that is that target, needs no change.
        SourceHost again = new SourceHost("lab-b", new SharedStorage("lab", "/mnt/lab-b-shared"));
        RebindPlan second = planner.plan(destination, again, target);
        assertTrue(second.rules().stream().noneMatch(r -> r.action() == MAP), second::describe);
        assertEquals(List.of(), XmlDiff.diff(destination, second.destinationXml().orElseThrow()));
        assertTrue(plan.rules().stream().noneMatch(r -> r.action() == REFUSE));
        assertTrue(plan.rules().stream().allMatch(r -> List.of(KEEP, MAP, PREPARE, COPY).contains(r.action())));
    }
}
