package io.livemig.agent.core;

/** A hypervisor operation could not be carried out. The message is fit for a user. */
public final class HypervisorException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why, in terms a caller can act on. */
    public enum Reason {
        /** The host or its libvirt daemon cannot be reached (or libvirt is not installed here). */
        HOST_UNAVAILABLE,
        /** No such VM on the host. */
        VM_NOT_FOUND,
        /** The request cannot be carried out as asked (e.g. the VM is not running). */
        INVALID_REQUEST,
        /** The hypervisor refused or failed the operation. */
        OPERATION_FAILED,
        /** The hypervisor (or this binding of it) cannot do this at all. */
        UNSUPPORTED
    }

    private final Reason reason;

    public HypervisorException(Reason reason, String message) {
        this(reason, message, null);
    }

    public HypervisorException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
