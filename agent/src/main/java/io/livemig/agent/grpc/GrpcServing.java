package io.livemig.agent.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
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

    /** Builds the server with {@code builder} (tests: an in-process one), starts it and reports it serving. */
    public static GrpcServing start(ServerBuilder<?> builder, BindableService service, String serviceName)
            throws IOException {
        return start(builder, service, serviceName, null);
    }

    /**
     * As {@link #start(ServerBuilder, BindableService, String)}, with {@code access} (if not null)
     * in front of every service, health and reflection included.
     */
    public static GrpcServing start(ServerBuilder<?> builder, BindableService service, String serviceName,
            ServerInterceptor access) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        if (access != null) {
            builder.intercept(access);
        }
        Server server = builder
                .addService(service)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build()
                .start();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(serviceName, ServingStatus.SERVING);
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
