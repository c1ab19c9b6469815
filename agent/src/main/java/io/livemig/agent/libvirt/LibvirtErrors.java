package io.livemig.agent.libvirt;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import org.libvirt.Error;
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
}
