package io.livemig.agent.libvirt;

import io.livemig.agent.core.HypervisorException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One open libvirt connection per URI, shared by the short calls of a {@link LibvirtHypervisor}
 * instead of a connection opened and closed by each: an agent answers its orchestrator's polls
 * every few seconds, and each open costs both the agent and libvirtd a handshake.
 *
 * <p>libvirt connections may be used by several threads at once. A connection that libvirt no
 * longer reports alive (libvirtd restarted or gone, missed keepalives) is retired: the next lease
 * opens a new one, and the old one is closed once its last user is done with it. A call that was
 * under way when the daemon went fails as it would have on a connection of its own.
 */
final class SharedConnections {

    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    /** The URI's shared connection, opened now if there is none alive; close the lease when done. */
    LibvirtConnection lease(String uri) throws HypervisorException {
        return slots.computeIfAbsent(uri, Slot::new).lease();
    }

    /** Closes every connection, at once for those not in use, else when their last user is done. */
    void close() {
        slots.values().forEach(Slot::retire);
    }

    private static final class Slot {
        private final String uri;
        private Shared current; // under this

        Slot(String uri) {
            this.uri = uri;
        }

        synchronized LibvirtConnection lease() throws HypervisorException {
            if (current != null && !current.connection.alive()) {
                current.retire();
                current = null;
            }
            if (current == null) {
                current = new Shared(LibvirtConnection.open(uri));
            }
            return current.lease();
        }

        synchronized void retire() {
            if (current != null) {
                current.retire();
                current = null;
            }
        }
    }

    /** A connection and its users; closed when retired and unused. */
    private static final class Shared {
        private final LibvirtConnection connection;
        private int users;       // under this
        private boolean retired; // under this

        Shared(LibvirtConnection connection) {
            this.connection = connection;
        }

        synchronized LibvirtConnection lease() {
            users++;
            return connection.leased(this::release);
        }

        private synchronized void release() {
            users--;
            if (retired && users == 0) {
                connection.close();
            }
        }

        synchronized void retire() {
            retired = true;
            if (users == 0) {
                connection.close();
            }
        }
    }
}
