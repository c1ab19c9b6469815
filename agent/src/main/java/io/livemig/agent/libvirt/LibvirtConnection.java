package io.livemig.agent.libvirt;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/** One open libvirt connection, closed with try-with-resources. */
final class LibvirtConnection implements AutoCloseable {

    // A peer that misses 3 keepalives 5 s apart counts as dead, instead of blocking calls for minutes.
    private static final int KEEPALIVE_INTERVAL_S = 5;
    private static final int KEEPALIVE_COUNT = 3;

    private final String uri;
    private final Connect connect;

    private LibvirtConnection(String uri, Connect connect) {
        this.uri = uri;
        this.connect = connect;
    }

    /** Opens a read-write connection to {@code uri}. */
    static LibvirtConnection open(String uri) throws HypervisorException {
        LibvirtRuntime.ensureStarted();
        Connect connect;
        try {
            connect = new Connect(uri, false);
        } catch (LibvirtException e) {
            throw new HypervisorException(Reason.HOST_UNAVAILABLE,
                    "cannot connect to " + uri + ": " + LibvirtErrors.message(e), e);
        }
        try {
            connect.setKeepAlive(KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT);
        } catch (LibvirtException e) {
            // Local drivers (e.g. test:///default) have no keepalive; nothing is lost there.
        }
        return new LibvirtConnection(uri, connect);
    }

    String uri() {
        return uri;
    }

    Connect connect() {
        return connect;
    }

    /** The named domain; the caller frees it. */
    Domain lookup(String vmName) throws HypervisorException {
        try {
            return connect.domainLookupByName(vmName);
        } catch (LibvirtException e) {
            if (LibvirtErrors.isNoDomain(e)) {
                throw new HypervisorException(Reason.VM_NOT_FOUND, "no VM named '" + vmName + "' on " + uri, e);
            }
            throw LibvirtErrors.failed("cannot look up VM '" + vmName + "' on " + uri, e);
        }
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            // Closing is best effort: the daemon drops the connection's resources either way.
        }
    }

    static void free(Domain domain) {
        if (domain == null) {
            return;
        }
        try {
            domain.free();
        } catch (LibvirtException e) {
            // Only fails for an already invalid pointer; nothing left to release.
        }
    }
}
