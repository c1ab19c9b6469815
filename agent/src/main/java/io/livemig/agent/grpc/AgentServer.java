package io.livemig.agent.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.livemig.agent.service.HostAgent;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The agent's gRPC server: the agent service, the standard health service and reflection. */
public final class AgentServer implements AutoCloseable {

    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();

    private AgentServer(ServerBuilder<?> builder, HostAgent agent) {
        BindableService service = new AgentGrpcService(agent);
        this.server = builder
                .addService(service)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .build();
    }

    /** Serves on host:port over TCP. */
    public static AgentServer listen(String host, int port, HostAgent agent) throws IOException {
        return start(NettyServerBuilder.forAddress(new InetSocketAddress(host, port)), agent);
    }

    /** Serves with the given builder (tests: an in-process one). */
    public static AgentServer start(ServerBuilder<?> builder, HostAgent agent) throws IOException {
        AgentServer s = new AgentServer(builder, agent);
        s.server.start();
        s.health.setStatus("", ServingStatus.SERVING);
        s.health.setStatus(AgentServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
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
