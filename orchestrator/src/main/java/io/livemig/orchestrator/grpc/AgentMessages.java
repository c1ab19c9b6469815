package io.livemig.orchestrator.grpc;

import io.livemig.common.input.Inputs;
import io.livemig.common.predict.Objective;
import io.livemig.common.timeline.Phase;
import io.livemig.orchestrator.model.AgentProgress;
import io.livemig.orchestrator.model.AgentResult;
import io.livemig.orchestrator.model.CopyPhase;
import io.livemig.orchestrator.model.EscalationStep;
import io.livemig.orchestrator.model.GuestState;
import io.livemig.orchestrator.model.GuestVm;
import io.livemig.orchestrator.model.HostReport;
import io.livemig.orchestrator.model.JobReading;
import io.livemig.orchestrator.model.PageCompression;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.model.VmBinding;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
import io.livemig.proto.agent.v1.AutoObjective;
import io.livemig.proto.agent.v1.Compression;
import io.livemig.proto.agent.v1.Escalation;
import io.livemig.proto.agent.v1.HostInfo;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.MigrationPhase;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationResult;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.proto.agent.v1.VmState;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The agent API's messages to and from the orchestrator's own records: what agents report
 * ({@link GrpcAgents}), and the options and progress clients exchange with the orchestrator
 * ({@link OrchestratorGrpcService}), which reuses those messages.
 */
final class AgentMessages {

    private AgentMessages() {
    }

    // --- from the agents --------------------------------------------------------------------------

    static HostReport hostReport(HostInfo h) {
        return new HostReport(h.getClusterHostName(), h.getCpus(), h.getMemoryTotalBytes(), h.getMemoryFreeBytes(),
                h.getMemoryReservedBytes(), h.getMemoryCommittedBytes(), h.getGuestCpuUtilisation(), h.getCpuModel(),
                h.getMigrationsOutgoing(), h.getMigrationsIncoming());
    }

    static GuestVm guestVm(Vm v) {
        return new GuestVm(v.getName(), v.getUuid(), guestState(v.getState()), v.getMemoryBytes(), v.getVcpus(),
                v.getBindingsList().stream().map(b -> new VmBinding(b.getKind(), b.getDevice(), b.getResource()))
                        .toList(),
                v.getCpuUtilisation(), v.getDirtyRateBytesPerS(), v.getStateReason(), v.getRamHeldBytes());
    }

    static AgentProgress progress(MigrationProgress p) {
        return new AgentProgress(p.getMigrationId(), p.getVmName(), p.getSourceHost(), p.getTargetHost(),
                state(p.getStatus()), p.hasSnapshot() ? reading(p.getSnapshot()) : null,
                p.hasResult() ? result(p.getResult()) : null,
                p.getSamplesList().stream().map(AgentMessages::reading).toList());
    }

    private static JobReading reading(JobSnapshot s) {
        return new JobReading(s.getElapsedMs(), phase(s.getPhase()), s.getIteration(), s.getBytesProcessed(),
                s.getBytesRemaining(), s.getBytesTotal(), s.getDirtyRateBytesPerS(), s.getBandwidthBytesPerS(),
                s.getThrottlePercent(), s.getExpectedDowntimeMs(), progress(s.getProgress()),
                s.hasEtaMs() ? Math.max(0, s.getEtaMs()) : -1);
    }

    /** An agent's progress, kept within 0..1 (an agent is not trusted to be right). */
    private static double progress(double p) {
        return p >= 0 && p <= 1 ? p : p > 1 ? 1 : 0;
    }

    private static AgentResult result(MigrationResult r) {
        return new AgentResult(state(r.getStatus()), modeOrNull(r.getModeRequested()), modeOrNull(r.getModeUsed()),
                r.getEscalationsList().stream().map(e -> new EscalationStep(e.getAtMs(), e.getIteration(), e.getKind(),
                        e.getValue(), e.getReason())).toList(),
                r.getTotalMs(), r.getDowntimeMs(), r.getSetupMs(), r.getBytesTransferred(), r.getMemoryBytes(),
                r.getIterations(), r.getPostcopyRequests(), r.getError(), phases(r.getPhasesList()));
    }

    /** The agent's timeline; none at all when a phase is malformed (an agent is not trusted to be right). */
    static List<Phase> phases(List<io.livemig.proto.agent.v1.Phase> phases) {
        try {
            return phases.stream().map(p -> new Phase(p.getName(), p.getWhere(), p.getStartMs(), p.getDurationMs()))
                    .toList();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** An agent reports running or an end; anything else counts as failed, as an end it cannot explain. */
    private static RecordState state(MigrationStatus s) {
        return switch (s) {
            case MIGRATION_STATUS_RUNNING -> RecordState.RUNNING;
            case MIGRATION_STATUS_SUCCEEDED -> RecordState.SUCCEEDED;
            case MIGRATION_STATUS_ABORTED -> RecordState.ABORTED;
            default -> RecordState.FAILED;
        };
    }

    private static TransferMode modeOrNull(MigrationMode m) {
        return switch (m) {
            case MIGRATION_MODE_AUTO -> TransferMode.AUTO;
            case MIGRATION_MODE_PRECOPY -> TransferMode.PRECOPY;
            case MIGRATION_MODE_STOPCOPY -> TransferMode.STOPCOPY;
            case MIGRATION_MODE_POSTCOPY -> TransferMode.POSTCOPY;
            default -> null;
        };
    }

    private static GuestState guestState(VmState s) {
        return switch (s) {
            case VM_STATE_RUNNING -> GuestState.RUNNING;
            case VM_STATE_BLOCKED -> GuestState.BLOCKED;
            case VM_STATE_PAUSED -> GuestState.PAUSED;
            case VM_STATE_SHUTTING_DOWN -> GuestState.SHUTTING_DOWN;
            case VM_STATE_SHUT_OFF -> GuestState.SHUT_OFF;
            case VM_STATE_CRASHED -> GuestState.CRASHED;
            case VM_STATE_PM_SUSPENDED -> GuestState.PM_SUSPENDED;
            default -> GuestState.UNKNOWN;
        };
    }

    private static CopyPhase phase(MigrationPhase p) {
        return switch (p) {
            case MIGRATION_PHASE_SETUP -> CopyPhase.SETUP;
            case MIGRATION_PHASE_PRECOPY -> CopyPhase.PRECOPY;
            case MIGRATION_PHASE_STOPCOPY -> CopyPhase.STOPCOPY;
            case MIGRATION_PHASE_POSTCOPY -> CopyPhase.POSTCOPY;
            case MIGRATION_PHASE_SUSPENDED -> CopyPhase.SUSPENDED;
            case MIGRATION_PHASE_COMPLETED -> CopyPhase.COMPLETED;
            case MIGRATION_PHASE_FAILED -> CopyPhase.FAILED;
            case MIGRATION_PHASE_CANCELLED -> CopyPhase.CANCELLED;
            default -> CopyPhase.UNKNOWN;
        };
    }

    // --- options: checked when a client sends them, then typed ------------------------------------

    /**
     * The options a client sent, or the one-line reason they are refused: what the agents would
     * refuse (unknown enum values, numbers out of range) is refused here first.
     */
    static Optional<String> checkOptions(MigrationOptions o) {
        if (o.getMode() == MigrationMode.UNRECOGNIZED) {
            return Optional.of("unknown migration mode " + o.getModeValue()
                    + " (known: auto, precopy, stopcopy, postcopy)");
        }
        if (o.getCompression() == Compression.UNRECOGNIZED) {
            return Optional.of("unknown compression " + o.getCompressionValue() + " (known: none, xbzrle, zstd)");
        }
        if (o.getObjective() == AutoObjective.UNRECOGNIZED) {
            return Optional.of("unknown objective " + o.getObjectiveValue() + " (known: safe, fastest)");
        }
        TransferMode asked = modeOrNull(o.getMode());
        if (o.getObjective() != AutoObjective.AUTO_OBJECTIVE_UNSPECIFIED && asked != null && asked != TransferMode.AUTO) {
            return Optional.of("an objective applies to mode auto only, not " + asked.name().toLowerCase(Locale.ROOT));
        }
        return Inputs.migrationNumbers(o.getMaxDowntimeMs(), o.getBandwidthMibps(), o.getTimeoutS(),
                Integer.toUnsignedLong(o.getParallelConnections()));
    }

    /** Options that passed {@link #checkOptions}; an unset mode is auto, as the agents take it. */
    static TransferOptions transferOptions(MigrationOptions o) {
        TransferMode mode = modeOrNull(o.getMode());
        PageCompression compression = switch (o.getCompression()) {
            case COMPRESSION_NONE -> PageCompression.NONE;
            case COMPRESSION_XBZRLE -> PageCompression.XBZRLE;
            case COMPRESSION_ZSTD -> PageCompression.ZSTD;
            default -> PageCompression.DEFAULT;
        };
        Objective objective = switch (o.getObjective()) {
            case AUTO_OBJECTIVE_SAFE -> Objective.SAFE;
            case AUTO_OBJECTIVE_FASTEST -> Objective.FASTEST;
            default -> null;
        };
        return new TransferOptions(mode == null ? TransferMode.AUTO : mode, o.getMaxDowntimeMs(),
                o.getBandwidthMibps(), o.getTimeoutS(), o.getAutoConverge(), compression, o.getParallelConnections(),
                o.getDisallowPostcopy(), o.getDisallowSuspend(), objective);
    }

    // --- to the agents and the orchestrator's clients ---------------------------------------------

    static MigrationOptions options(TransferOptions o) {
        Compression compression = switch (o.compression()) {
            case DEFAULT -> Compression.COMPRESSION_UNSPECIFIED;
            case NONE -> Compression.COMPRESSION_NONE;
            case XBZRLE -> Compression.COMPRESSION_XBZRLE;
            case ZSTD -> Compression.COMPRESSION_ZSTD;
        };
        AutoObjective objective = AutoObjective.AUTO_OBJECTIVE_UNSPECIFIED;
        if (o.objective() != null) {
            objective = switch (o.objective()) {
                case SAFE -> AutoObjective.AUTO_OBJECTIVE_SAFE;
                case FASTEST -> AutoObjective.AUTO_OBJECTIVE_FASTEST;
            };
        }
        return MigrationOptions.newBuilder().setMode(mode(o.mode())).setMaxDowntimeMs(o.maxDowntimeMs())
                .setBandwidthMibps(o.bandwidthMibps()).setTimeoutS(o.timeoutS()).setAutoConverge(o.autoConverge())
                .setCompression(compression).setParallelConnections(o.parallelConnections())
                .setDisallowPostcopy(o.disallowPostcopy()).setDisallowSuspend(o.disallowSuspend())
                .setObjective(objective).build();
    }

    static MigrationProgress progress(AgentProgress p) {
        MigrationProgress.Builder b = MigrationProgress.newBuilder().setMigrationId(p.agentMigrationId())
                .setVmName(p.vm()).setSourceHost(p.sourceHost()).setTargetHost(p.targetHost())
                .setStatus(status(p.state()));
        if (p.reading() != null) {
            b.setSnapshot(snapshot(p.reading()));
        }
        if (p.result() != null) {
            b.setResult(result(p.result()));
        }
        p.readings().forEach(r -> b.addSamples(snapshot(r)));
        return b.build();
    }

    private static JobSnapshot snapshot(JobReading r) {
        JobSnapshot.Builder b = JobSnapshot.newBuilder().setElapsedMs(r.elapsedMs()).setPhase(phase(r.phase()))
                .setIteration(r.iteration()).setBytesProcessed(r.bytesProcessed())
                .setBytesRemaining(r.bytesRemaining()).setBytesTotal(r.bytesTotal())
                .setDirtyRateBytesPerS(r.dirtyRateBytesPerSec()).setBandwidthBytesPerS(r.bandwidthBytesPerSec())
                .setThrottlePercent(r.throttlePercent()).setExpectedDowntimeMs(r.expectedDowntimeMs())
                .setProgress(r.progress());
        if (r.etaMs() >= 0) {
            b.setEtaMs(r.etaMs());
        }
        return b.build();
    }

    private static MigrationResult result(AgentResult r) {
        MigrationResult.Builder b = MigrationResult.newBuilder().setStatus(status(r.state()))
                .setTotalMs(r.totalMs()).setDowntimeMs(r.downtimeMs()).setSetupMs(r.setupMs())
                .setBytesTransferred(r.bytesTransferred()).setMemoryBytes(r.memoryBytes())
                .setIterations(r.iterations()).setPostcopyRequests(r.postcopyRequests()).setError(r.error());
        if (r.modeRequested() != null) {
            b.setModeRequested(mode(r.modeRequested()));
        }
        if (r.modeUsed() != null) {
            b.setModeUsed(mode(r.modeUsed()));
        }
        r.escalations().forEach(e -> b.addEscalations(Escalation.newBuilder().setAtMs(e.atMs())
                .setIteration(e.iteration()).setKind(e.kind()).setValue(e.value()).setReason(e.reason())));
        return b.build();
    }

    private static MigrationStatus status(RecordState s) {
        return switch (s) {
            case RUNNING -> MigrationStatus.MIGRATION_STATUS_RUNNING;
            case SUCCEEDED -> MigrationStatus.MIGRATION_STATUS_SUCCEEDED;
            case ABORTED -> MigrationStatus.MIGRATION_STATUS_ABORTED;
            default -> MigrationStatus.MIGRATION_STATUS_FAILED;
        };
    }

    private static MigrationMode mode(TransferMode m) {
        return switch (m) {
            case AUTO -> MigrationMode.MIGRATION_MODE_AUTO;
            case PRECOPY -> MigrationMode.MIGRATION_MODE_PRECOPY;
            case STOPCOPY -> MigrationMode.MIGRATION_MODE_STOPCOPY;
            case POSTCOPY -> MigrationMode.MIGRATION_MODE_POSTCOPY;
        };
    }

    private static MigrationPhase phase(CopyPhase p) {
        return switch (p) {
            case UNKNOWN -> MigrationPhase.MIGRATION_PHASE_UNSPECIFIED;
            case SETUP -> MigrationPhase.MIGRATION_PHASE_SETUP;
            case PRECOPY -> MigrationPhase.MIGRATION_PHASE_PRECOPY;
            case STOPCOPY -> MigrationPhase.MIGRATION_PHASE_STOPCOPY;
            case POSTCOPY -> MigrationPhase.MIGRATION_PHASE_POSTCOPY;
            case SUSPENDED -> MigrationPhase.MIGRATION_PHASE_SUSPENDED;
            case COMPLETED -> MigrationPhase.MIGRATION_PHASE_COMPLETED;
            case FAILED -> MigrationPhase.MIGRATION_PHASE_FAILED;
            case CANCELLED -> MigrationPhase.MIGRATION_PHASE_CANCELLED;
        };
    }

    static VmState vmState(GuestState s) {
        return switch (s) {
            case UNKNOWN -> VmState.VM_STATE_UNSPECIFIED;
            case RUNNING -> VmState.VM_STATE_RUNNING;
            case BLOCKED -> VmState.VM_STATE_BLOCKED;
            case PAUSED -> VmState.VM_STATE_PAUSED;
            case SHUTTING_DOWN -> VmState.VM_STATE_SHUTTING_DOWN;
            case SHUT_OFF -> VmState.VM_STATE_SHUT_OFF;
            case CRASHED -> VmState.VM_STATE_CRASHED;
            case PM_SUSPENDED -> VmState.VM_STATE_PM_SUSPENDED;
        };
    }
}
