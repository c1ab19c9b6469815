package io.livemig.orchestrator.grpc;

import io.grpc.ServerBuilder;
import io.livemig.agent.config.ConfigException;
import io.livemig.agent.grpc.AccessInterceptor;
import io.livemig.agent.grpc.GrpcServing;
import io.livemig.agent.grpc.GrpcTls;
import io.livemig.agent.tls.AccessPolicy;
import io.livemig.agent.tls.AccessPolicy.Access;
import io.livemig.agent.tls.TransportSecurity;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** The orchestrator's gRPC server: its service, the standard health service and reflection. */
public final class OrchestratorServer implements AutoCloseable {

    /** Reading (and planning without acting) is open to every identity; changing things is not. */
    static final Map<String, Access> METHODS = Map.ofEntries(
            Map.entry("ListHosts", Access.READ),
            Map.entry("ListVms", Access.READ),
            Map.entry("Watch", Access.READ),
            Map.entry("History", Access.READ),
            Map.entry("PlanRebalance", Access.READ),
            Map.entry("Rounds", Access.READ),
            Map.entry("Migrate", Access.CONTROL),
            Map.entry("Abort", Access.CONTROL),
            Map.entry("Rebalance", Access.CONTROL),
            Map.entry("Drain", Access.CONTROL),
            Map.entry("SetHostState", Access.CONTROL));

    private final GrpcServing serving;

    private OrchestratorServer(GrpcServing serving) {
        this.serving = serving;
    }

    /** Identities in {@code allow} may migrate, abort, rebalance, drain and set host states. */
    public static AccessPolicy policy(Collection<String> allow) {
        return new AccessPolicy("the orchestrator", OrchestratorServiceGrpc.SERVICE_NAME, METHODS, Set.copyOf(allow),
                Set.of());
    }

    /** Serves on host:port over TCP; with TLS, {@code policy} decides every call (plaintext ignores it). */
    public static OrchestratorServer listen(String host, int port, Orchestrator orchestrator,
            TransportSecurity security, AccessPolicy policy) throws IOException, ConfigException {
        return new OrchestratorServer(GrpcServing.start(GrpcTls.serverBuilder(host, port, security),
                new OrchestratorGrpcService(orchestrator), OrchestratorServiceGrpc.SERVICE_NAME,
                security instanceof TransportSecurity.Insecure ? null : new AccessInterceptor(policy)));
    }

    /** Serves with the given builder (tests: an in-process one), without access checks. */
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
