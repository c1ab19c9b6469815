package io.livemig.cli.experiment.runner;

import io.grpc.ManagedChannel;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.StatusRuntimeException;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.cli.client.ProtoChoices;
import io.livemig.cli.client.ProtoModes;
import io.livemig.cli.experiment.RunResult;
import io.livemig.common.config.HostConfig;
import io.livemig.common.predict.Objective;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.Escalation;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.ListVmsRequest;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationRef;
import io.livemig.proto.agent.v1.MigrationResult;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A migration through livemig's agents: the source agent runs it, its flight recorder is kept. */
final class LivemigMigrator {

    private final Function<String, ManagedChannel> channels;

    LivemigMigrator(Function<String, ManagedChannel> channels) {
        this.channels = channels;
    }

    /**
     * Lists the source's VMs, as the orchestrator's poll does: the agent starts a dirty-rate
     * measurement of each running VM it has not measured in the last 5 s, so that a migration a few
     * seconds later starts from a reading of the guest as it runs now. Best effort: a failure here
     * is the migration's to report.
     */
    void poll(HostConfig source) {
        try {
            AgentServiceGrpc.newBlockingStub(channels.apply(source.agent())).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .listVms(ListVmsRequest.newBuilder().setActiveOnly(true).build());
        } catch (StatusRuntimeException e) {
            // the migration that follows meets the same agent and says what is wrong
        }
    }

    /** @param objective auto's objective, safe or fastest, as the run plan records it; empty for the other modes */
    MigrationRun migrate(String vm, HostConfig source, HostConfig target, String mode, int linkMibps, long maxDowntimeMs,
            long timeoutS, String objective) {
        var stub = AgentServiceGrpc.newBlockingStub(channels.apply(source.agent()));
        StartMigrationRequest request = request(vm, target.agent(), mode, linkMibps, maxDowntimeMs, timeoutS, objective);
        List<String> command = describe(request);
        String downtime = maxDowntimeMs > 0 ? "requested" : "not requested";
        try {
            String id = stub.withDeadlineAfter(120, TimeUnit.SECONDS).startMigration(request).getMigrationId();
            Iterator<MigrationProgress> it = stub.withDeadlineAfter(3600, TimeUnit.SECONDS)
                    .watchMigration(MigrationRef.newBuilder().setMigrationId(id).build());
            MigrationProgress last = null;
            while (it.hasNext()) {
                last = it.next();
            }
            if (last == null || !last.hasResult()) {
                return MigrationRun.failed(mode, "the agent ended the stream without a result", command, List.of(), downtime);
            }
            MigrationResult r = last.getResult();
            List<RunResult.Sample> samples = last.getSamplesList().stream().map(LivemigMigrator::sample).toList();
            List<String> escalations = r.getEscalationsList().stream().map(LivemigMigrator::escalation).toList();
            return new MigrationRun(name(r.getStatus().name(), "MIGRATION_STATUS_"), name(r.getModeUsed().name(),
                    "MIGRATION_MODE_"), r.getTotalMs(), r.getDowntimeMs(), r.getSetupMs(), r.getBytesTransferred(),
                    r.getMemoryBytes(), r.getIterations(), r.getPostcopyRequests(), samples, escalations, r.getError(),
                    command, List.of(), downtime, RunResult.DATA_PROCESSED);
        } catch (StatusRuntimeException e) {
            return MigrationRun.failed(mode, "agent of " + source.name() + ": " + e.getStatus().getCode() + " "
                    + e.getStatus().getDescription(), command, List.of(), downtime);
        }
    }

    /**
     * The request for one run: its mode, and its bandwidth, allowed downtime, timeout and (auto)
     * objective when given; an objective is sent as the CLI's {@code --objective} sends it.
     */
    static StartMigrationRequest request(String vm, String targetAgent, String mode, int linkMibps, long maxDowntimeMs,
            long timeoutS, String objective) {
        MigrationOptions.Builder options = MigrationOptions.newBuilder()
                .setMode(ProtoModes.of(CopyMode.valueOf(mode.toUpperCase(Locale.ROOT))));
        if (linkMibps > 0) {
            options.setBandwidthMibps(linkMibps);
        }
        if (maxDowntimeMs > 0) {
            options.setMaxDowntimeMs(maxDowntimeMs);
        }
        if (timeoutS > 0) {
            options.setTimeoutS(timeoutS);
        }
        if (!objective.isEmpty()) {
            options.setObjective(ProtoChoices.of(Objective.valueOf(objective.toUpperCase(Locale.ROOT))));
        }
        return StartMigrationRequest.newBuilder().setVmName(vm).setTargetAgent(targetAgent).setOptions(options).build();
    }

    /**
     * The request as sent: "StartMigration", then every field that is set, by field number,
     * nested messages flattened ("options.mode=MIGRATION_MODE_PRECOPY", "options.max_downtime_ms=300").
     * Fields left at their default are not sent, so they are not listed.
     */
    static List<String> describe(StartMigrationRequest request) {
        List<String> out = new ArrayList<>();
        out.add("StartMigration");
        fields(request, "", out);
        return List.copyOf(out);
    }

    private static void fields(Message m, String prefix, List<String> out) {
        for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
            String name = prefix + f.getKey().getName();
            Object value = f.getValue();
            if (value instanceof Message nested) {
                fields(nested, name + ".", out);
            } else if (value instanceof EnumValueDescriptor e) {
                out.add(name + "=" + e.getName());
            } else {
                out.add(name + "=" + value);
            }
        }
    }

    private static String name(String enumName, String prefix) {
        return enumName.replace(prefix, "").toLowerCase(Locale.ROOT);
    }

    private static RunResult.Sample sample(JobSnapshot s) {
        return new RunResult.Sample(s.getElapsedMs(), name(s.getPhase().name(), "MIGRATION_PHASE_"), s.getIteration(),
                s.getBytesProcessed(), s.getBytesRemaining(), s.getBytesTotal(), s.getDirtyRateBytesPerS(),
                s.getBandwidthBytesPerS(), s.getThrottlePercent(), s.getExpectedDowntimeMs(), s.getProgress(),
                s.hasEtaMs() ? s.getEtaMs() : null);
    }

    private static String escalation(Escalation e) {
        return String.format(Locale.ROOT, "%.1f s %s %s: %s", e.getAtMs() / 1000.0, e.getKind(), e.getValue(),
                e.getReason());
    }
}
