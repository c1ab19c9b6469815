package io.livemig.orchestrator.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.HostConfig;
import io.livemig.common.grpc.Deadlines;
import io.livemig.common.tls.GrpcTls;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.orchestrator.model.AgentProgress;
import io.livemig.orchestrator.model.GuestVm;
import io.livemig.orchestrator.model.HostReport;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.service.AgentCallException;
import io.livemig.orchestrator.service.Agents;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.GetHostInfoRequest;
import io.livemig.proto.agent.v1.ListVmsRequest;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationRef;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/** The hosts' agents over gRPC, one channel per address; every call has a deadline; messages become records here. */
public final class GrpcAgents implements Agents, AutoCloseable {

    private static final long CALL_DEADLINE_S = 10;
    /** A watch stream is re-opened after this long; the agent ends it at the migration's end. */
    private static final long WATCH_DEADLINE_S = 3600;

    private final Function<String, ManagedChannel> opener;
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    /** Agents reached with {@code security}: with TLS, the orchestrator's certificate is its client certificate. */
    public GrpcAgents(TransportSecurity security) throws ConfigException {
        this(GrpcTls.opener(security));
    }

    public GrpcAgents(Function<String, ManagedChannel> opener) {
        this.opener = opener;
    }

    private AgentServiceGrpc.AgentServiceBlockingStub stub(HostConfig host, long deadlineS) {
        return AgentServiceGrpc.newBlockingStub(channels.computeIfAbsent(host.agent(), opener))
                .withDeadlineAfter(deadlineS, TimeUnit.SECONDS);
    }

    @Override
    public HostReport hostReport(HostConfig host) throws AgentCallException {
        try {
            return AgentMessages.hostReport(stub(host, CALL_DEADLINE_S)
                    .getHostInfo(GetHostInfoRequest.getDefaultInstance()));
        } catch (StatusRuntimeException e) {
            throw failed(host, e);
        }
    }

    @Override
    public List<GuestVm> runningVms(HostConfig host) throws AgentCallException {
        try {
            return stub(host, CALL_DEADLINE_S).listVms(ListVmsRequest.newBuilder().setActiveOnly(true).build())
                    .getVmsList().stream().map(AgentMessages::guestVm).toList();
        } catch (StatusRuntimeException e) {
            throw failed(host, e);
        }
    }

    @Override
    public String startMigration(HostConfig source, String vm, HostConfig target, TransferOptions options)
            throws AgentCallException {
        try {
            return stub(source, 120).startMigration(StartMigrationRequest.newBuilder().setVmName(vm)
                    .setTargetAgent(target.agent()).setOptions(AgentMessages.options(options)).build()).getMigrationId();
        } catch (StatusRuntimeException e) {
            throw failed(source, e);
        }
    }

    @Override
    public AgentProgress watch(HostConfig source, String agentMigrationId, Consumer<AgentProgress> progress)
            throws AgentCallException {
        try {
            Iterator<MigrationProgress> it = stub(source, WATCH_DEADLINE_S)
                    .watchMigration(MigrationRef.newBuilder().setMigrationId(agentMigrationId).build());
            AgentProgress last = null;
            while (it.hasNext()) {
                last = AgentMessages.progress(it.next());
                progress.accept(last);
            }
            return last;
        } catch (StatusRuntimeException e) {
            throw failed(source, e);
        }
    }

    @Override
    public Optional<AgentProgress> migration(HostConfig source, String agentMigrationId) throws AgentCallException {
        try {
            return Optional.of(AgentMessages.progress(stub(source, CALL_DEADLINE_S)
                    .getMigration(MigrationRef.newBuilder().setMigrationId(agentMigrationId).build())));
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw failed(source, e);
        }
    }

    @Override
    public void abort(HostConfig source, String agentMigrationId) throws AgentCallException {
        try {
            stub(source, CALL_DEADLINE_S).abortMigration(MigrationRef.newBuilder().setMigrationId(agentMigrationId).build());
        } catch (StatusRuntimeException e) {
            throw failed(source, e);
        }
    }

    private static AgentCallException failed(HostConfig host, StatusRuntimeException e) {
        Status s = e.getStatus();
        boolean unreachable = s.getCode() == Status.Code.UNAVAILABLE || s.getCode() == Status.Code.DEADLINE_EXCEEDED;
        String late = Deadlines.noAnswer(s);
        String what = late != null ? late : s.getDescription() != null ? s.getDescription() : s.getCode().toString();
        return new AgentCallException("agent of " + host.name() + " (" + host.agent() + "): " + what, !unreachable,
                s.getCode() == Status.Code.NOT_FOUND, e);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
