package io.livemig.agent.service;

import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.monitor.MigrationMonitor;
import io.livemig.agent.core.rebind.RebindPlanner;
import io.livemig.common.config.HostConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What one host's agent does, without any transport: reports the host and its VMs
 * ({@link HostSampling}), accepts incoming migrations (validate, plan the rebinding, prepare,
 * reserve: {@link IncomingMigrations}) and runs outgoing ones (one per VM, within the host's
 * limits, each steered by a {@link MigrationMonitor}: {@link OutgoingMigrations}). The three share
 * one {@link Admission}, so the host's limits hold across both directions.
 */
public final class HostAgent implements AutoCloseable {

    /** A started outgoing migration: its id and what the target agreed to. */
    public record Started(String id, Incoming incoming) {}

    private static final Duration RESERVATION_TTL = Duration.ofMinutes(10);

    private final Admission admission;
    private final HostSampling sampling;
    private final IncomingMigrations incoming;
    private final OutgoingMigrations outgoing;

    public HostAgent(Hypervisor hypervisor, String localUri, HostConfig self, PeerAgents peers, LongSupplier clockMs) {
        this(hypervisor, localUri, self, peers, clockMs, AgentEvents.NONE);
    }

    /** As the other constructor; {@code events} hears of every outgoing migration's end (metrics). */
    public HostAgent(Hypervisor hypervisor, String localUri, HostConfig self, PeerAgents peers, LongSupplier clockMs,
            AgentEvents events) {
        this.admission = new Admission(self.maxOutgoing(), self.maxIncoming(), RESERVATION_TTL, clockMs);
        HostBindings bindings = new HostBindings(self, new RebindPlanner());
        this.sampling = new HostSampling(hypervisor, localUri, self, admission, bindings);
        this.incoming = new IncomingMigrations(hypervisor, localUri, self, admission, bindings);
        this.outgoing = new OutgoingMigrations(hypervisor, localUri, self, peers, clockMs, events, admission, sampling,
                bindings);
    }

    // --- host and VMs -------------------------------------------------------------------------

    public HostStatus status() throws AgentException {
        return sampling.status();
    }

    /** Outgoing migrations under way; cheap (no hypervisor call), for metrics. */
    public int migrationsOutgoing() {
        return admission.outgoing();
    }

    /** Incoming migrations reserved or arriving; cheap (no hypervisor call), for metrics. */
    public int migrationsIncoming() {
        return admission.incoming();
    }

    public List<VmDetails> vms(boolean activeOnly) throws AgentException {
        return sampling.vms(activeOnly);
    }

    /**
     * Readies, on the caller's thread, the code of an incoming preparation that does not depend on
     * the request: the rebinding planner and the CPU reader run once over a sample definition
     * shipped with the agent. Nothing is reserved or prepared, and the hypervisor is not called. A
     * daemon calls it once after it starts listening, so that the first migration to a host
     * without VMs (whose polls plan no bindings) does not pay for loading and compiling that code.
     *
     * @return whether the sample was planned (false: a bug in the sample or the planner, logged)
     */
    public boolean warmUp() {
        return incoming.warmUp();
    }

    // --- incoming -----------------------------------------------------------------------------

    /**
     * Validates an incoming VM, plans its rebinding onto this host, prepares what must exist before
     * QEMU starts here (log files, copied disks), and reserves its memory.
     */
    public Incoming prepareIncoming(IncomingRequest r) throws AgentException {
        Incoming prepared = incoming.prepareIncoming(r);
        r.dirtyRate().ifPresent(d -> sampling.arriving(r.vmName(), r.vmUuid(), d));
        return prepared;
    }

    /** Returns whether the migration's VM had died here and its leftover definition was removed. */
    public boolean releaseIncoming(String reservationId) throws AgentException {
        return incoming.releaseIncoming(reservationId);
    }

    // --- outgoing -----------------------------------------------------------------------------

    /** Starts migrating a running VM of this host to the host whose agent is at {@code targetAgent}. */
    public Started startMigration(String vmName, String targetAgent, MigrationOptionsValue options) throws AgentException {
        return outgoing.startMigration(vmName, targetAgent, options);
    }

    public MigrationView view(String id) throws AgentException {
        return outgoing.view(id);
    }

    /** Waits up to {@code timeout} for a view newer than {@code version}; returns the current one. */
    public MigrationView awaitView(String id, long version, Duration timeout) throws AgentException, InterruptedException {
        return outgoing.awaitView(id, version, timeout);
    }

    public void abort(String id) throws AgentException {
        outgoing.abort(id);
    }

    public void startPostCopy(String id) throws AgentException {
        outgoing.startPostCopy(id);
    }

    public void setMaxDowntime(String id, long downtimeMs) throws AgentException {
        outgoing.setMaxDowntime(id, downtimeMs);
    }

    public void setBandwidth(String id, long bandwidthMiBps) throws AgentException {
        outgoing.setBandwidth(id, bandwidthMiBps);
    }

    @Override
    public void close() {
        outgoing.close();
    }
}
