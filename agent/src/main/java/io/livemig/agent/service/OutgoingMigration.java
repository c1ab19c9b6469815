package io.livemig.agent.service;

import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.monitor.JobProgress;
import io.livemig.agent.core.monitor.MigrationMonitor;
import io.livemig.agent.core.monitor.MonitorReport;
import io.livemig.agent.core.monitor.ProgressGauge;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.AutoPlan;
import io.livemig.agent.core.policy.EscalationStep;
import io.livemig.common.predict.Progress;
import io.livemig.common.timeline.Phase;
import io.livemig.common.timeline.Phases;
import io.livemig.common.timeline.Timeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The watchers' view of one outgoing migration, replaced as samples arrive, versioned for waiting. */
final class OutgoingMigration {

    private static final Logger LOG = LoggerFactory.getLogger(OutgoingMigration.class);

    final String id;
    final String vmName;
    final String sourceHost;
    final String targetHost;
    final CopyMode modeRequested;
    final boolean postcopyPossible;
    volatile MigrationMonitor monitor;
    /** AUTO's plan before the start; the result lists it first, as the step "plan". */
    volatile AutoPlan plan;
    /** libvirt's confirm step (see {@link MigrationJob#sourceCleanupMs}), once known. */
    volatile OptionalLong sourceCleanupMs = OptionalLong.empty();
    /** Fed every sample, under this. */
    private final ProgressGauge gauge;
    private final List<MigrationView.Sample> samples = new ArrayList<>();
    private MigrationView current;
    private int escalationsLogged; // under this
    private final AgentEvents events;
    /** From the start request received; its phases go with the result. */
    final Timeline timeline;

    OutgoingMigration(String id, String vmName, String sourceHost, String targetHost, CopyMode modeRequested,
            AgentEvents events, Timeline timeline, ProgressGauge gauge) {
        this.timeline = timeline;
        this.gauge = gauge;
        this.id = id;
        this.vmName = vmName;
        this.sourceHost = sourceHost;
        this.targetHost = targetHost;
        this.modeRequested = modeRequested;
        this.events = events;
        this.postcopyPossible = modeRequested == CopyMode.POSTCOPY || modeRequested == CopyMode.AUTO;
        this.current = new MigrationView(0, id, vmName, sourceHost, targetHost, MigrationView.Status.RUNNING, null,
                List.of(), null);
    }

    synchronized MigrationView view() {
        return current;
    }

    synchronized MigrationView awaitNewer(long version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (current.version() == version) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                break;
            }
            wait(leftMs);
        }
        return current;
    }

    synchronized void onProgress(JobProgress p) {
        if (p.escalations() > escalationsLogged && monitor != null) {
            List<EscalationStep> all = monitor.flightRecord().escalations();
            for (EscalationStep e : all.subList(Math.min(escalationsLogged, all.size()), all.size())) {
                LOG.info("escalation: {} {} at iteration {} ({})", e.kind().name().toLowerCase(Locale.ROOT),
                        e.value(), e.iteration(), e.reason());
            }
            escalationsLogged = all.size();
        }
        MigrationView.Sample s = sample(p, gauge.next(p));
        samples.add(s);
        publish(new MigrationView(current.version() + 1, id, vmName, sourceHost, targetHost,
                MigrationView.Status.RUNNING, s, List.copyOf(samples), null));
    }

    synchronized void finish(MonitorReport report, String error) {
        finish(report, error, false);
    }

    /**
     * Ends the migration. With {@code verdictFirst} the agent's own {@code error} (a verdict such as
     * "the VM is lost: ...") leads, and libvirt's error follows in parentheses: lists that show the
     * first words of an error (the history table) then show the verdict.
     */
    synchronized void finish(MonitorReport report, String error, boolean verdictFirst) {
        MigrationView.Result result;
        timeline.end();
        if (report == null) {
            result = new MigrationView.Result(MigrationView.Status.FAILED, mode(modeRequested), mode(modeRequested),
                    List.of(), 0, 0, 0, 0, 0, 0, 0, error, timeline.phases());
        } else {
            MigrationView.Status status = switch (report.status()) {
                case COMPLETED -> MigrationView.Status.SUCCEEDED;
                case CANCELLED -> MigrationView.Status.ABORTED;
                case FAILED -> MigrationView.Status.FAILED;
            };
            List<MigrationView.Step> steps = new ArrayList<>();
            AutoPlan planned = plan;
            if (planned != null && !planned.reason().isEmpty()) {
                steps.add(new MigrationView.Step(0, 0, "plan", planned.objective(), planned.reason()));
            }
            report.escalations().stream().map(OutgoingMigration::step).forEach(steps::add);
            result = new MigrationView.Result(status, mode(report.modeRequested()),
                    report.modeUsed().name().toLowerCase(Locale.ROOT), steps, report.totalTimeMs(),
                    orZero(report.downtimeMs()), orZero(report.setupTimeMs()), orZero(report.bytesTransferred()),
                    orZero(report.memoryBytes()), orZero(report.iterations()), orZero(report.postcopyRequests()),
                    report.error() == null ? error : error == null ? report.error()
                            : verdictFirst ? error + " (libvirt: " + report.error() + ")" : report.error() + "; " + error,
                    jobPhases(timeline.phases(), report));
        }
        events.migrationEnded(result); // first: whoever sees the end also sees it counted
        // The last message says where it ended: done (1, no time left) when it succeeded.
        MigrationView.Sample latest = current.latest() == null ? null : current.latest().ended(result.status());
        publish(new MigrationView(current.version() + 1, id, vmName, sourceHost, targetHost, result.status(),
                latest, List.copyOf(samples), result));
    }

    /**
     * The job's phase in three: libvirt's setup time tells where its first byte left, and the
     * source's clean-up, where known, is its end.
     */
    private List<Phase> jobPhases(List<Phase> phases, MonitorReport report) {
        List<Phase> split = Phases.split(phases, Phases.JOB, Phases.JOB_SETUP, orZero(report.setupTimeMs()),
                Phases.JOB);
        OptionalLong cleanup = sourceCleanupMs;
        return cleanup.isPresent()
                ? Phases.splitLast(split, Phases.JOB, Phases.JOB, cleanup.getAsLong(), Phases.SOURCE_CLEANUP)
                : split;
    }

    private void publish(MigrationView next) {
        current = next;
        notifyAll();
    }

    private static MigrationView.Step step(EscalationStep e) {
        return new MigrationView.Step(e.atElapsedMs(), e.iteration(), e.kind().name().toLowerCase(Locale.ROOT),
                String.valueOf(e.value()), e.reason());
    }

    private static MigrationView.Sample sample(JobProgress p, Progress progress) {
        JobSample s = p.sample();
        long expected = p.prediction() == null ? 0 : Math.max(0, p.prediction().expectedDowntimeMs());
        return new MigrationView.Sample(p.elapsedMs(), p.phase().name().toLowerCase(Locale.ROOT),
                orZero(s.memoryIteration()), orZero(s.bytesTransferred()), orZero(s.bytesRemaining()),
                orZero(s.dataTotalBytes() != null ? s.dataTotalBytes() : s.memoryTotalBytes()),
                s.memoryDirtyRateBytesPerSec().orElse(0), orZero(s.memoryBytesPerSec()), p.throttlePercent(), expected,
                progress.fraction(), progress.etaMs());
    }

    static String mode(CopyMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
