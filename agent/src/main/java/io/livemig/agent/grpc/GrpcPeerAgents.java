package io.livemig.agent.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livemig.agent.service.AgentException;
import io.livemig.agent.service.Incoming;
import io.livemig.agent.service.IncomingRequest;
import io.livemig.agent.service.PeerAgents;
import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.GrpcTls;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.CancelIncomingRequest;
import io.livemig.proto.agent.v1.PrepareIncomingRequest;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Other agents over gRPC, one channel per address; their statuses become {@link AgentException}s. */
public final class GrpcPeerAgents implements PeerAgents, AutoCloseable {

    private final Function<String, ManagedChannel> opener;
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    /** Peers reached with {@code security}: with TLS, this agent's own certificate is its client certificate. */
    public GrpcPeerAgents(TransportSecurity security) throws ConfigException {
        this(GrpcTls.opener(security));
    }

    public GrpcPeerAgents(Function<String, ManagedChannel> opener) {
        this.opener = opener;
    }

    private AgentServiceGrpc.AgentServiceBlockingStub stub(String address) {
        return AgentServiceGrpc.newBlockingStub(channels.computeIfAbsent(address, opener))
                .withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Override
    public Incoming prepareIncoming(String agentAddress, IncomingRequest r) throws AgentException {
        try {
            PrepareIncomingRequest.Builder request = PrepareIncomingRequest.newBuilder()
                    .setVmName(r.vmName()).setVmUuid(r.vmUuid()).setDomainXml(r.domainXml())
                    .setMemoryBytes(r.memoryBytes()).setSourceHost(r.sourceHost())
                    .putAllSourceNetworks(r.sourceNetworks()).putAllSourceStorage(r.sourceStorage())
                    .putAllDiskSizes(r.diskSizes());
            r.dirtyRate().ifPresent(d -> request.setDirtyRateBytesPerS(d.bytesPerS()).setDirtyRateAgeMs(d.ageMs()));
            return AgentGrpcService.fromProto(stub(agentAddress).prepareIncoming(request.build()));
        } catch (StatusRuntimeException e) {
            throw fromStatus(agentAddress, e);
        }
    }

    @Override
    public boolean releaseIncoming(String agentAddress, String reservationId) throws AgentException {
        try {
            return stub(agentAddress).cancelIncoming(CancelIncomingRequest.newBuilder().setReservationId(reservationId)
                    .build()).getRemovedDeadVm();
        } catch (StatusRuntimeException e) {
            throw fromStatus(agentAddress, e);
        }
    }

    static AgentException fromStatus(String address, StatusRuntimeException e) {
        Status s = e.getStatus();
        AgentException.Code code = switch (s.getCode()) {
            case INVALID_ARGUMENT -> AgentException.Code.INVALID_ARGUMENT;
            case NOT_FOUND -> AgentException.Code.NOT_FOUND;
            case ALREADY_EXISTS -> AgentException.Code.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> AgentException.Code.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> AgentException.Code.RESOURCE_EXHAUSTED;
            case UNAVAILABLE, DEADLINE_EXCEEDED -> AgentException.Code.UNAVAILABLE;
            default -> AgentException.Code.INTERNAL;
        };
        String what = s.getDescription() != null ? s.getDescription() : s.getCode().toString();
        return new AgentException(code, "target agent " + address + ": " + what, e);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
