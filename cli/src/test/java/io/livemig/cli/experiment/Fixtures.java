package io.livemig.cli.experiment;

import io.livemig.cli.experiment.ExperimentSpec.Guest;
import io.livemig.cli.experiment.ExperimentSpec.ModeSpec;
import io.livemig.cli.experiment.ExperimentSpec.Workload;
import io.livemig.cli.experiment.RunResult.Heartbeat;
import io.livemig.cli.experiment.RunResult.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A synthetic experiment with figures chosen so that medians and ratios can be worked out by
 * hand: repetition 1 has the cell's base figures, repetition 2 has them times 1.2, the warm-up
 * has 99999 everywhere (so that it shows if it leaks into the statistics).
 */
final class Fixtures {

    static final long MIB = 1024L * 1024;
    static final long SEED = 7;

    private Fixtures() {}

    /** precopy (300 ms) and postcopy; 64 MiB dirtied at 8 and at 32 MiB/s; 32 MiB/s; 2 repetitions; warm-up; baseline. */
    static ExperimentSpec spec() {
        return new ExperimentSpec("synth", "lab-a", "lab-b", OptionalLong.of(SEED), 2, true, new Guest(256, 1, "random"),
                List.of(new Workload(64, 8), new Workload(64, 32)), List.of(32),
                List.of(new ModeSpec("precopy", 300, 0, ""), new ModeSpec("postcopy", 0, 0, "")), true, 10);
    }

    /** As {@link #spec()} but pre-copy (300 ms, 45 s) and auto (300 ms, default timeout): one baseline, pre-copy. */
    static ExperimentSpec specWithAuto() {
        return new ExperimentSpec("synth", "lab-a", "lab-b", OptionalLong.of(SEED), 2, true, new Guest(256, 1, "random"),
                List.of(new Workload(64, 8), new Workload(64, 32)), List.of(32),
                List.of(new ModeSpec("precopy", 300, 45, ""), new ModeSpec("auto", 300, 0, "")), true, 10);
    }

    /** Base total ms by mode label and dirty rate. */
    static final Map<String, long[]> TOTAL_MS = Map.of(
            "precopy", new long[] {1000, 3000},
            "postcopy", new long[] {1500, 1600},
            "virsh precopy", new long[] {2000, 9000},
            "virsh postcopy", new long[] {1800, 2000},
            "auto", new long[] {1200, 4000},
            "stopcopy", new long[] {900, 900});
    static final Map<String, long[]> DOWNTIME_MS = Map.of(
            "precopy", new long[] {100, 400},
            "postcopy", new long[] {20, 25},
            "virsh precopy", new long[] {300, 2000},
            "virsh postcopy", new long[] {40, 50},
            "auto", new long[] {90, 30},
            "stopcopy", new long[] {900, 900});
    static final Map<String, long[]> ITERATIONS = Map.of(
            "precopy", new long[] {4, 10},
            "postcopy", new long[] {2, 2},
            "virsh precopy", new long[] {5, 12},
            "virsh postcopy", new long[] {2, 2},
            "auto", new long[] {4, 8},
            "stopcopy", new long[] {1, 1});

    /** A stop-and-copy run of {@link #spec()}'s guest (8 MiB/s workload) that sent {@code bytes}, placed at {@code index}. */
    static RunResult stopAndCopy(int index, long bytes) {
        Builder b = builder(new RunPlan(index, String.format(java.util.Locale.ROOT, "r%03d-stopcopy-d64r8-l32-rep%d", index,
                index), false, index, "stopcopy", false, 256, 64, 8, 32, 0, 120, ""));
        b.bytes = bytes;
        return b.build();
    }

    /** All runs of {@link #spec()} in plan order, all succeeded and intact. */
    static List<RunResult> results() {
        return Matrix.plan(spec(), SEED).stream().map(p -> builder(p).build()).toList();
    }

    static Builder builder(RunPlan p) {
        return new Builder(p);
    }

    /** A run's figures, to be changed by a test before {@link #build}. */
    static final class Builder {
        RunPlan plan;
        String status = "succeeded";
        String modeUsed;
        long totalMs;
        long downtimeMs;
        long bytes;
        long iterations;
        long externalDowntimeMs;
        long heartbeatGapMs;
        String integrity = "ok";
        double during = 6.5;
        List<Sample> samples = new ArrayList<>();
        List<Heartbeat> heartbeats = new ArrayList<>();
        String error;
        List<String> escalations = List.of();
        ModelPrediction model;
        List<String> command;
        List<String> downtimeCommand = List.of();
        String maxDowntimeApplied;
        String bytesField = RunResult.DATA_PROCESSED;

        Builder(RunPlan p) {
            this.plan = p;
            this.modeUsed = p.mode();
            String label = Stats.modeLabel(p.baseline(), p.mode());
            int rate = p.dirtyRateMibps() == 8 ? 0 : 1;
            double factor = p.repetition() == 2 ? 1.2 : 1.0;
            totalMs = p.warmup() ? 99999 : Math.round(TOTAL_MS.get(label)[rate] * factor);
            downtimeMs = p.warmup() ? 99999 : Math.round(DOWNTIME_MS.get(label)[rate] * factor);
            iterations = ITERATIONS.get(label)[rate];
            externalDowntimeMs = p.warmup() ? 99999 : downtimeMs + 50;
            heartbeatGapMs = 1000 + downtimeMs;
            // As if the link (32 MiB/s) had been busy the whole time.
            bytes = Math.round(totalMs * 32.0 * MIB / 1000);
            if (!p.baseline()) {
                long remaining = p.memMib() * MIB;
                for (int i = 1; i <= iterations; i++) {
                    samples.add(new Sample(i * 100L, "active", i, 0, remaining, p.memMib() * MIB, p.dirtyRateMibps() * MIB,
                            32 * MIB, 0, 300));
                    remaining /= 2;
                    samples.add(new Sample(i * 100L + 50, "active", i, 0, remaining, p.memMib() * MIB,
                            p.dirtyRateMibps() * MIB, 32 * MIB, 0, 300));
                }
            }
            for (int s = 0; s <= 20; s++) {
                long t = s * 1000L;
                boolean migrating = t >= 5000 && t <= 5000 + totalMs;
                heartbeats.add(new Heartbeat(t, s, migrating ? during : p.dirtyRateMibps(), 0));
            }
            if (p.baseline()) {
                // As VirshMigrator.migrateArgv builds it, with a per-run XML file and migration URI.
                boolean postcopy = p.mode().equals("postcopy");
                command = new ArrayList<>(List.of("virsh", "-c", "qemu+tcp://lab-a/system", "migrate", "--live",
                        "--persistent", "--unsafe", "--xml", "/tmp/livemig-baseline-" + p.index() + ".xml",
                        "--persistent-xml", "/tmp/livemig-baseline-" + p.index() + ".xml"));
                if (postcopy) {
                    command.addAll(List.of("--postcopy", "--postcopy-after-precopy"));
                }
                command.addAll(List.of("--timeout", String.valueOf(p.timeoutS()),
                        postcopy ? "--timeout-postcopy" : "--timeout-suspend", "--bandwidth", String.valueOf(p.linkMibps())));
                if (postcopy) {
                    command.addAll(List.of("--postcopy-bandwidth", String.valueOf(p.linkMibps())));
                }
                command.addAll(List.of("exp-synth", "qemu+tcp://lab-b/system", "--migrateuri",
                        "tcp://10.0.0.2:" + (49152 + p.index())));
                if (p.maxDowntimeMs() > 0) {
                    downtimeCommand = List.of("virsh", "-c", "qemu+tcp://lab-a/system", "migrate-setmaxdowntime",
                            "exp-synth", String.valueOf(p.maxDowntimeMs()));
                    maxDowntimeApplied = "applied " + (100 + p.index()) + " ms after start";
                } else {
                    maxDowntimeApplied = "not requested";
                }
            } else {
                command = new ArrayList<>(List.of("StartMigration", "vm_name=exp-synth", "target_agent=lab-b:7701",
                        "options.mode=MIGRATION_MODE_" + p.mode().toUpperCase(java.util.Locale.ROOT)));
                if (p.maxDowntimeMs() > 0) {
                    command.add("options.max_downtime_ms=" + p.maxDowntimeMs());
                }
                command.add("options.bandwidth_mibps=" + p.linkMibps());
                command.add("options.timeout_s=" + p.timeoutS());
                if (!p.objective().isEmpty()) {
                    command.add("options.objective=AUTO_OBJECTIVE_" + p.objective().toUpperCase(java.util.Locale.ROOT));
                }
                maxDowntimeApplied = p.maxDowntimeMs() > 0 ? "requested" : "not requested";
            }
            model = MigrationModel.predict(p.mode(), p.memMib() * MIB, p.dirtyMib() * MIB, p.dirtyRateMibps() * MIB,
                    p.linkMibps() * MIB, p.maxDowntimeMs());
        }

        RunResult build() {
            return new RunResult(plan, status, modeUsed, totalMs, downtimeMs, 40, bytes, plan.memMib() * MIB, iterations,
                    plan.mode().equals("postcopy") ? 12 : 0, externalDowntimeMs, heartbeatGapMs, integrity,
                    plan.dirtyRateMibps(), during, plan.dirtyRateMibps(), model, samples, heartbeats, 5000,
                    5000 + totalMs, escalations, error, command, downtimeCommand, maxDowntimeApplied, bytesField);
        }
    }
}
