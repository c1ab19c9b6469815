package io.livemig.orchestrator.grpc;

import io.grpc.ServerBuilder;
import io.livemig.common.access.AccessPolicy;
import io.livemig.common.access.AccessPolicy.Access;
import io.livemig.common.config.ConfigException;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.common.value.HostPort;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The orchestrator's gRPC server: its service, the standard health service and reflection. */
public final class OrchestratorServer {

    private OrchestratorServer() {
    }

    /**
     * Reading (and planning without acting: PlanRebalance, and Plan, the pre-flight advice for one
     * migration, which records and starts nothing) is open to every identity; changing things is not.
     */
    static final Map<String, Access> METHODS = AccessPolicy.methods(Map.of(
            Access.READ, List.of("ListHosts", "ListVms", "Watch", "History", "PlanRebalance", "Plan", "Rounds"),
            Access.CONTROL, List.of("Migrate", "Abort", "Rebalance", "Drain", "SetHostState")));

    /** Identities in {@code allow} may migrate, abort, rebalance, drain and set host states. */
    public static AccessPolicy policy(Collection<String> allow) {
        return new AccessPolicy("the orchestrator", OrchestratorServiceGrpc.SERVICE_NAME, METHODS, Set.copyOf(allow),
                Set.of());
    }

    /** Serves the orchestrator on {@code address}: see {@link GrpcServing#listen}. */
    public static GrpcServing listen(HostPort address, Orchestrator orchestrator, TransportSecurity security,
            AccessPolicy policy) throws IOException, ConfigException {
        return GrpcServing.listen(address, new OrchestratorGrpcService(orchestrator), security, policy);
    }

    /** Serves with the given builder (tests: an in-process one), without access checks. */
    public static GrpcServing start(ServerBuilder<?> builder, Orchestrator orchestrator) throws IOException {
        return GrpcServing.start(builder, new OrchestratorGrpcService(orchestrator));
    }
}
