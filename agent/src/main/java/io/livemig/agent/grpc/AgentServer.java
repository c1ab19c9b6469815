package io.livemig.agent.grpc;

import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.livemig.agent.service.HostAgent;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The agent's gRPC server: the agent service, the standard health service and reflection. */
public final class AgentServer implements AutoCloseable {

    private final GrpcServing serving;

    private AgentServer(GrpcServing serving) {
        this.serving = serving;
    }

    /** Serves on host:port over TCP. */
    public static AgentServer listen(String host, int port, HostAgent agent) throws IOException {
        return start(NettyServerBuilder.forAddress(new InetSocketAddress(host, port)), agent);
    }

    /** Serves with the given builder (tests: an in-process one). */
    public static AgentServer start(ServerBuilder<?> builder, HostAgent agent) throws IOException {
        return new AgentServer(GrpcServing.start(builder, new AgentGrpcService(agent), AgentServiceGrpc.SERVICE_NAME));
    }

    public int port() {
        return serving.port();
    }

    public void awaitTermination() throws InterruptedException {
        serving.awaitTermination();
    }

    @Override
    public void close() throws InterruptedException {
        serving.close();
    }
}
