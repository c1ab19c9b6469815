package io.livemig.agent.grpc;

import io.grpc.ServerBuilder;
import io.livemig.agent.service.HostAgent;
import io.livemig.common.access.AccessPolicy;
import io.livemig.common.access.AccessPolicy.Access;
import io.livemig.common.config.ConfigException;
import io.livemig.common.grpc.GrpcServing;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.common.value.HostPort;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The agent's gRPC server: the agent service, the standard health service and reflection. */
public final class AgentServer {

    private AgentServer() {
    }

    /** Who may call which agent method: see {@link AccessPolicy}. */
    static final Map<String, Access> METHODS = AccessPolicy.methods(Map.of(
            Access.READ, List.of("GetHostInfo", "ListVms", "GetMigration", "WatchMigration"),
            Access.INCOMING, List.of("PrepareIncoming", "CancelIncoming"),
            Access.CONTROL, List.of("StartMigration", "AbortMigration", "StartPostCopy", "SetMaxDowntime",
                    "SetBandwidth")));

    /**
     * The agent of {@code host}: identities in {@code allow} control migrations; {@code peers}
     * (the cluster's agents, by host name) may also prepare and cancel incoming migrations; any
     * identity with a certificate from the CA may read.
     */
    public static AccessPolicy policy(String host, Collection<String> allow, Collection<String> peers) {
        return new AccessPolicy("agent " + host, AgentServiceGrpc.SERVICE_NAME, METHODS, Set.copyOf(allow),
                Set.copyOf(peers));
    }

    /** Serves the agent on {@code address}: see {@link GrpcServing#listen}. */
    public static GrpcServing listen(HostPort address, HostAgent agent, TransportSecurity security,
            AccessPolicy policy) throws IOException, ConfigException {
        return GrpcServing.listen(address, new AgentGrpcService(agent), security, policy);
    }

    /** Serves with the given builder (tests: an in-process one), without access checks. */
    public static GrpcServing start(ServerBuilder<?> builder, HostAgent agent) throws IOException {
        return GrpcServing.start(builder, new AgentGrpcService(agent));
    }
}
