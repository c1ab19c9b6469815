package io.livemig.cli.client;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.GrpcTls;
import io.livemig.common.tls.TransportSecurity;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * gRPC channels to agents (and to the orchestrator), one per address, closed together.
 * Production ({@link #secured()}) opens TCP channels with the client's transport security, which
 * the command line decides ({@link ClientSecurity}) when the first channel is opened, so commands
 * that never connect need no certificate. Tests pass a fixed opener (in-process channels).
 */
public final class AgentChannels implements AutoCloseable {

    /** Plaintext TCP whatever the options say; for tests against plaintext servers. */
    public static final Function<String, ManagedChannel> PLAINTEXT =
            address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build();

    /** Decides the client's transport security; throws {@link ConfigException} when it cannot. */
    public interface SecuritySource {
        TransportSecurity get() throws ConfigException;
    }

    private final Function<String, ManagedChannel> fixed;
    private SecuritySource security;
    private Function<String, ManagedChannel> opener;
    private final Map<String, ManagedChannel> open = new HashMap<>();

    /** Channels opened by {@code opener}, whatever the TLS options say. */
    public AgentChannels(Function<String, ManagedChannel> opener) {
        this.fixed = opener;
    }

    /** TCP channels with the security the command line decides (mutual TLS unless --insecure). */
    public static AgentChannels secured() {
        return new AgentChannels(null);
    }

    /** Where the security comes from; set once the command line exists, since its options decide. */
    public synchronized void securedBy(SecuritySource source) {
        this.security = source;
    }

    /**
     * The channel to {@code agentAddress}, opened on first use.
     *
     * @throws IllegalArgumentException with a one-line message when no transport security is
     *     configured or its files cannot be used (exit code 2)
     */
    public synchronized ManagedChannel to(String agentAddress) {
        return open.computeIfAbsent(agentAddress, a -> opener().apply(a));
    }

    private Function<String, ManagedChannel> opener() {
        if (fixed != null) {
            return fixed;
        }
        if (opener == null) {
            try {
                opener = GrpcTls.opener(security == null ? ClientSecurity.resolve(TlsFlags.NONE, System.getenv(),
                        ClientTarget.CLIENT_FILES) : security.get());
            } catch (ConfigException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return opener;
    }

    @Override
    public synchronized void close() {
        open.values().forEach(ManagedChannel::shutdownNow);
        open.clear();
    }
}
