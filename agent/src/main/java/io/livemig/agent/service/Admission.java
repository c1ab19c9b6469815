package io.livemig.agent.service;

import io.livemig.agent.service.AgentException.Code;
import io.livemig.common.log.MigrationLog;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may migrate now on this host: one migration per VM at a time, at most N outgoing and M
 * incoming, and memory promised to incoming VMs (reservations) that have not arrived yet.
 * Reservations expire, so a source that never starts does not hold memory forever.
 * Thread-safe; time comes from the given monotonic clock (ms).
 */
public final class Admission {

    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    /** Memory promised to an incoming VM until it arrives, is cancelled, or expires. */
    public record Reservation(String id, String vmName, long memoryBytes, long expiresAtMs) {}

    private final int maxOutgoing;
    private final int maxIncoming;
    private final Duration reservationTtl;
    private final LongSupplier nowMs;
    private final Set<String> migratingVms = new HashSet<>();
    private final Map<String, Reservation> reservations = new HashMap<>();
    private final Map<String, String> sources = new HashMap<>(); // reservation id -> source host
    private int outgoing;
    private int incoming;

    public Admission(int maxOutgoing, int maxIncoming, Duration reservationTtl, LongSupplier nowMs) {
        this.maxOutgoing = maxOutgoing;
        this.maxIncoming = maxIncoming;
        this.reservationTtl = reservationTtl;
        this.nowMs = nowMs;
    }

    /** Claims an outgoing slot for the VM; release with {@link #endOutgoing}. */
    public synchronized void beginOutgoing(String vmName) throws AgentException {
        expire();
        if (migratingVms.contains(vmName)) {
            throw new AgentException(Code.ALREADY_EXISTS, "VM '" + vmName + "' is already migrating");
        }
        if (outgoing >= maxOutgoing) {
            throw new AgentException(Code.RESOURCE_EXHAUSTED,
                    "this host already runs " + outgoing + " outgoing migrations (limit " + maxOutgoing + ")");
        }
        migratingVms.add(vmName);
        outgoing++;
    }

    public synchronized void endOutgoing(String vmName) {
        if (migratingVms.remove(vmName)) {
            outgoing--;
        }
    }

    /**
     * Reserves memory for an incoming VM, if the host has it: free memory minus what is already
     * promised must cover the VM plus the headroom.
     */
    public synchronized Reservation reserveIncoming(String vmName, long memoryBytes, long freeBytes, long headroomBytes)
            throws AgentException {
        return reserveIncoming(vmName, null, memoryBytes, freeBytes, headroomBytes);
    }

    /**
     * As {@link #reserveIncoming(String, long, long, long)}, for a VM coming from {@code sourceHost}.
     * A reservation that host still holds for the same VM is replaced: a source asks again only
     * when its earlier attempt is over (e.g. its agent restarted mid-migration), and it must not
     * wait for that reservation to expire.
     */
    public synchronized Reservation reserveIncoming(String vmName, String sourceHost, long memoryBytes, long freeBytes,
            long headroomBytes) throws AgentException {
        expire();
        if (sourceHost != null) {
            reservations.values().removeIf(r -> r.vmName().equals(vmName) && sourceHost.equals(sources.get(r.id())));
            sources.keySet().retainAll(reservations.keySet());
        }
        if (reservations.values().stream().anyMatch(r -> r.vmName().equals(vmName))) {
            throw new AgentException(Code.ALREADY_EXISTS, "VM '" + vmName + "' is already arriving on this host");
        }
        if (incoming + reservations.size() >= maxIncoming) {
            throw new AgentException(Code.RESOURCE_EXHAUSTED,
                    "this host already accepts " + (incoming + reservations.size()) + " incoming migrations (limit "
                            + maxIncoming + ")");
        }
        long promised = reservedBytes();
        long available = freeBytes - promised - headroomBytes;
        if (memoryBytes > available) {
            throw new AgentException(Code.FAILED_PRECONDITION, String.format(
                    "not enough memory for VM '%s': it needs %d MiB, the host has %d MiB free, %d MiB promised to "
                            + "other incoming VMs and keeps %d MiB headroom",
                    vmName, memoryBytes >> 20, freeBytes >> 20, promised >> 20, headroomBytes >> 20));
        }
        Reservation r = new Reservation(UUID.randomUUID().toString(), vmName, memoryBytes,
                nowMs.getAsLong() + reservationTtl.toMillis());
        reservations.put(r.id(), r);
        if (sourceHost != null) {
            sources.put(r.id(), sourceHost);
        }
        return r;
    }

    /** The reservation is being used: it becomes an incoming migration (until {@link #endIncoming}). */
    public synchronized Optional<Reservation> claim(String reservationId) {
        expire();
        Reservation r = reservations.remove(reservationId);
        if (r != null) {
            incoming++;
        }
        return Optional.ofNullable(r);
    }

    public synchronized void endIncoming() {
        if (incoming > 0) {
            incoming--;
        }
    }

    public synchronized boolean cancel(String reservationId) {
        return reservations.remove(reservationId) != null;
    }

    public synchronized long reservedBytes() {
        expire();
        return reservations.values().stream().mapToLong(Reservation::memoryBytes).sum();
    }

    /** True while a reservation waits for the VM: it is arriving here, or about to. */
    public synchronized boolean arriving(String vmName) {
        return reservations.values().stream().anyMatch(r -> r.vmName().equals(vmName));
    }

    /** True while the VM has an outgoing migration here (from {@link #beginOutgoing} to its end). */
    public synchronized boolean migrating(String vmName) {
        return migratingVms.contains(vmName);
    }

    public synchronized int outgoing() {
        return outgoing;
    }

    public synchronized int incoming() {
        expire();
        return incoming + reservations.size();
    }

    private void expire() {
        long now = nowMs.getAsLong();
        reservations.values().removeIf(r -> {
            if (r.expiresAtMs() > now) {
                return false;
            }
            try (MigrationLog ctx = MigrationLog.of(null, r.vmName())) {
                LOG.info("incoming reservation {} expired: the source did not start the migration", r.id());
            }
            return true;
        });
    }
}
