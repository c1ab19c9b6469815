package io.livemig.orchestrator.grpc;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The orchestrator's gRPC server: its service, the standard health service and reflection. */
public final class OrchestratorServer implements AutoCloseable {

    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();

    private OrchestratorServer(ServerBuilder<?> builder, Orchestrator orchestrator) {
        this.server = builder
                .addService(new OrchestratorGrpcService(orchestrator))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build();
    }

    public static OrchestratorServer listen(String host, int port, Orchestrator orchestrator) throws IOException {
        return start(NettyServerBuilder.forAddress(new InetSocketAddress(host, port)), orchestrator);
    }

    public static OrchestratorServer start(ServerBuilder<?> builder, Orchestrator orchestrator) throws IOException {
        OrchestratorServer s = new OrchestratorServer(builder, orchestrator);
        s.server.start();
        s.health.setStatus("", ServingStatus.SERVING);
        s.health.setStatus(OrchestratorServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        return s;
    }

    public int port() {
        return server.getPort();
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() throws InterruptedException {
        health.enterTerminalState();
        server.shutdown();
        if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
            server.shutdownNow();
        }
    }
}
