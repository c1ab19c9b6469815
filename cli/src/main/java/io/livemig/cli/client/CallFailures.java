package io.livemig.cli.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livemig.common.grpc.Deadlines;
import io.livemig.common.tls.TlsRefusal;

/** A failed call to a livemig server as one line: a refused TLS handshake in words, else the status. */
public final class CallFailures {

    /** How every refused handshake starts, whichever server refused it. */
    public static final String TLS_FAILED = "TLS handshake failed: ";
    private static final String SELF = "this client";

    private CallFailures() {
    }

    /** Why the TLS handshake with {@code peer} failed, or null when {@code e} is not a TLS failure. */
    public static String tls(StatusRuntimeException e, String peer) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            return null;
        }
        return TlsRefusal.describe(e.getStatus().getCause(), peer, SELF);
    }

    /**
     * The line for a failed call to the agent of {@code host} (after "livemig: "): "TLS handshake
     * failed: the agent of lab-a ...", "lab-a: the agent did not answer within 10 s
     * (DEADLINE_EXCEEDED)" or "lab-a: UNAVAILABLE: ...".
     */
    public static String agent(StatusRuntimeException e, String host) {
        String tls = tls(e, "the agent of " + host);
        if (tls != null) {
            return TLS_FAILED + tls;
        }
        String late = Deadlines.noAnswer(e.getStatus());
        return late != null ? host + ": the agent " + late + " (DEADLINE_EXCEEDED)"
                : host + ": " + e.getStatus().getCode() + ": " + e.getStatus().getDescription();
    }

    /** The status's description, with its cause's message after it where that adds something; "" for neither. */
    public static String detail(Status status) {
        String detail = status.getDescription() == null ? "" : status.getDescription();
        String cause = status.getCause() == null ? null : status.getCause().getMessage();
        if (cause != null && !detail.contains(cause)) {
            detail = detail.isEmpty() ? cause : detail + ": " + cause;
        }
        return detail;
    }
}
