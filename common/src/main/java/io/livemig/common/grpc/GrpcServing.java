package io.livemig.common.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.livemig.common.access.AccessInterceptor;
import io.livemig.common.access.AccessPolicy;
import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.GrpcTls;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.common.value.HostPort;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A started gRPC server for one livemig service, with the standard health service (SERVING for
 * the server and for the service) and server reflection; shared by the agent and the orchestrator.
 */
public final class GrpcServing implements AutoCloseable {

    private final Server server;
    private final HealthStatusManager health;

    private GrpcServing(Server server, HealthStatusManager health) {
        this.server = server;
        this.health = health;
    }

    /**
     * Serves {@code service} on {@code address} over TCP: with TLS, only clients with a
     * certificate from the CA get a connection, and {@code policy} decides each of their calls;
     * plaintext ({@link TransportSecurity.Insecure}) ignores {@code policy}.
     */
    public static GrpcServing listen(HostPort address, BindableService service, TransportSecurity security,
            AccessPolicy policy) throws IOException, ConfigException {
        return start(GrpcTls.serverBuilder(address.host(), address.port(), security), service,
                security instanceof TransportSecurity.Insecure ? null : new AccessInterceptor(policy));
    }

    /** Serves {@code service} with {@code builder} (tests: an in-process one), without access checks. */
    public static GrpcServing start(ServerBuilder<?> builder, BindableService service) throws IOException {
        return start(builder, service, null);
    }

    /** The server, with {@code access} (if not null) in front of every service, health and reflection included. */
    private static GrpcServing start(ServerBuilder<?> builder, BindableService service, ServerInterceptor access)
            throws IOException {
        ServerServiceDefinition definition = service.bindService();
        HealthStatusManager health = new HealthStatusManager();
        if (access != null) {
            builder.intercept(access);
        }
        Server server = builder
                .addService(definition)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build()
                .start();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(definition.getServiceDescriptor().getName(), ServingStatus.SERVING);
        return new GrpcServing(server, health);
    }

    public int port() {
        return server.getPort();
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Health goes NOT_SERVING first, then calls in flight get 10 s to finish. */
    @Override
    public void close() throws InterruptedException {
        health.enterTerminalState();
        server.shutdown();
        if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
            server.shutdownNow();
        }
    }
}
