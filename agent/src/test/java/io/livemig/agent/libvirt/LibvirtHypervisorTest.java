package io.livemig.agent.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.HostFacts;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.agent.core.VmInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the adapter against libvirt's built-in test driver (test:///default: one running domain
 * named "test", no daemon needed). Skipped where libvirt's client library is not installed.
 */
class LibvirtHypervisorTest {

    private static final String TEST_URI = "test:///default";

    private final LibvirtHypervisor hypervisor = new LibvirtHypervisor();

    @BeforeAll
    static void needsLibvirt() {
        try {
            LibvirtRuntime.ensureStarted();
        } catch (HypervisorException e) {
            abort("libvirt client library not available: " + e.getMessage()); // skipped, with the reason
        }
    }

    @Test
    void readsHostFacts() throws Exception {
        HostFacts host = hypervisor.hostInfo(TEST_URI);
        assertEquals(TEST_URI, host.libvirtUri());
        assertEquals("TEST", host.hypervisorType());
        assertTrue(host.cpus() > 0, host.toString());
        assertTrue(host.memoryTotalBytes() > 0, host.toString());
        assertTrue(host.libvirtVersion().matches("\\d+\\.\\d+\\.\\d+"), host.libvirtVersion());
    }

    @Test
    void listsAndFindsDomains() throws Exception {
        List<VmInfo> vms = hypervisor.listVms(TEST_URI, true);
        assertEquals(1, vms.size(), vms.toString());
        VmInfo test = vms.get(0);
        assertEquals("test", test.name());
        assertEquals(DomainState.RUNNING, test.state());
        assertTrue(test.memoryBytes() > 0);
        assertTrue(test.vcpus() > 0);
        assertEquals(36, test.uuid().length());

        VmInfo found = hypervisor.findVm(TEST_URI, "test").orElseThrow();
        assertEquals(test.uuid(), found.uuid());
        // CPU time only grows (the test driver reports wall-clock time as CPU time)
        assertTrue(found.cpuTimeNs() >= test.cpuTimeNs() && test.cpuTimeNs() > 0, found + " after " + test);
        assertTrue(hypervisor.findVm(TEST_URI, "no-such-vm").isEmpty());
    }

    @Test
    void unreachableHostsAreReportedAsUnavailableWithoutStderrNoise() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        HypervisorException e;
        // libvirt writes to fd 2 directly, so this only proves Java-side silence; the error
        // callback is what keeps libvirt itself quiet (checked by the CLI tests' output).
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            e = assertThrows(HypervisorException.class,
                    () -> hypervisor.hostInfo("qemu+tcp://127.0.0.1:1/system"));
        } finally {
            System.setErr(originalErr);
        }
        assertEquals(Reason.HOST_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().startsWith("cannot connect to qemu+tcp://127.0.0.1:1/system: "), e.getMessage());
        assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void migratingAnUnknownVmFailsBeforeAnythingStarts() {
        HypervisorException e = assertThrows(HypervisorException.class, () -> hypervisor.migrate(
                MigrationRequest.liveMove("no-such-vm", TEST_URI, "test:///default?other", null), s -> { }));
        assertEquals(Reason.VM_NOT_FOUND, e.reason());
        assertFalse(e.getMessage().isBlank());
    }
}
