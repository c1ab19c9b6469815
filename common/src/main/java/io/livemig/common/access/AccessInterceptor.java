package io.livemig.common.access;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the caller's identity (its certificate's CN) from the TLS session and lets the call through
 * only if the {@link AccessPolicy} allows it; otherwise the call ends PERMISSION_DENIED with the
 * policy's one-line reason before the service sees it.
 */
public final class AccessInterceptor implements ServerInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(AccessInterceptor.class);
    private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {};

    private final AccessPolicy policy;

    public AccessInterceptor(AccessPolicy policy) {
        this.policy = policy;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Optional<String> identity = identity(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (identity.isEmpty()) {
            LOG.info("refused {} without a client certificate on {}", call.getMethodDescriptor().getFullMethodName(),
                    policy.where());
            call.close(Status.UNAUTHENTICATED.withDescription("no client certificate with a CN on " + policy.where()),
                    new Metadata());
            return (ServerCall.Listener<Q>) NOTHING;
        }
        String service = call.getMethodDescriptor().getServiceName();
        String method = call.getMethodDescriptor().getBareMethodName();
        Optional<String> refusal = policy.refusal(identity.get(), service, method);
        if (refusal.isPresent()) {
            LOG.info("refused {}/{} to {}: {}", service, method, identity.get(), refusal.get());
            call.close(Status.PERMISSION_DENIED.withDescription(refusal.get()), new Metadata());
            return (ServerCall.Listener<Q>) NOTHING;
        }
        return next.startCall(call, headers);
    }

    static Optional<String> identity(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return Optional.empty();
            }
            return Identities.commonName(leaf.getSubjectX500Principal().getName());
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
