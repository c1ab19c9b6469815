package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.DomainState;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.libvirt.LibvirtHypervisor;
import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real live migration between two lab hosts, with the guest checked alive and intact after. */
@RequiresRoot
class LiveMigrationIT {

    private static final String VM = "it-guest";
    private static final long MIB = 1024 * 1024;
    private static final int GUEST_MIB = 256;
    private static final int DIRTY_MIB = 64;

    private static Lab lab;

    private final LibvirtHypervisor hypervisor = new LibvirtHypervisor();

    @BeforeAll
    static void startLab() {
        Lab.Up up = Lab.upForTests(2);
        lab = up == null ? null : up.lab();
    }

    @AfterAll
    static void stopLab() {
        Lab.downAfterTests(lab);
    }

    @Test
    void migratesARunningGuestLiveAndTheGuestSurvivesIntact() throws InterruptedException {
        Lab.Host source = lab.host("lab-a");
        Lab.Host destination = lab.host("lab-b");
        try {
            Lab.Result create = lab.run(Duration.ofMinutes(3), "vm", "create", VM, "--host", source.name(),
                    "--mem", String.valueOf(GUEST_MIB), "--dirty-mib", String.valueOf(DIRTY_MIB), "--dirty-rate", "32");
            assertTrue(create.ok(), create::describe);
            Lab.Result booted = lab.awaitSuccess(Duration.ofMinutes(3), Duration.ofSeconds(2), "vm", "check", VM);
            assertTrue(booted.ok(), booted::describe);
            assertTrue(booted.output().contains("host=" + source.name()), booted::describe);

            // The lab's hosts name their bridge and guest-log mount differently: the destination
            // gets the source's migratable XML with those two rewritten (what the agents' rebinding
            // does for real; here plain libvirt is under test).
            String xml = hypervisor.domainXml(source.libvirtUri(), VM, true)
                    .replace("'lmbr-a'", "'lmbr-b'").replace("/hosts/lab-a/mnt/", "/hosts/lab-b/mnt/");
            MigrationJob job = hypervisor.startMigration(new MigrationSpec(VM, source.libvirtUri(),
                    destination.libvirtUri(), "tcp:" + destination.ip(), MigrationFlags.liveMove(), xml, xml, 0, 0,
                    MigrationSpec.Compression.NONE, 0));
            List<JobSample> samples = new ArrayList<>();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
            while (!job.awaitChange(Duration.ofMillis(250)) && Instant.now().isBefore(deadline)) {
                job.sample().ifPresent(samples::add);
            }
            if (!job.isDone()) {
                job.abort();
                job.awaitChange(Duration.ofSeconds(30));
            }
            MigrationOutcome result = job.outcome();

            assertEquals(OutcomeStatus.COMPLETED, result.status(), result::toString);
            assertTrue(result.totalTimeMs() > 0, result::toString);
            assertNotNull(result.downtimeMs(), result::toString);
            assertTrue(result.downtimeMs() > 0, result::toString);
            assertNotNull(result.memoryBytes(), result::toString);
            assertTrue(result.memoryBytes() >= GUEST_MIB * MIB * 3 / 4, result::toString);
            // Every dirtied page crosses at least once; untouched pages cost almost nothing.
            assertNotNull(result.bytesTransferred(), result::toString);
            assertTrue(result.bytesTransferred() >= DIRTY_MIB * MIB / 2, result::toString);
            assertFalse(samples.isEmpty(), "no progress sample while the migration ran: " + result);

            Lab.Result moved = lab.awaitSuccess(Duration.ofSeconds(60), Duration.ofSeconds(2), "vm", "check", VM);
            assertTrue(moved.ok(), moved::describe);
            assertTrue(moved.output().contains("host=" + destination.name()), moved::describe);
            assertTrue(moved.output().contains("integrity=ok"), moved::describe);
            assertTrue(moved.output().contains("ping=ok"), moved::describe);

            assertTrue(hypervisor.findVm(source.libvirtUri(), VM).isEmpty(), "the VM is still on " + source.name());
            assertEquals(DomainState.RUNNING, hypervisor.findVm(destination.libvirtUri(), VM).orElseThrow().state());
        } catch (HypervisorException e) {
            throw new AssertionError("hypervisor call failed: " + e.getMessage(), e);
        } finally {
            lab.run(Duration.ofMinutes(2), "vm", "destroy", VM);
        }
    }
}
