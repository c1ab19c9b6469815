package io.livemig.agent.core.migration;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.MigrationOutcome;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One migration under way, as the monitor sees and steers it: statistics in, steering actions
 * out. The libvirt adapter implements it around a blocking migrate call running on its own
 * thread; tests use a fake that replays recorded statistics.
 */
public interface MigrationJob {

    /** Statistics of the running job now; empty when no job runs (not started yet, or ended). */
    Optional<JobSample> sample() throws HypervisorException;

    /**
     * Waits up to {@code timeout} for something worth a new sample: the migration ended, or a new
     * pre-copy iteration began (where the hypervisor reports iteration events). Returns at once
     * when the migration has already ended.
     *
     * @return true when the migration has ended
     */
    boolean awaitChange(Duration timeout) throws InterruptedException;

    /** True once the migration call has returned, successfully or not. */
    boolean isDone();

    /** How it ended, with libvirt's final figures; only valid once {@link #isDone()}. */
    MigrationOutcome outcome();

    /** Allowed downtime for the final stop-and-copy step (virDomainMigrateSetMaxDowntime). */
    void setMaxDowntime(long downtimeMs) throws HypervisorException;

    /** Bandwidth limit for the migration stream, 0 for unlimited (virDomainMigrateSetMaxSpeed). */
    void setBandwidth(long bandwidthMiBps) throws HypervisorException;

    /**
     * Slows the guest's vCPUs so that it dirties memory more slowly (percent of CPU time taken
     * away, 0 to 99).
     *
     * @throws HypervisorException with reason UNSUPPORTED where the hypervisor cannot throttle
     */
    void throttle(int percent) throws HypervisorException;

    /** Switches a migration started with the post-copy flag to post-copy. */
    void startPostCopy() throws HypervisorException;

    /**
     * Pauses the guest on the source so the remaining pages go over without being dirtied again;
     * the guest resumes on the destination when the migration completes.
     */
    void suspendSource() throws HypervisorException;

    /** Aborts the migration; the guest keeps running on the source. */
    void abort() throws HypervisorException;

    /**
     * Why the migration can no longer end well although it still runs: the connection to the
     * destination host's hypervisor is gone (its daemon died, or the link to it is cut), so the
     * destination can never take the VM over. Empty while the destination is reachable.
     */
    default Optional<String> destinationLost() {
        return Optional.empty();
    }

    /**
     * How long the hypervisor's migration call went on after the VM resumed on the target: the
     * source's copy of the VM stopped and its definition removed (libvirt's confirm step). Empty
     * while the migration runs, when it did not complete, or when the hypervisor gave no word of
     * the resumption.
     */
    default OptionalLong sourceCleanupMs() {
        return OptionalLong.empty();
    }
}
