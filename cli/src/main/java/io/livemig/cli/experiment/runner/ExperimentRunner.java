package io.livemig.cli.experiment.runner;

import io.grpc.ManagedChannel;
import io.livemig.cli.experiment.DowntimeAnalysis;
import io.livemig.cli.experiment.ExperimentSpec;
import io.livemig.cli.experiment.Matrix;
import io.livemig.cli.experiment.MigrationModel;
import io.livemig.cli.experiment.ModelPrediction;
import io.livemig.cli.experiment.Provenance;
import io.livemig.cli.experiment.Results;
import io.livemig.cli.experiment.RunPlan;
import io.livemig.cli.experiment.RunResult;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.HostConfig;
import io.livemig.common.predict.Figure;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Runs an experiment on the lab: for every planned run a fresh guest on the source host, a
 * quiet period, the migration (through livemig's agents, or plain {@code virsh migrate} for the
 * baseline) while the guest is pinged every few milliseconds and its serial heartbeats are
 * timestamped by the host, a quiet period after, the guest's integrity verdict, and the model's
 * prediction (with the non-zero memory learned from the stop-and-copy runs made before); each run is written as soon as it ends, so an interrupted experiment keeps what it
 * measured.
 */
public final class ExperimentRunner {

    private final ExperimentSpec spec;
    private final long seed;
    private final Path out;
    private final ClusterConfig cluster;
    private final LabGuests guests;
    private final LivemigMigrator livemig;
    private final VirshMigrator virsh;
    private final PrintWriter progress;
    private final Provenance provenance;

    /** @param provenance what produced the experiment, written to DIR/experiment.json before the first run */
    public ExperimentRunner(ExperimentSpec spec, long seed, Path out, ClusterConfig cluster, Path labScript, Path labDir,
            Function<String, ManagedChannel> channels, PrintWriter progress, Provenance provenance) {
        this.spec = spec;
        this.provenance = provenance;
        this.seed = seed;
        this.out = out;
        this.cluster = cluster;
        this.guests = new LabGuests(labScript, labDir);
        this.livemig = new LivemigMigrator(channels);
        this.virsh = new VirshMigrator(channels);
        this.progress = progress;
    }

    /** Runs every planned run in order; returns the results (also written under the output directory). */
    public List<RunResult> run() throws ConfigException, InterruptedException {
        HostConfig source = cluster.requireHost(spec.source());
        HostConfig target = cluster.requireHost(spec.target());
        List<RunPlan> plans = Matrix.plan(spec, seed);
        Results.writeSpecCopy(out, spec, seed);
        Results.writeProvenance(out, provenance);
        List<RunResult> results = new ArrayList<>();
        for (RunPlan plan : plans) {
            progress.printf(Locale.ROOT, "%s %3d/%d %-44s ", bar(plan.index(), plans.size()), plan.index() + 1,
                    plans.size(), label(plan));
            progress.flush();
            RunResult r = runOne(plan, source, target, results);
            results.add(r);
            Results.writeRun(out, r);
            Results.writeCsv(out, results);
            progress.println(String.format(Locale.ROOT, "%s total %d ms, downtime %d ms (ping %s, heartbeat %s), %s",
                    r.status(), r.totalMs(), r.downtimeMs(), gap(r.externalDowntimeMs()), gap(r.heartbeatGapMs()),
                    r.integrity().equals("ok") ? "intact" : "INTEGRITY " + r.integrity())
                    + (r.error().isEmpty() ? "" : " - " + r.error()));
            progress.flush();
        }
        return results;
    }

    /** The matrix so far: "[######--------------]", done runs filled. */
    static String bar(int done, int total) {
        int width = 20;
        int filled = total == 0 ? width : (int) Math.round((double) done * width / total);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    private static String gap(long ms) {
        return ms < 0 ? "n/a" : ms + " ms";
    }

    private static String label(RunPlan p) {
        return (p.warmup() ? "warm-up " : "") + (p.baseline() ? "virsh " : "") + p.mode() + " d" + p.dirtyMib() + "@"
                + p.dirtyRateMibps() + " l" + p.linkMibps() + (p.warmup() ? "" : " rep" + p.repetition());
    }

    /** @param earlier the runs made so far: their stop-and-copy runs teach the model the guest's non-zero memory */
    private RunResult runOne(RunPlan plan, HostConfig source, HostConfig target, List<RunResult> earlier)
            throws InterruptedException {
        String vm = guestName(spec.name(), plan.dirtyMib(), plan.dirtyRateMibps());
        // The cell's timeout (Matrix): livemig's timeout rule and virsh's --timeout alike.
        long timeoutS = plan.timeoutS() > 0 ? plan.timeoutS() : Matrix.DEFAULT_TIMEOUT_S;
        long memBytes = (long) plan.memMib() << 20;
        ModelPrediction model = MigrationModel.predict(plan,
                MigrationModel.nonZeroMemory(earlier, plan.memMib()).orElse(Figure.estimated(memBytes)));
        long originNanos = System.nanoTime();
        long originEpochMs = System.currentTimeMillis();
        LabGuests.Guest guest;
        try {
            guest = guests.create(vm, source.name(), plan.memMib(), plan.dirtyMib(), plan.dirtyRateMibps(),
                    spec.guest().content());
        } catch (IOException e) {
            return failed(plan, model, "guest not started: " + e.getMessage());
        }
        MigrationRun m;
        long startMs;
        long endMs;
        List<Long> replies;
        List<RunResult.Heartbeat> heartbeats;
        int pingLimitS = (int) Math.min(3600, timeoutS + 600);
        try (PingRecorder ping = new PingRecorder(guest.ip(), spec.pingIntervalMs(),
                originEpochMs, pingLimitS);
                HeartbeatTail tail = new HeartbeatTail(guest.serialLog(), originNanos)) {
            // The agent measures a VM's dirty rate about every 5 s when listed (the lab
            // orchestrator's poll, this one): listing it once the workload has run the spec's
            // steady time makes the readings the migration plans from ones of the workload, not of
            // the guest's boot. The baseline waits as long, so that both sides move a guest of the same age.
            Thread.sleep(spec.steadyMs()); // a measurement window, not a wait for a condition
            if (!plan.baseline()) {
                livemig.poll(source);
            }
            Thread.sleep(ExperimentSpec.QUIET.toMillis()); // a measurement window, not a wait for a condition
            startMs = elapsedMs(originNanos);
            try {
                m = plan.baseline()
                        ? virsh.migrate(vm, source, target, plan.mode(), plan.linkMibps(), plan.maxDowntimeMs(), memBytes,
                                timeoutS)
                        : livemig.migrate(vm, source, target, plan.mode(), plan.linkMibps(), plan.maxDowntimeMs(),
                                timeoutS, plan.objective());
            } catch (IOException e) {
                m = MigrationRun.failed(plan.mode(), e.getMessage());
            }
            endMs = elapsedMs(originNanos);
            Thread.sleep(ExperimentSpec.QUIET.toMillis());
            replies = ping.replies();
            heartbeats = tail.heartbeats();
        } catch (IOException e) {
            destroyQuietly(vm);
            return failed(plan, model, "cannot measure: " + e.getMessage());
        }
        String integrity;
        try {
            LabGuests.Check check = guests.check(vm);
            integrity = check.integrity();
        } catch (IOException e) {
            integrity = "unknown";
        }
        destroyQuietly(vm);
        // The window where the guest can be paused: the whole migration (the final stop-and-copy,
        // or the switch to post-copy, happens inside it).
        long externalDowntime = replies.isEmpty() ? -1 : DowntimeAnalysis.longestGapMs(replies, startMs, endMs);
        long heartbeatGap = heartbeats.isEmpty() ? -1 : DowntimeAnalysis.heartbeatGapMs(heartbeats, startMs, endMs);
        return new RunResult(plan, m.status(), m.modeUsed(), m.totalMs(), m.downtimeMs(), m.setupMs(),
                m.bytesTransferred(), m.memoryBytes(), m.iterations(), m.postcopyRequests(), externalDowntime,
                heartbeatGap, integrity, DowntimeAnalysis.meanWriteMibps(heartbeats, 0, startMs),
                DowntimeAnalysis.meanWriteMibps(heartbeats, startMs, endMs),
                DowntimeAnalysis.meanWriteMibps(heartbeats, endMs, Long.MAX_VALUE), model, m.samples(), heartbeats,
                startMs, endMs, m.escalations(), m.error() == null ? "" : m.error(), m.command(), m.downtimeCommand(),
                m.maxDowntimeApplied(),
                m.bytesField());
    }

    private static long elapsedMs(long originNanos) {
        return (System.nanoTime() - originNanos) / 1_000_000;
    }

    /**
     * The guest of a run: one name per workload, "exp-NAME-dMIBrRATE" (at most 63 characters, the
     * lab's limit; NAME cut to fit). The agents learn a guest's non-zero memory, working set and
     * the like per name, as of a VM that keeps its workload; a name shared by every workload would
     * carry what one workload's runs taught into another's predictions (a 4 MiB/s guest's first
     * pass taken for a working set, and applied to a 16 MiB/s one).
     */
    static String guestName(String specName, int dirtyMib, int dirtyRateMibps) {
        String suffix = "-d" + dirtyMib + "r" + dirtyRateMibps;
        String base = "exp-" + specName.replace('_', '-');
        return base.substring(0, Math.min(base.length(), 63 - suffix.length())) + suffix;
    }

    private void destroyQuietly(String vm) {
        try {
            guests.destroy(vm);
        } catch (IOException e) {
            // the next run's create destroys it first
        }
    }

    private static RunResult failed(RunPlan plan, ModelPrediction model, String error) {
        return new RunResult(plan, "failed", plan.mode(), 0, 0, 0, 0, 0, 0, 0, -1, -1, "unknown", Double.NaN,
                Double.NaN, Double.NaN, model, List.of(), List.of(), 0, 0, List.of(), error, List.of(), List.of(), "", "");
    }
}
