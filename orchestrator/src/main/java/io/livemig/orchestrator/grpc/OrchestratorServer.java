package io.livemig.orchestrator.grpc;

import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.livemig.agent.grpc.GrpcServing;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The orchestrator's gRPC server: its service, the standard health service and reflection. */
public final class OrchestratorServer implements AutoCloseable {

    private final GrpcServing serving;

    private OrchestratorServer(GrpcServing serving) {
        this.serving = serving;
    }

    public static OrchestratorServer listen(String host, int port, Orchestrator orchestrator) throws IOException {
        return start(NettyServerBuilder.forAddress(new InetSocketAddress(host, port)), orchestrator);
    }

    public static OrchestratorServer start(ServerBuilder<?> builder, Orchestrator orchestrator) throws IOException {
        return new OrchestratorServer(GrpcServing.start(builder, new OrchestratorGrpcService(orchestrator),
                OrchestratorServiceGrpc.SERVICE_NAME));
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
