package io.livemig.common.grpc;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A status a livemig server decided itself, marked by a trailer, so that a client can tell it from
 * a transport failure with the same code: UNAVAILABLE is the orchestrator's own answer when the
 * VM's host is down or its history cannot be written, and gRPC's when the orchestrator cannot be
 * reached at all.
 */
public final class ServerAnswers {

    static final Metadata.Key<String> ANSWERED_BY = Metadata.Key.of("livemig-answered-by",
            Metadata.ASCII_STRING_MARSHALLER);

    private ServerAnswers() {
    }

    /** {@code status} as {@code server} (e.g. "orchestrator") answers it. */
    public static StatusRuntimeException answer(Status status, String server) {
        Metadata trailers = new Metadata();
        trailers.put(ANSWERED_BY, server);
        return status.asRuntimeException(trailers);
    }

    /** Whether a livemig server sent this status, rather than the transport making it up. */
    public static boolean isAnswer(StatusRuntimeException e) {
        Metadata trailers = e.getTrailers();
        return trailers != null && trailers.containsKey(ANSWERED_BY);
    }
}
