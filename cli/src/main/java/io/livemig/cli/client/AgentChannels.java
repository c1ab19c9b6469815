package io.livemig.cli.client;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.GrpcTls;
import io.livemig.common.tls.TransportSecurity;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * gRPC channels to agents (and to the orchestrator), one per address, closed together.
 * Production ({@link #secured()}) opens TCP channels with the client's transport security, which
 * the command line decides ({@link ClientSecurity}) when the first channel is opened, so commands
 * that never connect need no certificate. Tests pass a fixed opener (in-process channels).
 *
 * <p>The TCP channels share one event loop of this class's own, which {@link #close} ends at once,
 * rather than grpc's shared one, which outlives its last channel by a second: HotSpot waits about
 * 300 ms before it exits while a thread is in native code (an event loop in epoll_wait), and that
 * was a third of a short command's time. NIO rather than netty's epoll transport, which extracts
 * and loads a native library on every run and takes longer to stop.
 */
public final class AgentChannels implements AutoCloseable {

    /** Plaintext TCP whatever the options say; for tests against plaintext servers. */
    public static final Function<String, ManagedChannel> PLAINTEXT =
            address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build();

    /** Decides the client's transport security; throws {@link ConfigException} when it cannot. */
    public interface SecuritySource {
        TransportSecurity get() throws ConfigException;
    }

    /** How long {@link #close} waits for the event loop's thread to end; it normally takes milliseconds. */
    private static final Duration EVENT_LOOP_STOP = Duration.ofSeconds(2);

    private final Function<String, ManagedChannel> fixed;
    private SecuritySource security;
    private Function<String, ManagedChannel> opener;
    private EventLoopGroup eventLoop;
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
        return open.computeIfAbsent(agentAddress, a -> {
            ManagedChannel channel = opener().apply(a);
            try {
                // Connecting (TCP, the TLS handshake) starts now, on the event loop, while the
                // caller still builds its request; the first call would otherwise start it.
                channel.getState(true);
            } catch (UnsupportedOperationException e) {
                // A channel that cannot tell its state connects on its first call.
            }
            return channel;
        });
    }

    private Function<String, ManagedChannel> opener() {
        if (fixed != null) {
            return fixed;
        }
        if (opener == null) {
            ChannelCredentials credentials;
            try {
                credentials = GrpcTls.channelCredentials(security == null ? ClientSecurity.resolve(TlsFlags.NONE,
                        System.getenv(), ClientTarget.CLIENT_FILES) : security.get());
            } catch (ConfigException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            opener = address -> NettyChannelBuilder.forTarget(address, credentials)
                    .eventLoopGroup(eventLoop()).channelType(NioSocketChannel.class).build();
        }
        return opener;
    }

    private EventLoopGroup eventLoop() {
        if (eventLoop == null) {
            eventLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("livemig-grpc", true),
                    NioIoHandler.newFactory());
        }
        return eventLoop;
    }

    @Override
    public synchronized void close() {
        open.values().forEach(ManagedChannel::shutdownNow);
        open.clear();
        if (eventLoop != null) {
            eventLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS)
                    .awaitUninterruptibly(EVENT_LOOP_STOP.toMillis(), TimeUnit.MILLISECONDS);
            eventLoop = null;
        }
    }
}
