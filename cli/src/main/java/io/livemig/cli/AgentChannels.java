package io.livemig.cli;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * gRPC channels to agents (and to the orchestrator), one per address, closed together. Production opens plaintext TCP
 * channels; tests pass a function that opens in-process ones.
 */
public final class AgentChannels implements AutoCloseable {

    static final Function<String, ManagedChannel> PLAINTEXT =
            address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build();

    private final Function<String, ManagedChannel> opener;
    private final Map<String, ManagedChannel> open = new HashMap<>();

    AgentChannels(Function<String, ManagedChannel> opener) {
        this.opener = opener;
    }

    synchronized ManagedChannel to(String agentAddress) {
        return open.computeIfAbsent(agentAddress, opener);
    }

    @Override
    public synchronized void close() {
        open.values().forEach(ManagedChannel::shutdownNow);
        open.clear();
    }
}
