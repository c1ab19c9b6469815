package io.livemig.agent.core.monitor;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.StatsOrigin;
import io.livemig.agent.core.migration.MigrationJob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link MigrationJob} that replays a {@link JobStatsScript} in virtual time, for monitor tests
 * without libvirt and without sleeping.
 *
 * <p>Time moves only in {@link #awaitChange}: to the next row that starts a new iteration or
 * ends the job, or by the timeout, whichever comes first; {@link #nowMs()} is the clock to give
 * the monitor. {@link #sample()} returns the latest row at the current time.
 *
 * <p>It records every call and reacts the way libvirt and QEMU do, in a simple model:
 * <ul>
 *   <li>throttle: later samples report the throttle; the recorded dirtying goes on (the scripted
 *       guests re-dirty their working set however slow their vCPUs are);</li>
 *   <li>startPostCopy: replays the script's post-copy rows from now on, or, without them, sends
 *       the remaining bytes at the current rate and completes with 3 ms downtime;</li>
 *   <li>suspendSource: sends the remaining bytes at the current rate while the guest is paused,
 *       then completes; the downtime is that time plus 30 ms of hand-over;</li>
 *   <li>abort: ends CANCELLED 20 ms later; refused once post-copy started, as libvirt does;</li>
 *   <li>setMaxDowntime: the recordings hold QEMU's decisions for libvirt's default of 300 ms;
 *       with more allowed, a pass that starts with no more than bandwidth * downtime left ends
 *       the job the way QEMU does: pause, send the rest, complete;</li>
 *   <li>setBandwidth changes nothing.</li>
 * </ul>
 * Calls after the end fail with INVALID_REQUEST ("no job is active"), like libvirt.
 */
public final class FakeMigrationJob implements MigrationJob {

    /** Virtual time after which the fake refuses to go on, so that a broken loop fails instead of spinning. */
    static final long TIME_LIMIT_MS = 3_600_000;

    private static final long PAGE = 4096;

    /** The allowed downtime the recordings were made with (libvirt's default). */
    private static final long RECORDED_DOWNTIME_MS = 300;

    private final JobStatsScript script;
    private final List<JobStatsScript.Row> timeline;
    private final Map<String, HypervisorException> failures = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final List<Long> sampleTimesMs = new ArrayList<>();
    private long nowMs;
    private long maxDowntimeMs = RECORDED_DOWNTIME_MS;
    private int throttlePercent;
    private boolean postcopy;
    private boolean suspended;
    private MigrationOutcome outcome;
    private long destinationLostAtMs = Long.MAX_VALUE;
    private OptionalLong sourceCleanupMs = OptionalLong.empty();

    FakeMigrationJob(JobStatsScript script) {
        this.script = script;
        this.timeline = new ArrayList<>(script.precopy());
    }

    public static FakeMigrationJob replaying(String resource) {
        return new FakeMigrationJob(JobStatsScript.load(resource));
    }

    /**
     * Makes every later call of {@code method} fail: a method name ("throttle", "startPostCopy",
     * "sample", ...) for all its calls, or a call as {@link #calls()} shows it ("throttle(20)").
     */
    FakeMigrationJob failOn(String method, Reason reason, String message) {
        failures.put(method, new HypervisorException(reason, message));
        return this;
    }

    /** From {@code atMs} on, the destination's hypervisor is unreachable. */
    FakeMigrationJob loseDestinationAt(long atMs) {
        destinationLostAtMs = atMs;
        return this;
    }

    @Override
    public Optional<String> destinationLost() {
        return nowMs >= destinationLostAtMs ? Optional.of("lost the target") : Optional.empty();
    }

    /** Virtual milliseconds since the job started. */
    public long nowMs() {
        return nowMs;
    }

    /** Every steering call, e.g. "throttle(20)", in order, failed ones included. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** When sample() was called. */
    List<Long> sampleTimesMs() {
        return List.copyOf(sampleTimesMs);
    }

    @Override
    public Optional<JobSample> sample() throws HypervisorException {
        sampleTimesMs.add(nowMs);
        failIfAsked("sample");
        JobStatsScript.Row row = current();
        if (isDone() || row == null) {
            return Optional.empty();
        }
        Map<String, Object> fields = new HashMap<>(row.fields());
        if (throttlePercent > 0) {
            fields.put("auto_converge_throttle", (long) throttlePercent);
        }
        return Optional.of(JobStats.sample(row.rawJobType(), fields));
    }

    @Override
    public boolean awaitChange(Duration timeout) {
        if (isDone()) {
            return true;
        }
        if (nowMs > TIME_LIMIT_MS) {
            throw new IllegalStateException("fake job " + script.name() + " ran past " + TIME_LIMIT_MS + " ms");
        }
        long deadline = nowMs + timeout.toMillis();
        JobStatsScript.Row current = current();
        for (JobStatsScript.Row row : timeline) {
            if (row.atMs() <= nowMs || row.atMs() > deadline) {
                continue;
            }
            if (row.ends() || current == null || row.iteration() != current.iteration()) {
                nowMs = row.atMs();
                if (!row.ends()) {
                    stopAndCopyIfItFits(row);
                }
                settle();
                return isDone();
            }
        }
        nowMs = deadline;
        settle();
        return isDone();
    }

    @Override
    public boolean isDone() {
        return outcome != null;
    }

    /** Once it completed, the job says its source's clean-up took {@code ms}. */
    public FakeMigrationJob sourceCleanupTook(long ms) {
        sourceCleanupMs = OptionalLong.of(ms);
        return this;
    }

    @Override
    public OptionalLong sourceCleanupMs() {
        return outcome != null && outcome.status() == OutcomeStatus.COMPLETED ? sourceCleanupMs : OptionalLong.empty();
    }

    @Override
    public MigrationOutcome outcome() {
        if (outcome == null) {
            throw new IllegalStateException("the job is still running");
        }
        return outcome;
    }

    @Override
    public void setMaxDowntime(long downtimeMs) throws HypervisorException {
        call("setMaxDowntime(" + downtimeMs + ")", "setMaxDowntime");
        maxDowntimeMs = downtimeMs;
    }

    @Override
    public void setBandwidth(long bandwidthMiBps) throws HypervisorException {
        call("setBandwidth(" + bandwidthMiBps + ")", "setBandwidth");
    }

    @Override
    public void throttle(int percent) throws HypervisorException {
        call("throttle(" + percent + ")", "throttle");
        throttlePercent = percent;
    }

    @Override
    public void startPostCopy() throws HypervisorException {
        call("startPostCopy()", "startPostCopy");
        JobStatsScript.Row last = requireRunning();
        postcopy = true;
        cutTimeline();
        if (!script.postcopy().isEmpty()) {
            for (JobStatsScript.Row row : script.postcopy()) {
                Map<String, Object> fields = new HashMap<>(row.fields());
                fields.put("time_elapsed", nowMs + row.atMs());
                timeline.add(new JobStatsScript.Row(row.rawJobType(), nowMs + row.atMs(), fields));
            }
            return;
        }
        long remaining = (Long) last.fields().get("memory_remaining");
        long transferMs = remaining * 1000 / bandwidth(last);
        timeline.add(end(last, nowMs + transferMs, 3, remaining / PAGE / 32));
    }

    @Override
    public void suspendSource() throws HypervisorException {
        call("suspendSource()", "suspendSource");
        JobStatsScript.Row last = requireRunning();
        suspended = true;
        cutTimeline();
        long remaining = (Long) last.fields().get("memory_remaining");
        long pausedMs = remaining * 1000 / bandwidth(last) + 30;
        timeline.add(end(last, nowMs + pausedMs, pausedMs, null));
    }

    @Override
    public void abort() throws HypervisorException {
        call("abort()", "abort");
        if (postcopy) {
            throw new HypervisorException(Reason.OPERATION_FAILED, "cannot abort migration in post-copy mode");
        }
        cutTimeline();
        Map<String, Object> fields = new HashMap<>(current() == null ? Map.of() : current().fields());
        fields.put("time_elapsed", nowMs + 20);
        fields.put("success", false);
        fields.put("errmsg", "operation aborted: job 'migration out' canceled by client");
        fields.remove("memory_remaining");
        timeline.add(new JobStatsScript.Row(5, nowMs + 20, fields));
    }

    private void call(String call, String method) throws HypervisorException {
        calls.add(call);
        if (isDone()) {
            throw new HypervisorException(Reason.INVALID_REQUEST,
                    "Requested operation is not valid: no job is active on the domain");
        }
        failIfAsked(call);
        failIfAsked(method);
    }

    private void failIfAsked(String method) throws HypervisorException {
        HypervisorException failure = failures.get(method);
        if (failure != null) {
            throw new HypervisorException(failure.reason(), failure.getMessage());
        }
    }

    /** QEMU's completion test at the start of a pass, for downtimes above the recorded one. */
    private void stopAndCopyIfItFits(JobStatsScript.Row passStart) {
        Object remainingField = passStart.fields().get("memory_remaining");
        if (postcopy || suspended || maxDowntimeMs <= RECORDED_DOWNTIME_MS || remainingField == null) {
            return;
        }
        long remaining = (Long) remainingField;
        long bandwidth = bandwidth(passStart);
        if (remaining <= bandwidth * maxDowntimeMs / 1000) {
            long pausedMs = remaining * 1000 / bandwidth;
            cutTimeline();
            timeline.add(end(passStart, nowMs + pausedMs, pausedMs, null));
        }
    }

    private JobStatsScript.Row requireRunning() throws HypervisorException {
        JobStatsScript.Row row = current();
        if (row == null) {
            throw new HypervisorException(Reason.INVALID_REQUEST, "domain is not being migrated yet");
        }
        return row;
    }

    /** The latest row at the current time, or null before the first. */
    private JobStatsScript.Row current() {
        JobStatsScript.Row latest = null;
        for (JobStatsScript.Row row : timeline) {
            if (row.atMs() <= nowMs) {
                latest = row;
            }
        }
        return latest;
    }

    /** Ends the job if the current row says so. */
    private void settle() {
        JobStatsScript.Row row = current();
        if (outcome == null && row != null && row.ends()) {
            JobSample completed = JobStats.sample(row.rawJobType(), row.fields());
            MigrationOutcome result = JobStats.completed(completed, row.atMs(), StatsOrigin.SOURCE_COMPLETED_JOB);
            outcome = result.status() == OutcomeStatus.COMPLETED
                    ? JobStats.completed(completed, row.atMs(), StatsOrigin.DESTINATION_COMPLETED_JOB)
                    : result;
        }
    }

    /** What the guest would have done had nobody intervened no longer happens. */
    private void cutTimeline() {
        timeline.removeIf(row -> row.atMs() > nowMs);
    }

    private static long bandwidth(JobStatsScript.Row row) {
        Object bps = row.fields().get("memory_bps");
        return bps == null ? 30L << 20 : (Long) bps;
    }

    /** A completed row after the rest was sent. */
    private static JobStatsScript.Row end(JobStatsScript.Row last, long atMs, long downtimeMs, Long postcopyRequests) {
        Map<String, Object> fields = new HashMap<>(last.fields());
        long remaining = (Long) last.fields().get("memory_remaining");
        fields.put("time_elapsed", atMs);
        fields.put("memory_processed", (Long) last.fields().get("memory_processed") + remaining);
        fields.put("memory_remaining", 0L);
        fields.put("memory_iteration", last.iteration() + 1);
        fields.put("downtime", downtimeMs);
        fields.put("success", true);
        if (postcopyRequests != null) {
            fields.put("memory_postcopy_requests", postcopyRequests);
        }
        return new JobStatsScript.Row(3, atMs, fields);
    }
}
