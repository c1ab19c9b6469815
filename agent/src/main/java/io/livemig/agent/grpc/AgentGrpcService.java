package io.livemig.agent.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.livemig.agent.core.DomainType;
import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.service.AgentException;
import io.livemig.agent.service.HostAgent;
import io.livemig.agent.service.HostStatus;
import io.livemig.agent.service.Incoming;
import io.livemig.agent.service.IncomingRequest;
import io.livemig.agent.service.MigrationOptionsValue;
import io.livemig.common.predict.Objective;
import io.livemig.agent.service.MigrationView;
import io.livemig.agent.service.VmDetails;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.Binding;
import io.livemig.proto.agent.v1.CancelIncomingRequest;
import io.livemig.proto.agent.v1.CancelIncomingResponse;
import io.livemig.proto.agent.v1.Escalation;
import io.livemig.proto.agent.v1.GetHostInfoRequest;
import io.livemig.proto.agent.v1.HostInfo;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.ListVmsRequest;
import io.livemig.proto.agent.v1.ListVmsResponse;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.MigrationPhase;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationRef;
import io.livemig.proto.agent.v1.MigrationResult;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.PrepareIncomingRequest;
import io.livemig.proto.agent.v1.PrepareIncomingResponse;
import io.livemig.proto.agent.v1.RebindRule;
import io.livemig.proto.agent.v1.SetBandwidthRequest;
import io.livemig.proto.agent.v1.SetMaxDowntimeRequest;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import io.livemig.proto.agent.v1.StartMigrationResponse;
import io.livemig.proto.agent.v1.SteerResponse;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.proto.agent.v1.VmState;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** The gRPC face of {@link HostAgent}: converts messages, maps {@link AgentException} codes to statuses. */
final class AgentGrpcService extends AgentServiceGrpc.AgentServiceImplBase {

    /** How long one wait for news of a watched migration lasts before the stream checks the caller is still there. */
    private static final Duration WATCH_POLL = Duration.ofSeconds(1);

    private final HostAgent agent;

    AgentGrpcService(HostAgent agent) {
        this.agent = agent;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws AgentException, InterruptedException;
    }

    private static <T> void unary(StreamObserver<T> observer, Call<T> call) {
        try {
            observer.onNext(call.run());
            observer.onCompleted();
        } catch (AgentException e) {
            observer.onError(status(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            observer.onError(Status.CANCELLED.withDescription("agent shutting down").asRuntimeException());
        } catch (RuntimeException e) {
            observer.onError(Status.INTERNAL.withDescription(e.toString()).withCause(e).asRuntimeException());
        }
    }

    @FunctionalInterface
    private interface Steer {
        void run() throws AgentException;
    }

    /** A steering call: no answer but success or a status. */
    private static void steer(StreamObserver<SteerResponse> observer, Steer steer) {
        unary(observer, () -> {
            steer.run();
            return SteerResponse.getDefaultInstance();
        });
    }

    static StatusRuntimeException status(AgentException e) {
        Status status = switch (e.code()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case INTERNAL -> Status.INTERNAL;
        };
        return status.withDescription(e.getMessage()).asRuntimeException();
    }

    @Override
    public void getHostInfo(GetHostInfoRequest request, StreamObserver<HostInfo> observer) {
        unary(observer, () -> hostInfo(agent.status()));
    }

    @Override
    public void listVms(ListVmsRequest request, StreamObserver<ListVmsResponse> observer) {
        unary(observer, () -> {
            ListVmsResponse.Builder b = ListVmsResponse.newBuilder();
            for (VmDetails d : agent.vms(request.getActiveOnly())) {
                Vm.Builder vm = Vm.newBuilder().setName(d.vm().name()).setUuid(d.vm().uuid())
                        .setState(vmState(d.vm().state())).setStateReason(d.vm().status().notableReason())
                        .setMemoryBytes(d.vm().memoryBytes()).setVcpus(d.vm().vcpus())
                        .setCpuUtilisation(d.cpuUtilisation())
                        .setDirtyRateBytesPerS(d.dirtyRateBytesPerSec())
                        .setRamHeldBytes(d.ramHeldBytes());
                for (VmDetails.BindingView bv : d.bindings()) {
                    vm.addBindings(Binding.newBuilder().setKind(bv.kind()).setDevice(bv.device()).setResource(bv.resource()));
                }
                b.addVms(vm);
            }
            return b.build();
        });
    }

    @Override
    public void prepareIncoming(PrepareIncomingRequest r, StreamObserver<PrepareIncomingResponse> observer) {
        unary(observer, () -> {
            // An out-of-range reading (an unsigned value past Long.MAX_VALUE) is dropped, not refused.
            Optional<IncomingRequest.DirtyRateReading> reading = r.hasDirtyRateBytesPerS()
                    && r.getDirtyRateBytesPerS() >= 0 && r.getDirtyRateAgeMs() >= 0
                    ? Optional.of(new IncomingRequest.DirtyRateReading(r.getDirtyRateBytesPerS(), r.getDirtyRateAgeMs()))
                    : Optional.empty();
            Incoming in = agent.prepareIncoming(new IncomingRequest(r.getVmName(), r.getVmUuid(), r.getDomainXml(),
                    r.getMemoryBytes(), r.getSourceHost(), r.getSourceNetworksMap(), r.getSourceStorageMap(),
                    r.getDiskSizesMap(), reading));
            return toProto(in);
        });
    }

    @Override
    public void cancelIncoming(CancelIncomingRequest r, StreamObserver<CancelIncomingResponse> observer) {
        unary(observer, () -> {
            boolean removed = agent.releaseIncoming(r.getReservationId());
            return CancelIncomingResponse.newBuilder().setRemovedDeadVm(removed).build();
        });
    }

    @Override
    public void startMigration(StartMigrationRequest r, StreamObserver<StartMigrationResponse> observer) {
        unary(observer, () -> {
            HostAgent.Started started = agent.startMigration(r.getVmName(), r.getTargetAgent(), options(r.getOptions()));
            StartMigrationResponse.Builder b = StartMigrationResponse.newBuilder()
                    .setMigrationId(started.id()).setTargetHost(started.incoming().targetHost());
            started.incoming().plan().forEach(step -> b.addPlan(rule(step)));
            return b.build();
        });
    }

    @Override
    public void getMigration(MigrationRef r, StreamObserver<MigrationProgress> observer) {
        unary(observer, () -> progress(agent.view(r.getMigrationId()), true));
    }

    @Override
    public void watchMigration(MigrationRef r, StreamObserver<MigrationProgress> responses) {
        ServerCallStreamObserver<MigrationProgress> observer = (ServerCallStreamObserver<MigrationProgress>) responses;
        try {
            MigrationView view = agent.view(r.getMigrationId());
            observer.onNext(progress(view, view.ended()));
            while (!view.ended() && !observer.isCancelled()) {
                MigrationView next = agent.awaitView(r.getMigrationId(), view.version(), WATCH_POLL);
                if (next.version() != view.version()) {
                    observer.onNext(progress(next, next.ended()));
                }
                view = next;
            }
            if (!observer.isCancelled()) {
                observer.onCompleted();
            }
        } catch (AgentException e) {
            observer.onError(status(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            observer.onError(Status.CANCELLED.withDescription("agent shutting down").asRuntimeException());
        } catch (StatusRuntimeException e) {
            // the caller went away while we sent
        }
    }

    @Override
    public void abortMigration(MigrationRef r, StreamObserver<SteerResponse> observer) {
        steer(observer, () -> agent.abort(r.getMigrationId()));
    }

    @Override
    public void startPostCopy(MigrationRef r, StreamObserver<SteerResponse> observer) {
        steer(observer, () -> agent.startPostCopy(r.getMigrationId()));
    }

    @Override
    public void setMaxDowntime(SetMaxDowntimeRequest r, StreamObserver<SteerResponse> observer) {
        steer(observer, () -> agent.setMaxDowntime(r.getMigrationId(), r.getMaxDowntimeMs()));
    }

    @Override
    public void setBandwidth(SetBandwidthRequest r, StreamObserver<SteerResponse> observer) {
        steer(observer, () -> agent.setBandwidth(r.getMigrationId(), r.getBandwidthMibps()));
    }

    // --- conversions ------------------------------------------------------------------------

    static MigrationOptionsValue options(MigrationOptions o) throws AgentException {
        CopyMode mode = switch (o.getMode()) {
            case MIGRATION_MODE_UNSPECIFIED, MIGRATION_MODE_AUTO -> CopyMode.AUTO;
            case MIGRATION_MODE_PRECOPY -> CopyMode.PRECOPY;
            case MIGRATION_MODE_STOPCOPY -> CopyMode.STOPCOPY;
            case MIGRATION_MODE_POSTCOPY -> CopyMode.POSTCOPY;
            case UNRECOGNIZED -> throw new AgentException(AgentException.Code.INVALID_ARGUMENT,
                    "unknown migration mode " + o.getModeValue() + " (known: auto, precopy, stopcopy, postcopy)");
        };
        MigrationSpec.Compression compression = switch (o.getCompression()) {
            case COMPRESSION_UNSPECIFIED -> null; // the policy chooses
            case COMPRESSION_NONE -> MigrationSpec.Compression.NONE;
            case COMPRESSION_XBZRLE -> MigrationSpec.Compression.XBZRLE;
            case COMPRESSION_ZSTD -> MigrationSpec.Compression.ZSTD;
            case UNRECOGNIZED -> throw new AgentException(AgentException.Code.INVALID_ARGUMENT,
                    "unknown compression " + o.getCompressionValue() + " (known: none, xbzrle, zstd)");
        };
        Objective objective = switch (o.getObjective()) {
            case AUTO_OBJECTIVE_UNSPECIFIED -> null;
            case AUTO_OBJECTIVE_SAFE -> Objective.SAFE;
            case AUTO_OBJECTIVE_FASTEST -> Objective.FASTEST;
            case UNRECOGNIZED -> throw new AgentException(AgentException.Code.INVALID_ARGUMENT,
                    "unknown objective " + o.getObjectiveValue() + " (known: safe, fastest)");
        };
        return MigrationOptionsValue.checked(mode, o.getMaxDowntimeMs(), o.getBandwidthMibps(), o.getTimeoutS(),
                o.getAutoConverge(), compression, o.getParallelConnections(), !o.getDisallowPostcopy(),
                !o.getDisallowSuspend(), objective);
    }

    static HostInfo hostInfo(HostStatus s) {
        return HostInfo.newBuilder()
                .setHostname(s.info().hostname())
                .setLibvirtUri(s.info().libvirtUri())
                .setHypervisorType(s.info().hypervisorType())
                .setHypervisorVersion(s.info().hypervisorVersion())
                .setLibvirtVersion(s.info().libvirtVersion())
                .setCpus(s.info().cpus())
                .setMemoryTotalBytes(s.info().memoryTotalBytes())
                .setMemoryFreeBytes(s.info().memoryFreeBytes())
                .setVirtType(s.info().virtType() == DomainType.KVM ? io.livemig.proto.agent.v1.VirtType.VIRT_TYPE_KVM
                        : s.info().virtType() == DomainType.QEMU ? io.livemig.proto.agent.v1.VirtType.VIRT_TYPE_QEMU
                        : io.livemig.proto.agent.v1.VirtType.VIRT_TYPE_UNSPECIFIED)
                .setClusterHostName(s.hostName())
                .setMemoryReservedBytes(s.memoryReservedBytes())
                .setRunningVms(s.runningVms())
                .setMigrationsOutgoing(s.migrationsOutgoing())
                .setMigrationsIncoming(s.migrationsIncoming())
                .setGuestCpuUtilisation(s.guestCpuUtilisation())
                .setMemoryCommittedBytes(s.memoryCommittedBytes())
                .setCpuModel(s.info().cpuModel())
                .build();
    }

    static VmState vmState(io.livemig.agent.core.DomainState state) {
        return switch (state) {
            case RUNNING -> VmState.VM_STATE_RUNNING;
            case BLOCKED -> VmState.VM_STATE_BLOCKED;
            case PAUSED -> VmState.VM_STATE_PAUSED;
            case SHUTTING_DOWN -> VmState.VM_STATE_SHUTTING_DOWN;
            case SHUT_OFF -> VmState.VM_STATE_SHUT_OFF;
            case CRASHED -> VmState.VM_STATE_CRASHED;
            case PM_SUSPENDED -> VmState.VM_STATE_PM_SUSPENDED;
            default -> VmState.VM_STATE_UNSPECIFIED;
        };
    }

    static PrepareIncomingResponse toProto(Incoming in) {
        PrepareIncomingResponse.Builder b = PrepareIncomingResponse.newBuilder()
                .setReservationId(in.reservationId()).setLibvirtUri(in.libvirtUri()).setMigrateUri(in.migrateUri())
                .setDestinationXml(in.destinationXml()).setTargetHost(in.targetHost()).addAllCopyDisks(in.copyDisks());
        in.plan().forEach(step -> b.addPlan(rule(step)));
        return b.build();
    }

    static Incoming fromProto(PrepareIncomingResponse r) {
        return new Incoming(r.getReservationId(), r.getTargetHost(), r.getLibvirtUri(), r.getMigrateUri(),
                r.getDestinationXml(),
                r.getPlanList().stream().map(p -> new Incoming.PlanStep(p.getKind(), p.getDevice(), p.getAction(),
                        p.getFrom(), p.getTo(), p.getReason())).toList(),
                r.getCopyDisksList());
    }

    static RebindRule rule(Incoming.PlanStep step) {
        return RebindRule.newBuilder().setKind(step.kind()).setDevice(step.device()).setAction(step.action())
                .setFrom(step.from()).setTo(step.to()).setReason(step.reason()).build();
    }

    static MigrationProgress progress(MigrationView v, boolean withSamples) {
        MigrationProgress.Builder b = MigrationProgress.newBuilder().setMigrationId(v.id()).setVmName(v.vmName())
                .setSourceHost(v.sourceHost()).setTargetHost(v.targetHost()).setStatus(status(v.status()));
        if (v.latest() != null) {
            b.setSnapshot(snapshot(v.latest()));
        }
        if (withSamples) {
            v.samples().forEach(s -> b.addSamples(snapshot(s)));
        }
        if (v.result() != null) {
            MigrationView.Result r = v.result();
            MigrationResult.Builder rb = MigrationResult.newBuilder().setStatus(status(r.status()))
                    .setModeRequested(mode(r.modeRequested())).setModeUsed(mode(r.modeUsed()))
                    .setTotalMs(r.totalMs()).setDowntimeMs(r.downtimeMs()).setSetupMs(r.setupMs())
                    .setBytesTransferred(r.bytesTransferred()).setMemoryBytes(r.memoryBytes())
                    .setIterations(r.iterations()).setPostcopyRequests(r.postcopyRequests())
                    .setError(r.error() == null ? "" : r.error());
            r.phases().forEach(p -> rb.addPhases(io.livemig.proto.agent.v1.Phase.newBuilder().setName(p.name())
                    .setWhere(p.where()).setStartMs(p.startMs()).setDurationMs(p.durationMs())));
            for (MigrationView.Step e : r.escalations()) {
                rb.addEscalations(Escalation.newBuilder().setAtMs(e.atMs()).setIteration(e.iteration())
                        .setKind(e.kind()).setValue(e.value()).setReason(e.reason()));
            }
            b.setResult(rb);
        }
        return b.build();
    }

    private static JobSnapshot snapshot(MigrationView.Sample s) {
        JobSnapshot.Builder b = JobSnapshot.newBuilder().setElapsedMs(s.elapsedMs()).setPhase(phase(s.phase()))
                .setIteration(s.iteration()).setBytesProcessed(s.bytesProcessed()).setBytesRemaining(s.bytesRemaining())
                .setBytesTotal(s.bytesTotal()).setDirtyRateBytesPerS(s.dirtyRateBytesPerS())
                .setBandwidthBytesPerS(s.bandwidthBytesPerS()).setThrottlePercent(s.throttlePercent())
                .setExpectedDowntimeMs(s.expectedDowntimeMs()).setProgress(s.progress());
        if (s.etaMs() >= 0) {
            b.setEtaMs(s.etaMs());
        }
        return b.build();
    }

    private static MigrationPhase phase(String phase) {
        try {
            return MigrationPhase.valueOf("MIGRATION_PHASE_" + phase.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return MigrationPhase.MIGRATION_PHASE_UNSPECIFIED;
        }
    }

    private static io.livemig.proto.agent.v1.MigrationMode mode(String mode) {
        try {
            return io.livemig.proto.agent.v1.MigrationMode.valueOf("MIGRATION_MODE_" + mode.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            return io.livemig.proto.agent.v1.MigrationMode.MIGRATION_MODE_UNSPECIFIED;
        }
    }

    private static MigrationStatus status(MigrationView.Status s) {
        return switch (s) {
            case RUNNING -> MigrationStatus.MIGRATION_STATUS_RUNNING;
            case SUCCEEDED -> MigrationStatus.MIGRATION_STATUS_SUCCEEDED;
            case FAILED -> MigrationStatus.MIGRATION_STATUS_FAILED;
            case ABORTED -> MigrationStatus.MIGRATION_STATUS_ABORTED;
        };
    }

}
