package io.livemig.agent.core;

import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The operations livemig needs from the hypervisor hosts, addressed by libvirt URI. Implemented
 * by {@code io.livemig.agent.libvirt.LibvirtHypervisor}; tests use fakes.
 */
public interface Hypervisor {

    /** Facts about the host behind {@code hostUri}. */
    HostFacts hostInfo(String hostUri) throws HypervisorException;

    /** The domains defined or running on the host. */
    List<VmInfo> listVms(String hostUri, boolean activeOnly) throws HypervisorException;

    /** The named domain, or empty when the host does not have it. */
    Optional<VmInfo> findVm(String hostUri, String vmName) throws HypervisorException;

    /**
     * Migrates a VM and blocks until the migration has ended.
     *
     * <p>A migration that starts and then fails is reported as a result with status FAILED or
     * CANCELLED, not as an exception. Interrupting the calling thread aborts the migration job;
     * the call then still returns the result and leaves the interrupt flag set.
     *
     * @param progress receives a sample for each poll while the job is active, on the calling thread
     * @throws HypervisorException when the migration cannot start: a host is unreachable, the VM
     *                             is unknown or not running
     */
    MigrationOutcome migrate(MigrationRequest request, Consumer<JobSample> progress) throws HypervisorException;

    /**
     * Starts a migration and returns at once; the returned job is polled and steered by the
     * caller (see {@code io.livemig.agent.core.migration.MigrationMonitor}).
     *
     * @throws HypervisorException when the migration cannot start: a host is unreachable, the VM
     *                             is unknown or not running, the spec asks for something the
     *                             hypervisor refuses
     */
    MigrationJob startMigration(MigrationSpec spec) throws HypervisorException;

    /**
     * The domain's XML description; {@code migratable} gives the form meant for another host
     * (VIR_DOMAIN_XML_MIGRATABLE), as the source of a migration sends it.
     */
    String domainXml(String hostUri, String vmName, boolean migratable) throws HypervisorException;

    /**
     * Resumes the VM if it is paused, e.g. after a migration that suspended it on the source and
     * then failed or was aborted. Returns whether it had to be resumed.
     */
    boolean resumeIfPaused(String hostUri, String vmName) throws HypervisorException;

    /**
     * Compares a guest CPU definition with the CPU the host's hypervisor can give a guest of that
     * virtualisation type and architecture.
     *
     * @param virtType the domain type, e.g. {@code kvm} or {@code qemu}
     * @param arch     the guest architecture, or null for the host's
     * @param cpuXml   a {@code <cpu>} element
     */
    CpuComparison compareCpu(String hostUri, String virtType, String arch, String cpuXml) throws HypervisorException;

    /**
     * The named domain's state with libvirt's reason for it (virDomainGetState), e.g. paused
     * (post-copy failed); empty when the host does not have the domain.
     */
    Optional<DomainStatus> domainStatus(String hostUri, String vmName) throws HypervisorException;

    /**
     * The libvirt version of the daemon behind {@code hostUri} (virConnectGetLibVersion), encoded
     * as major * 1,000,000 + minor * 1,000 + release.
     */
    long libvirtVersion(String hostUri) throws HypervisorException;

    /**
     * Undefines the named domain if it is shut off, persistent and has this UUID: the definition
     * libvirt keeps of a VM whose QEMU died on the target of a migration. A domain that runs (or is
     * paused), or has another UUID, is left alone. Returns whether it was undefined.
     */
    boolean undefineIfShutOff(String hostUri, String vmName, String uuid) throws HypervisorException;

    /**
     * The guests' memory dirty rates in bytes per second, by VM name, as last measured by the
     * hypervisor, and a new measurement started for the next call (QEMU's page sampling over one
     * second). A VM without a finished measurement yet is missing from the map. Best effort:
     * hypervisors that cannot measure answer an empty map.
     */
    java.util.Map<String, Long> dirtyRates(String hostUri, java.util.List<String> vmNames) throws HypervisorException;

    /**
     * As {@link #dirtyRates}, but starts no new measurement: what the last one found. By default
     * the same as {@link #dirtyRates}, for hypervisors whose measurement has no lasting effect.
     */
    default java.util.Map<String, Long> lastDirtyRates(String hostUri, java.util.List<String> vmNames)
            throws HypervisorException {
        return dirtyRates(hostUri, vmNames);
    }

    /**
     * How much of a running VM's RAM its host holds, resident or swapped out: the pages its guest
     * has written, at least its non-zero memory ({@link GuestRam}). With a {@code maxAge} of zero
     * it is read now; otherwise the last figure comes at once, however old, and is read again,
     * without waiting, once it is {@code maxAge} old (it grows while the guest writes memory it had
     * not used; a listing must not wait for it). Empty where that cannot be read
     * (the hypervisor's processes are not on this machine, or the RAM is not one mapping). Best
     * effort, never an error.
     */
    default java.util.OptionalLong guestRamHeld(String hostUri, VmInfo vm, java.time.Duration maxAge) {
        return java.util.OptionalLong.empty();
    }
}
