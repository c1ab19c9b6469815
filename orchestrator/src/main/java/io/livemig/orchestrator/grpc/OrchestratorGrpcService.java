package io.livemig.orchestrator.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.livemig.common.grpc.ServerAnswers;
import io.livemig.common.input.Inputs;
import io.livemig.common.timeline.Phases;
import io.livemig.common.timeline.Timeline;
import io.livemig.orchestrator.history.HistoryException;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.history.RoundRecord;
import io.livemig.orchestrator.placement.Plan;
import io.livemig.orchestrator.placement.TargetChoice;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.orchestrator.service.OrchestratorException;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.TransferMode;
import io.livemig.proto.orchestrator.v1.Candidate;
import io.livemig.proto.orchestrator.v1.DrainRequest;
import io.livemig.proto.orchestrator.v1.HistoryRequest;
import io.livemig.proto.orchestrator.v1.HistoryResponse;
import io.livemig.proto.orchestrator.v1.Host;
import io.livemig.proto.orchestrator.v1.HostState;
import io.livemig.proto.orchestrator.v1.ListHostsRequest;
import io.livemig.proto.orchestrator.v1.ListHostsResponse;
import io.livemig.proto.orchestrator.v1.ListVmsRequest;
import io.livemig.proto.orchestrator.v1.ListVmsResponse;
import io.livemig.proto.orchestrator.v1.MigrateRequest;
import io.livemig.proto.orchestrator.v1.MigrateResponse;
import io.livemig.proto.orchestrator.v1.Migration;
import io.livemig.proto.orchestrator.v1.MigrationId;
import io.livemig.proto.orchestrator.v1.MigrationState;
import io.livemig.proto.orchestrator.v1.MigrationUpdate;
import io.livemig.proto.orchestrator.v1.Move;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import io.livemig.proto.orchestrator.v1.PlacementDecision;
import io.livemig.proto.orchestrator.v1.PlanRequest;
import io.livemig.proto.orchestrator.v1.PlanResponse;
import io.livemig.proto.orchestrator.v1.RebalanceRequest;
import io.livemig.proto.orchestrator.v1.RebalanceResponse;
import io.livemig.proto.orchestrator.v1.Rejection;
import io.livemig.proto.orchestrator.v1.Round;
import io.livemig.proto.orchestrator.v1.RoundsRequest;
import io.livemig.proto.orchestrator.v1.RoundsResponse;
import io.livemig.proto.orchestrator.v1.SetHostStateRequest;
import io.livemig.proto.orchestrator.v1.Vm;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The orchestrator's gRPC API: checks what a request carries (options, limits, and the VM names,
 * host names and migration ids the orchestrator then takes as valid), converts messages and calls
 * {@link Orchestrator}; nothing else.
 */
final class OrchestratorGrpcService extends OrchestratorServiceGrpc.OrchestratorServiceImplBase {

    private static final Duration WATCH_TICK = Duration.ofSeconds(1);

    private final Orchestrator orchestrator;

    /** How this service marks the statuses it decides ({@link ServerAnswers}). */
    private static final String SELF = "orchestrator";

    OrchestratorGrpcService(Orchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws OrchestratorException;
    }

    private static <T> void unary(StreamObserver<T> observer, Call<T> call) {
        T response;
        try {
            response = call.run();
        } catch (OrchestratorException e) {
            observer.onError(status(e));
            return;
        } catch (HistoryException e) {
            observer.onError(status(e));
            return;
        } catch (RuntimeException e) {
            observer.onError(Status.INTERNAL.withDescription(String.valueOf(e)).withCause(e).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    /**
     * The history could not be read or written: an operator's storage problem, not a bug. A full
     * disk is RESOURCE_EXHAUSTED, anything else (read-only, locked, damaged) UNAVAILABLE; the
     * description is the one line naming the file, without Java class names.
     */
    static StatusRuntimeException status(HistoryException e) {
        Status status = e.storageFull() ? Status.RESOURCE_EXHAUSTED : Status.UNAVAILABLE;
        return ServerAnswers.answer(status.withDescription(e.getMessage()), SELF);
    }

    static StatusRuntimeException status(OrchestratorException e) {
        Status status = switch (e.code()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case UNAVAILABLE -> Status.UNAVAILABLE;
        };
        return ServerAnswers.answer(status.withDescription(e.getMessage()), SELF);
    }

    @Override
    public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> observer) {
        unary(observer, () -> {
            Orchestrator.HistoryHealth health = orchestrator.historyHealth();
            ListHostsResponse.Builder b = ListHostsResponse.newBuilder().setSpread(orchestrator.spread())
                    .setHistoryProblem(health.problem()).setUnwrittenRecords(health.unwrittenRecords());
            for (Orchestrator.HostView h : orchestrator.hosts()) {
                Host.Builder host = Host.newBuilder().setName(h.config().name()).setAgent(h.config().agent())
                        .setState(state(h.state())).setStateReason(h.stateReason()).setSamples(h.samples())
                        .setLoad(h.weightedLoad());
                if (h.load() != null) {
                    host.setCpus(h.load().cpus()).setCpuUtilisation(h.load().cpuUtilisation())
                            .setMemoryTotalBytes(h.load().memoryTotalBytes())
                            .setMemoryFreeBytes(h.load().memoryFreeBytes())
                            .setMemoryCommittedBytes(h.load().memoryCommittedBytes()).setVmCount(h.load().vmCount())
                            .setCpuModel(h.load().cpuFamily());
                }
                if (h.latest() != null) {
                    host.setMigrationsOutgoing(h.latest().migrationsOutgoing())
                            .setMigrationsIncoming(h.latest().migrationsIncoming());
                }
                b.addHosts(host);
            }
            return b.build();
        });
    }

    @Override
    public void listVms(ListVmsRequest request, StreamObserver<ListVmsResponse> observer) {
        unary(observer, () -> {
            ListVmsResponse.Builder b = ListVmsResponse.newBuilder();
            for (Orchestrator.VmView v : orchestrator.vms()) {
                if (!request.getHost().isEmpty() && !request.getHost().equals(v.host())) {
                    continue;
                }
                b.addVms(Vm.newBuilder().setName(v.vm().name()).setHost(v.host())
                        .setMemoryBytes(v.vm().memoryBytes()).setVcpus(v.vm().vcpus())
                        .setCpuUtilisation(v.cpuUtilisation()).setState(AgentMessages.vmState(v.vm().state()))
                        .setStateReason(v.vm().stateReason())
                        .setDirtyRateBytesPerS(v.load().dirtyRateBytesPerSec())
                        .setRamHeldBytes(v.vm().ramHeldBytes())
                        .addAllRequires(v.load().requiredCapabilities().stream().sorted().toList()));
            }
            return b.build();
        });
    }

    @Override
    public void migrate(MigrateRequest request, StreamObserver<MigrateResponse> observer) {
        Timeline timeline = Timeline.begin("orchestrator", Phases.REQUEST);
        unary(observer, () -> {
            String target = request.getTarget();
            Optional<String> badRequest = AgentMessages.checkOptions(request.getOptions())
                    .or(() -> Inputs.vmName(request.getVm()))
                    .or(() -> target.isEmpty() ? Optional.empty() : Inputs.hostName(target).map(m -> "target: " + m));
            if (badRequest.isPresent()) {
                throw orchestrator.refused(request.getVm(), "user", new OrchestratorException(
                        OrchestratorException.Code.INVALID_ARGUMENT, badRequest.get()));
            }
            Orchestrator.Queued q = orchestrator.migrate(request.getVm(), request.getTarget(),
                    AgentMessages.transferOptions(request.getOptions()), "user", timeline);
            return MigrateResponse.newBuilder().setMigration(migration(q.record(), "", ""))
                    .setDecision(decision(q.decision(), q.explanation())).build();
        });
    }

    /** As {@link #migrate}: the same checks and refusals, then the advice; nothing recorded or started. */
    @Override
    public void plan(PlanRequest request, StreamObserver<PlanResponse> observer) {
        unary(observer, () -> {
            String target = request.getTarget();
            Optional<String> badRequest = AgentMessages.checkOptions(request.getOptions())
                    .or(() -> Inputs.vmName(request.getVm()))
                    .or(() -> target.isEmpty() ? Optional.empty() : Inputs.hostName(target).map(m -> "target: " + m))
                    .or(() -> PlanMessages.objective(request.getObjective()).isPresent() ? Optional.empty()
                            : Optional.of("unknown objective " + request.getObjectiveValue() + "; valid: safe, fastest"));
            invalid(badRequest);
            Orchestrator.Advised a = orchestrator.plan(request.getVm(), target,
                    AgentMessages.transferOptions(request.getOptions()),
                    PlanMessages.objective(request.getObjective()).orElseThrow());
            return PlanMessages.response(a.vm(), a.source(), a.target(), decision(a.decision(), a.explanation()),
                    a.advice());
        });
    }

    @Override
    public void watch(MigrationId request, StreamObserver<MigrationUpdate> observer) {
        ServerCallStreamObserver<MigrationUpdate> call = (ServerCallStreamObserver<MigrationUpdate>) observer;
        try {
            Orchestrator.View view = orchestrator.view(migrationId(request));
            while (!call.isCancelled()) {
                MigrationUpdate.Builder u = MigrationUpdate.newBuilder()
                        .setMigration(migration(view.record(), view.waitingFor(), view.warning()));
                if (view.progress() != null) {
                    u.setProgress(AgentMessages.progress(view.progress()));
                }
                observer.onNext(u.build());
                if (view.record().state().terminal()) {
                    observer.onCompleted();
                    return;
                }
                view = orchestrator.awaitView(request.getId(), view.version(), WATCH_TICK);
            }
        } catch (OrchestratorException e) {
            observer.onError(status(e));
        } catch (HistoryException e) {
            observer.onError(status(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            observer.onError(ServerAnswers.answer(Status.UNAVAILABLE.withDescription("orchestrator shutting down"), SELF));
        }
    }

    @Override
    public void abort(MigrationId request, StreamObserver<Migration> observer) {
        unary(observer, () -> {
            MigrationRecord r = orchestrator.abort(migrationId(request));
            return migration(r, "", orchestrator.historyWarning(r.id()).orElse(""));
        });
    }

    @Override
    public void history(HistoryRequest request, StreamObserver<HistoryResponse> observer) {
        unary(observer, () -> {
            HistoryStore.Query q = HistoryStore.Query.latest(limit(request.getLimit(), 50));
            if (!request.getVm().isEmpty()) {
                q = q.withVm(request.getVm());
            }
            if (!request.getHost().isEmpty()) {
                q = q.withHost(request.getHost());
            }
            if (request.getState() != MigrationState.MIGRATION_STATE_UNSPECIFIED) {
                q = q.withState(state(request.getState()));
            }
            HistoryResponse.Builder b = HistoryResponse.newBuilder();
            orchestrator.history(q).forEach(r -> b.addMigrations(migration(r, "",
                    orchestrator.historyWarning(r.id()).orElse(""))));
            return b.build();
        });
    }

    @Override
    public void planRebalance(RebalanceRequest request, StreamObserver<RebalanceResponse> observer) {
        unary(observer, () -> plan(orchestrator.planRebalance(), "", java.util.List.of()));
    }

    @Override
    public void rebalance(RebalanceRequest request, StreamObserver<RebalanceResponse> observer) {
        unary(observer, () -> {
            Orchestrator.Round round = orchestrator.rebalance(request.getDryRun(), "user");
            return plan(round.plan(), round.roundId(), round.migrationIds());
        });
    }

    @Override
    public void drain(DrainRequest request, StreamObserver<RebalanceResponse> observer) {
        unary(observer, () -> {
            Orchestrator.Round round = orchestrator.drain(hostName(request.getHost()), request.getDryRun());
            return plan(round.plan(), round.roundId(), round.migrationIds());
        });
    }

    @Override
    public void setHostState(SetHostStateRequest request, StreamObserver<Host> observer) {
        unary(observer, () -> {
            io.livemig.orchestrator.placement.HostAvailability state = switch (request.getState()) {
                case HOST_STATE_UP -> io.livemig.orchestrator.placement.HostAvailability.UP;
                case HOST_STATE_DRAINING -> io.livemig.orchestrator.placement.HostAvailability.DRAINING;
                case HOST_STATE_MAINTENANCE -> io.livemig.orchestrator.placement.HostAvailability.MAINTENANCE;
                default -> throw new OrchestratorException(OrchestratorException.Code.INVALID_ARGUMENT,
                        "state must be up, draining or maintenance");
            };
            Orchestrator.HostView h = orchestrator.setHostState(hostName(request.getHost()), state);
            return Host.newBuilder().setName(h.config().name()).setAgent(h.config().agent()).setState(state(h.state()))
                    .setStateReason(h.stateReason()).build();
        });
    }

    @Override
    public void rounds(RoundsRequest request, StreamObserver<RoundsResponse> observer) {
        unary(observer, () -> {
            RoundsResponse.Builder b = RoundsResponse.newBuilder();
            for (RoundRecord r : orchestrator.rounds(limit(request.getLimit(), 20))) {
                b.addRounds(Round.newBuilder().setId(r.id()).setAtMs(r.at().toEpochMilli()).setDryRun(r.dryRun())
                        .setTrigger(r.trigger()).setSpreadBefore(finite(r.spreadBefore()))
                        .setSpreadAfterPlanned(finite(r.spreadAfterPlanned())).addAllMoves(r.moves())
                        .addAllMigrationIds(r.migrationIds()).setResult(r.result()));
            }
            return b.build();
        });
    }

    // --- conversions ------------------------------------------------------------------------------

    /** A uint32 limit: 0 means the default; above the range (or above int) is refused. */
    private static int limit(int limit, int defaultLimit) throws OrchestratorException {
        invalid(Inputs.LIST_LIMIT.checkUnsigned(Integer.toUnsignedLong(limit)));
        return limit == 0 ? defaultLimit : limit;
    }

    /** The request's migration id, refused (INVALID_ARGUMENT) unless {@link Inputs#id} accepts it. */
    private static String migrationId(MigrationId request) throws OrchestratorException {
        invalid(Inputs.id("migration id", request.getId()));
        return request.getId();
    }

    /** A host name from a request, refused (INVALID_ARGUMENT) unless {@link Inputs#hostName} accepts it. */
    private static String hostName(String host) throws OrchestratorException {
        invalid(Inputs.hostName(host));
        return host;
    }

    private static void invalid(Optional<String> problem) throws OrchestratorException {
        if (problem.isPresent()) {
            throw new OrchestratorException(OrchestratorException.Code.INVALID_ARGUMENT, problem.get());
        }
    }

    /** {@code warning}: "" when this version of the record is in the history. */
    static Migration migration(MigrationRecord r, String waitingFor, String warning) {
        Migration.Builder b = Migration.newBuilder().setId(r.id()).setVm(r.vm()).setSource(r.source())
                .setTarget(r.target()).setModeRequested(r.modeRequested().label()).setState(state(r.state()))
                .setOrigin(r.origin()).setReason(r.reason()).setAgentMigrationId(r.agentMigrationId())
                .setRequestedAtMs(r.requestedAt().toEpochMilli())
                .setModeUsed(r.figures().modeUsed().map(TransferMode::label).orElse(""))
                .setTotalMs(r.figures().totalMs()).setDowntimeMs(r.figures().downtimeMs())
                .setSetupMs(r.figures().setupMs()).setMemoryBytes(r.figures().memoryBytes())
                .setBytesTransferred(r.figures().bytesTransferred()).setIterations(r.figures().iterations())
                .setPostcopyRequests(r.figures().postcopyRequests()).addAllEscalations(r.figures().escalations())
                .setError(r.error()).setWaitingFor(waitingFor == null ? "" : waitingFor).setWarning(warning);
        r.figures().phases().forEach(p -> b.addPhases(io.livemig.proto.agent.v1.Phase.newBuilder().setName(p.name())
                .setWhere(p.where()).setStartMs(p.startMs()).setDurationMs(p.durationMs())));
        Optional.ofNullable(r.startedAt()).ifPresent(t -> b.setStartedAtMs(t.toEpochMilli()));
        Optional.ofNullable(r.endedAt()).ifPresent(t -> b.setEndedAtMs(t.toEpochMilli()));
        return b.build();
    }

    static MigrationState state(io.livemig.orchestrator.workflow.RecordState s) {
        return MigrationState.valueOf("MIGRATION_STATE_" + s.name());
    }

    static io.livemig.orchestrator.workflow.RecordState state(MigrationState s) throws OrchestratorException {
        try {
            return io.livemig.orchestrator.workflow.RecordState.valueOf(s.name().substring("MIGRATION_STATE_".length()));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new OrchestratorException(OrchestratorException.Code.INVALID_ARGUMENT, "unknown state " + s);
        }
    }

    static HostState state(io.livemig.orchestrator.placement.HostAvailability s) {
        return HostState.valueOf("HOST_STATE_" + s.name());
    }

    static PlacementDecision decision(TargetChoice d, String explanation) {
        PlacementDecision.Builder b = PlacementDecision.newBuilder()
                .setPolicy(d.policy().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .setChosen(d.chosenHost().orElse("")).setExplanation(explanation);
        d.candidates().forEach(c -> b.addCandidates(Candidate.newBuilder().setHost(c.host()).setScore(c.score())
                .setProjectedLoad(c.projectedHostLoad())));
        d.rejections().forEach(r -> b.addRejections(Rejection.newBuilder().setHost(r.host())
                .setReason(r.reason().name().toLowerCase(Locale.ROOT)).setExplanation(r.explanation())));
        return b.build();
    }

    static RebalanceResponse plan(Plan p, String roundId, java.util.List<String> ids) {
        RebalanceResponse.Builder b = RebalanceResponse.newBuilder().setRoundId(roundId)
                .setSpreadBefore(finite(p.spreadBefore())).setSpreadAfter(finite(p.spreadAfter()))
                .setSummary(p.summary()).addAllMigrationIds(ids);
        p.moves().forEach(m -> b.addMoves(Move.newBuilder().setVm(m.vm()).setFrom(m.from()).setTo(m.to())
                .setReason(m.reason()).setGain(m.gain()).setEstimatedCostBytes(m.estimatedCostBytes())));
        p.unplaced().forEach(u -> b.addUnplaced(u.vm() + " (" + u.from() + "): " + u.reason()));
        return b.build();
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }
}
