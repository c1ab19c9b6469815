package io.livemig.agent.libvirt;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import org.libvirt.Error;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/** Turns libvirt-java's exceptions into messages and {@link HypervisorException}s. */
final class LibvirtErrors {

    private LibvirtErrors() {
    }

    /** libvirt's own message, without libvirt-java's decoration. */
    static String message(LibvirtException e) {
        Error error = e.getError();
        String message = error != null ? error.getMessage() : null;
        if (message == null || message.isBlank()) {
            message = e.getMessage();
        }
        return message == null ? "unknown libvirt error" : message.strip();
    }

    static boolean isNoDomain(LibvirtException e) {
        Error error = e.getError();
        return error != null && error.getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN;
    }

    static HypervisorException failed(String what, LibvirtException e) {
        return new HypervisorException(Reason.OPERATION_FAILED, what + ": " + message(e), e);
    }

    /** Like {@link #failed}, with the reason that libvirt's error code implies. */
    static HypervisorException mapped(String what, LibvirtException e) {
        Error error = e.getError();
        return new HypervisorException(reasonOf(error == null ? null : error.getCode()), what + ": " + message(e), e);
    }

    /**
     * The last error libvirt recorded on this thread, after a direct {@link LibvirtNative} call
     * failed; resets it, as libvirt-java does after reading it.
     */
    static HypervisorException lastNative(String what) {
        LibvirtNative libvirt = LibvirtNative.INSTANCE;
        int code = libvirt.virGetLastErrorCode();
        String message = libvirt.virGetLastErrorMessage();
        libvirt.virResetLastError();
        ErrorNumber[] all = ErrorNumber.values();
        ErrorNumber number = code >= 0 && code < all.length ? all[code] : null; // libvirt-java's order is virErrorNumber's
        String text = message == null || message.isBlank() ? "unknown libvirt error (code " + code + ")" : message.strip();
        return new HypervisorException(reasonOf(number), what + ": " + text);
    }

    /** What a caller can do about a libvirt error; OPERATION_FAILED when nothing more precise applies. */
    static Reason reasonOf(ErrorNumber code) {
        if (code == null) {
            return Reason.OPERATION_FAILED;
        }
        return switch (code) {
            case VIR_ERR_NO_DOMAIN -> Reason.VM_NOT_FOUND;
            // "no job is active", "domain is not running", "requires VIR_MIGRATE_POSTCOPY", bad values
            case VIR_ERR_OPERATION_INVALID, VIR_ERR_INVALID_ARG -> Reason.INVALID_REQUEST;
            case VIR_ERR_NO_SUPPORT, VIR_ERR_OPERATION_UNSUPPORTED, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    VIR_ERR_CONFIG_UNSUPPORTED -> Reason.UNSUPPORTED;
            case VIR_ERR_NO_CONNECT, VIR_ERR_INVALID_CONN, VIR_ERR_RPC, VIR_ERR_SYSTEM_ERROR,
                    VIR_ERR_AUTH_FAILED, VIR_ERR_AUTH_UNAVAILABLE -> Reason.HOST_UNAVAILABLE;
            default -> Reason.OPERATION_FAILED;
        };
    }
}
