package io.livemig.agent.libvirt;

import io.livemig.agent.core.HypervisorException;
import org.libvirt.Connect;
import org.libvirt.ErrorCallback;
import org.libvirt.Library;
import org.libvirt.LibvirtException;

/**
 * Process-wide libvirt set-up, done once before the first connection.
 *
 * <p>This is static state on purpose: libvirt's event loop implementation and its default error
 * function are global to the process, so there is exactly one of each whatever the number of
 * {@link LibvirtHypervisor}s.
 */
final class LibvirtRuntime {

    /**
     * Replaces libvirt's default error function, which prints every error to stderr (including
     * the expected "Domain not found" when a statistics poll races the end of a migration).
     * Errors still reach us as LibvirtExceptions, read from the thread's last error. Held in a
     * static field so that JNA's native callback is never garbage collected.
     */
    private static final ErrorCallback SILENT_ERRORS = new ErrorCallback();

    private static boolean started;
    private static HypervisorException failure;

    private LibvirtRuntime() {
    }

    /**
     * Installs the error function and starts the event loop thread (needed for keepalive and
     * events). Safe to call from any thread, any number of times.
     *
     * @throws HypervisorException when libvirt's client library cannot be loaded
     */
    static synchronized void ensureStarted() throws HypervisorException {
        if (started) {
            return;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            Connect.setErrorCallback(SILENT_ERRORS);
            Library.initEventLoop();
        } catch (LibvirtException e) {
            failure = new HypervisorException(HypervisorException.Reason.HOST_UNAVAILABLE,
                    "cannot initialise libvirt: " + LibvirtErrors.message(e), e);
            throw failure;
        } catch (LinkageError e) {
            // JNA could not load libvirt.so.0: no libvirt client on this machine.
            failure = new HypervisorException(HypervisorException.Reason.HOST_UNAVAILABLE,
                    "libvirt client library not available (install libvirt0): " + e.getMessage(), e);
            throw failure;
        }
        Thread loop = new Thread(LibvirtRuntime::runEventLoop, "libvirt-event-loop");
        loop.setDaemon(true);
        loop.start();
        started = true;
    }

    private static void runEventLoop() {
        try {
            Library.runEventLoop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (LibvirtException e) {
            // Nothing to report to: connections notice the missing keepalives and fail their calls.
        }
    }
}
