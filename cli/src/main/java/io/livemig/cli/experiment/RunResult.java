package io.livemig.cli.experiment;

import java.util.List;

/**
 * Everything recorded about one run: the plan, the hypervisor's figures, what was measured from
 * outside the guest, the guest's own view, the model's prediction, and the full series.
 *
 * @param status               succeeded, failed or aborted
 * @param modeUsed             technique that finished it (auto may end in postcopy); baseline: the mode
 * @param totalMs              hypervisor: start to end of the migration job
 * @param downtimeMs           hypervisor: time the guest was paused
 * @param externalDowntimeMs   longest gap between ping replies from the guest (pinged every few ms
 *                             from the lab LAN) around the migration; -1 if not measured
 * @param heartbeatGapMs       longest gap between the guest's serial heartbeats, timestamped by the
 *                             host as they arrive (heartbeats come once a second, so this is
 *                             downtime + up to 1 s); -1 if not measured
 * @param integrity            the guest's verdict after the run: ok or corrupted (or unknown)
 * @param throughputBeforeMibps guest workload write rate before the migration (heartbeat average)
 * @param throughputDuringMibps during
 * @param throughputAfterMibps  after
 * @param model                the analytical prediction for this run's parameters
 * @param samples              flight-recorder series (livemig runs; empty for baseline runs)
 * @param heartbeats           the guest's heartbeats as the host received them
 * @param migrationStartMs     host clock (ms since the run began) when the migration was started
 * @param migrationEndMs       host clock (ms since the run began) when it ended
 * @param escalations          steps livemig's policy took, in order (empty for baseline runs)
 * @param command              how the migration was asked for, as sent: for a baseline run the
 *                             {@code virsh migrate} argv; for a livemig run the agent call and every
 *                             field of its request ("StartMigration", "options.mode=...", ...)
 * @param downtimeCommand      baseline runs with an allowed downtime: the {@code virsh
 *                             migrate-setmaxdowntime} argv run once the job was seen; else empty
 * @param maxDowntimeApplied   what became of the run's allowed downtime: "not requested" (the
 *                             hypervisor's default), "requested" (livemig: the agent sets it before
 *                             starting the job), "applied N ms after start" or "not applied: why"
 *                             (baseline: {@code virsh migrate-setmaxdowntime} once the job runs)
 * @param bytesField           the libvirt job statistic {@code bytesTransferred} is:
 *                             "data_processed" or "memory_processed"
 */
public record RunResult(
        RunPlan plan,
        String status,
        String modeUsed,
        long totalMs,
        long downtimeMs,
        long setupMs,
        long bytesTransferred,
        long memoryBytes,
        long iterations,
        long postcopyRequests,
        long externalDowntimeMs,
        long heartbeatGapMs,
        String integrity,
        double throughputBeforeMibps,
        double throughputDuringMibps,
        double throughputAfterMibps,
        ModelPrediction model,
        List<Sample> samples,
        List<Heartbeat> heartbeats,
        long migrationStartMs,
        long migrationEndMs,
        List<String> escalations,
        String error,
        List<String> command,
        List<String> downtimeCommand,
        String maxDowntimeApplied,
        String bytesField) {

    /** The statistic both sides' bytes are taken from: libvirt's {@code data_processed}. */
    public static final String DATA_PROCESSED = "data_processed";
    /** The fallback when a job's statistics lack {@code data_processed}. */
    public static final String MEMORY_PROCESSED = "memory_processed";

    public RunResult {
        // Runs recorded before a field existed read back with it null.
        samples = samples == null ? List.of() : List.copyOf(samples);
        heartbeats = heartbeats == null ? List.of() : List.copyOf(heartbeats);
        escalations = escalations == null ? List.of() : List.copyOf(escalations);
        command = command == null ? List.of() : List.copyOf(command);
        downtimeCommand = downtimeCommand == null ? List.of() : List.copyOf(downtimeCommand);
        maxDowntimeApplied = maxDowntimeApplied == null ? "" : maxDowntimeApplied;
        bytesField = bytesField == null ? "" : bytesField;
    }

    /** This run with {@code other} samples, every other field the same. */
    public RunResult withSamples(List<Sample> other) {
        return new RunResult(plan, status, modeUsed, totalMs, downtimeMs, setupMs, bytesTransferred, memoryBytes,
                iterations, postcopyRequests, externalDowntimeMs, heartbeatGapMs, integrity, throughputBeforeMibps,
                throughputDuringMibps, throughputAfterMibps, model, other, heartbeats, migrationStartMs, migrationEndMs,
                escalations, error, command, downtimeCommand, maxDowntimeApplied, bytesField);
    }

    /** One flight-recorder sample (livemig's, from the agent). */
    /**
     * One sample of the job as the agent streamed it; {@code progress} (0..1) and {@code etaMs} (time
     * left) are the agent's own estimate then, null in runs recorded before the agent sent them or
     * when it had no estimate.
     */
    public record Sample(long elapsedMs, String phase, long iteration, long bytesProcessed, long bytesRemaining,
            long bytesTotal, long dirtyRateBytesPerS, long bandwidthBytesPerS, int throttlePercent,
            long expectedDowntimeMs, Double progress, Long etaMs) {

        /** Without the agent's estimate. */
        public Sample(long elapsedMs, String phase, long iteration, long bytesProcessed, long bytesRemaining,
                long bytesTotal, long dirtyRateBytesPerS, long bandwidthBytesPerS, int throttlePercent,
                long expectedDowntimeMs) {
            this(elapsedMs, phase, iteration, bytesProcessed, bytesRemaining, bytesTotal, dirtyRateBytesPerS,
                    bandwidthBytesPerS, throttlePercent, expectedDowntimeMs, null, null);
        }
    }

    /** One guest heartbeat: host time (ms since the run began), sequence, workload write rate. */
    public record Heartbeat(long hostMs, long seq, double writeMibps, long errors) {}
}
