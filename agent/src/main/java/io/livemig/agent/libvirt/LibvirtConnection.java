package io.livemig.agent.libvirt;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;

/**
 * One open libvirt connection, closed with try-with-resources.
 *
 * <p>Besides libvirt-java's {@link Connect}, it hands out raw pointers for the calls libvirt-java
 * lacks ({@link LibvirtNative}). libvirt-java keeps a domain's pointer package-private but the
 * connection's pointer {@code protected}, so a subclass of {@link Connect} reaches the latter
 * through the library's public API. With it, {@link #nativeDomain} looks the domain up again by
 * UUID and owns that reference. The alternatives were worse: reflection on the private
 * {@code Domain.vdp} field breaks silently when libvirt-java renames it; a class of ours in package
 * {@code org.libvirt} splits the package; a second, JNA-opened connection doubles keepalives and
 * sockets per host.
 */
final class LibvirtConnection implements AutoCloseable {

    // A peer that misses 3 keepalives 5 s apart counts as dead, instead of blocking calls for minutes.
    private static final int KEEPALIVE_INTERVAL_S = 5;
    private static final int KEEPALIVE_COUNT = 3;

    private final String uri;
    private final Connect connect;
    /** What {@link #close()} does instead of closing: a lease of a shared connection gives it back. */
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LibvirtConnection(String uri, Connect connect, Runnable release) {
        this.uri = uri;
        this.connect = connect;
        this.release = release;
    }

    /** Opens a read-write connection to {@code uri}. */
    static LibvirtConnection open(String uri) throws HypervisorException {
        LibvirtRuntime.ensureStarted();
        Connect connect;
        try {
            connect = new PointerConnect(uri);
        } catch (LibvirtException e) {
            throw new HypervisorException(Reason.HOST_UNAVAILABLE,
                    "cannot connect to " + uri + ": " + LibvirtErrors.message(e), e);
        }
        try {
            connect.setKeepAlive(KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT);
        } catch (LibvirtException e) {
            // Local drivers (e.g. test:///default) have no keepalive; nothing is lost there.
        }
        return new LibvirtConnection(uri, connect, null);
    }

    /** The same connection, whose {@link #close()} runs {@code release} (once) instead of closing it. */
    LibvirtConnection leased(Runnable release) {
        return new LibvirtConnection(uri, connect, release);
    }

    /** virConnectIsAlive: false once the daemon closed the socket or missed its keepalives. */
    boolean alive() {
        try {
            return connect.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    String uri() {
        return uri;
    }

    Connect connect() {
        return connect;
    }

    /** libvirt's virConnectPtr, for {@link LibvirtNative} calls; valid until {@link #close()}. */
    ConnectionPointer pointer() {
        return ((PointerConnect) connect).pointer();
    }

    /**
     * A reference of our own to the domain with this UUID, for {@link LibvirtNative} calls; the
     * caller frees it with {@link #freeNative}.
     */
    DomainPointer nativeDomain(String uuid) throws HypervisorException {
        DomainPointer domain = LibvirtNative.INSTANCE.virDomainLookupByUUIDString(pointer(), uuid);
        if (domain == null) {
            throw LibvirtErrors.lastNative("cannot look up domain " + uuid + " on " + uri);
        }
        return domain;
    }

    static void freeNative(DomainPointer domain) {
        if (domain != null) {
            LibvirtNative.INSTANCE.virDomainFree(domain); // fails only for an invalid pointer
        }
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

    /** The VM named {@code vmName}, or empty when this host has no such domain. */
    Optional<Domain> find(String vmName) throws HypervisorException {
        try {
            return Optional.of(lookup(vmName));
        } catch (HypervisorException e) {
            if (e.reason() == Reason.VM_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (release != null) {
            release.run();
            return;
        }
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

    /** libvirt-java's connection with its protected pointer made readable here. */
    private static final class PointerConnect extends Connect {

        PointerConnect(String uri) throws LibvirtException {
            super(uri, false);
        }

        ConnectionPointer pointer() {
            return vcp;
        }
    }
}
