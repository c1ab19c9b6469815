package io.livemig.agent.grpc;

import io.grpc.ServerBuilder;
import io.livemig.agent.config.ConfigException;
import io.livemig.agent.service.HostAgent;
import io.livemig.agent.tls.AccessPolicy;
import io.livemig.agent.tls.AccessPolicy.Access;
import io.livemig.agent.tls.TransportSecurity;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** The agent's gRPC server: the agent service, the standard health service and reflection. */
public final class AgentServer implements AutoCloseable {

    /** Who may call which agent method: see {@link AccessPolicy}. */
    static final Map<String, Access> METHODS = Map.ofEntries(
            Map.entry("GetHostInfo", Access.READ),
            Map.entry("ListVms", Access.READ),
            Map.entry("GetMigration", Access.READ),
            Map.entry("WatchMigration", Access.READ),
            Map.entry("PrepareIncoming", Access.INCOMING),
            Map.entry("CancelIncoming", Access.INCOMING),
            Map.entry("StartMigration", Access.CONTROL),
            Map.entry("AbortMigration", Access.CONTROL),
            Map.entry("StartPostCopy", Access.CONTROL),
            Map.entry("SetMaxDowntime", Access.CONTROL),
            Map.entry("SetBandwidth", Access.CONTROL));

    private final GrpcServing serving;

    private AgentServer(GrpcServing serving) {
        this.serving = serving;
    }

    /**
     * The agent of {@code host}: identities in {@code allow} control migrations; {@code peers}
     * (the cluster's agents, by host name) may also prepare and cancel incoming migrations; any
     * identity with a certificate from the CA may read.
     */
    public static AccessPolicy policy(String host, Collection<String> allow, Collection<String> peers) {
        return new AccessPolicy("agent " + host, AgentServiceGrpc.SERVICE_NAME, METHODS, Set.copyOf(allow),
                Set.copyOf(peers));
    }

    /**
     * Serves on host:port over TCP: with TLS, only clients with a certificate from the CA get a
     * connection, and {@code policy} decides their calls; plaintext ignores {@code policy}.
     */
    public static AgentServer listen(String host, int port, HostAgent agent, TransportSecurity security,
            AccessPolicy policy) throws IOException, ConfigException {
        return new AgentServer(GrpcServing.start(GrpcTls.serverBuilder(host, port, security),
                new AgentGrpcService(agent), AgentServiceGrpc.SERVICE_NAME,
                security instanceof TransportSecurity.Insecure ? null : new AccessInterceptor(policy)));
    }

    /** Serves with the given builder (tests: an in-process one), without access checks. */
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
