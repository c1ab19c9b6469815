package io.livemig.agent.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.migration.MigrationSpec.Compression;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job's life cycle against libvirt's test driver, which has a running domain "test" but
 * cannot migrate: every migration starts and then fails, which exercises the job's thread, its
 * end, and the calls after the end. Real migrations are in {@link LibvirtMigrationJobLabTest}.
 */
@Timeout(60)
class LibvirtMigrationJobTest {

    private static final String TEST_URI = "test:///default";
    private static final String OTHER_URI = "test:///default?other";

    private final LibvirtHypervisor hypervisor = new LibvirtHypervisor();

    @BeforeAll
    static void needsLibvirt() {
        try {
            LibvirtRuntime.ensureStarted();
        } catch (HypervisorException e) {
            abort("libvirt client library not available: " + e.getMessage()); // skipped, with the reason
        }
    }

    private static MigrationSpec spec(String vm, MigrationFlags flags) {
        return new MigrationSpec(vm, TEST_URI, OTHER_URI, null, flags, null, null, 0, 0, Compression.NONE, 0);
    }

    @Test
    void aMigrationTheDriverRefusesEndsFailedAndRefusesSteering() throws Exception {
        MigrationJob job = hypervisor.startMigration(spec("test", MigrationFlags.of(MigrationFlag.LIVE)));
        assertTrue(job.awaitChange(Duration.ofSeconds(30)), "the migrate call should have returned");
        assertTrue(job.isDone());
        assertTrue(job.awaitChange(Duration.ofHours(1)), "returns at once once ended");

        MigrationOutcome outcome = job.outcome();
        assertEquals(OutcomeStatus.FAILED, outcome.status(), outcome.toString());
        assertFalse(outcome.error() == null || outcome.error().isBlank(), outcome.toString());
        assertTrue(job.sample().isEmpty());

        HypervisorException e = assertThrows(HypervisorException.class, () -> job.setBandwidth(10));
        assertEquals(Reason.INVALID_REQUEST, e.reason());
        assertTrue(e.getMessage().contains("has ended"), e.getMessage());
        assertEquals(Reason.INVALID_REQUEST, assertThrows(HypervisorException.class, job::abort).reason());
        assertEquals(Reason.INVALID_REQUEST, assertThrows(HypervisorException.class, job::startPostCopy).reason());
        assertEquals(Reason.INVALID_REQUEST, assertThrows(HypervisorException.class, job::suspendSource).reason());
        assertEquals(Reason.INVALID_REQUEST,
                assertThrows(HypervisorException.class, () -> job.setMaxDowntime(100)).reason());
    }

    @Test
    void throttlingNeedsAutoConverge() throws Exception {
        MigrationJob job = hypervisor.startMigration(spec("test", MigrationFlags.of(MigrationFlag.LIVE)));
        HypervisorException e = assertThrows(HypervisorException.class, () -> job.throttle(30));
        assertEquals(Reason.UNSUPPORTED, e.reason());
        assertTrue(e.getMessage().contains("AUTO_CONVERGE"), e.getMessage());
        assertEquals(Reason.INVALID_REQUEST, assertThrows(HypervisorException.class, () -> job.throttle(100)).reason());
        job.awaitChange(Duration.ofSeconds(30));
        assertTrue(job.isDone());
    }

    @Test
    void refusesToStartForUnknownOrStoppedVmsAndBadSpecs() {
        HypervisorException unknown = assertThrows(HypervisorException.class,
                () -> hypervisor.startMigration(spec("no-such-vm", MigrationFlags.of(MigrationFlag.LIVE))));
        assertEquals(Reason.VM_NOT_FOUND, unknown.reason());

        MigrationSpec xbzrleParallel = new MigrationSpec("test", TEST_URI, OTHER_URI, null,
                MigrationFlags.of(MigrationFlag.LIVE), null, null, 0, 0, Compression.XBZRLE, 4);
        HypervisorException contradictory = assertThrows(HypervisorException.class,
                () -> hypervisor.startMigration(xbzrleParallel));
        assertEquals(Reason.INVALID_REQUEST, contradictory.reason());

        HypervisorException unreachable = assertThrows(HypervisorException.class, () -> hypervisor.startMigration(
                new MigrationSpec("test", TEST_URI, "qemu+tcp://127.0.0.1:1/system", null,
                        MigrationFlags.of(MigrationFlag.LIVE), null, null, 0, 0, Compression.NONE, 0)));
        assertEquals(Reason.HOST_UNAVAILABLE, unreachable.reason());
    }

    @Test
    void blockingMigrateReportsTheFailureAsAResult() throws Exception {
        List<Object> samples = new ArrayList<>();
        MigrationOutcome result = hypervisor.migrate(
                new MigrationRequest("test", TEST_URI, OTHER_URI, null, MigrationFlags.of(MigrationFlag.LIVE), 0,
                        Duration.ofMillis(50)),
                samples::add);
        assertEquals(OutcomeStatus.FAILED, result.status(), result.toString());
        assertTrue(samples.isEmpty(), "the test driver runs no job: " + samples);
    }
}
