package io.livemig.agent.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.monitor.FlightRecord.ActionRecord;
import io.livemig.agent.core.monitor.FlightRecord.Note;
import io.livemig.agent.core.monitor.FlightRecord.RecordedSample;
import io.livemig.agent.core.policy.Action;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.CopyPhase;
import io.livemig.agent.core.policy.EscalationKind;
import io.livemig.agent.core.policy.EscalationStep;
import io.livemig.agent.core.policy.PolicySettings;
import io.livemig.agent.core.policy.Prediction.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The monitor against recorded job statistics, in virtual time: the exact actions per mode. */
class MigrationMonitorTest {

    private static final String CONVERGING = "converging-precopy.csv";
    private static final String NON_CONVERGING = "nonconverging-precopy.csv";
    private static final String POSTCOPY = "postcopy.csv";
    private static final String FAILING = "failing.csv";

    // The launch applied the downtime (300 ms) and any bandwidth: the monitor starts from there.
    private static final String AUTO_LADDER = "throttle(0) setMaxDowntime(2000) "
            + "throttle(20) throttle(40) throttle(60) throttle(80)";

    /** Runs a monitor over the fake; {@code onProgress} may steer it through the monitor it is given. */
    private static MonitorReport run(FakeMigrationJob job, CopyMode mode, PolicySettings settings,
            ProgressAction onProgress) throws InterruptedException {
        AtomicReference<MigrationMonitor> monitor = new AtomicReference<>();
        monitor.set(new MigrationMonitor(job, mode, settings, job::nowMs,
                progress -> onProgress.accept(monitor.get(), progress)));
        return monitor.get().run();
    }

    private static MonitorReport run(FakeMigrationJob job, CopyMode mode) throws InterruptedException {
        return run(job, mode, PolicySettings.defaults(), (m, p) -> { });
    }

    @FunctionalInterface
    interface ProgressAction {
        void accept(MigrationMonitor monitor, JobProgress progress);
    }

    private static PolicySettings settings(String variant) {
        UnaryOperator<PolicySettings.Builder> change = switch (variant) {
            case "defaults" -> b -> b;
            case "no-postcopy" -> b -> b.postcopyAllowed(false);
            case "no-escalation" -> b -> b.throttleAllowed(false).postcopyAllowed(false).suspendAllowed(false);
            case "bandwidth-50" -> b -> b.bandwidthMiBps(50);
            default -> throw new IllegalArgumentException(variant);
        };
        return change.apply(PolicySettings.builder()).build();
    }

    @ParameterizedTest(name = "{1} on {0} ({2})")
    @CsvSource(delimiter = '|', textBlock = """
            converging-precopy.csv    | PRECOPY  | defaults      | ''                                                    | COMPLETED | PRECOPY
            converging-precopy.csv    | AUTO     | defaults      | throttle(0)                                           | COMPLETED | PRECOPY
            converging-precopy.csv    | STOPCOPY | defaults      | ''                                                    | COMPLETED | STOPCOPY
            converging-precopy.csv    | STOPCOPY | bandwidth-50  | ''                                                    | COMPLETED | STOPCOPY
            converging-precopy.csv    | POSTCOPY | defaults      | startPostCopy()                                       | COMPLETED | POSTCOPY
            nonconverging-precopy.csv | PRECOPY  | defaults      | abort()                                               | CANCELLED | PRECOPY
            nonconverging-precopy.csv | AUTO     | defaults      | %LADDER startPostCopy()                               | COMPLETED | POSTCOPY
            nonconverging-precopy.csv | AUTO     | no-postcopy   | %LADDER suspendSource()                               | COMPLETED | SUSPEND
            nonconverging-precopy.csv | AUTO     | no-escalation | setMaxDowntime(2000) abort()                          | CANCELLED | PRECOPY
            nonconverging-precopy.csv | POSTCOPY | defaults      | startPostCopy()                                       | COMPLETED | POSTCOPY
            postcopy.csv              | POSTCOPY | defaults      | startPostCopy()                                       | COMPLETED | POSTCOPY
            postcopy.csv              | AUTO     | defaults      | throttle(0) setMaxDowntime(1320)                      | COMPLETED | PRECOPY
            postcopy.csv              | PRECOPY  | defaults      | abort()                                               | CANCELLED | PRECOPY
            failing.csv               | PRECOPY  | defaults      | ''                                                    | FAILED    | PRECOPY
            failing.csv               | AUTO     | defaults      | throttle(0)                                           | FAILED    | PRECOPY
            """)
    void takesExactlyTheseActions(String script, CopyMode mode, String variant, String calls,
            OutcomeStatus status, Technique used) throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(script);
        MonitorReport report = run(job, mode, settings(variant), (m, p) -> { });
        assertEquals(calls.replace("%LADDER", AUTO_LADDER), String.join(" ", job.calls()));
        assertEquals(status, report.status(), report.error());
        assertEquals(mode, report.modeRequested());
        assertEquals(used, report.modeUsed());
        assertTrue(report.flight().actions().stream().allMatch(ActionRecord::applied));
    }

    @Test
    void autoRecordsEachEscalationWithItsReasonAndMeasurements() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING);
        MonitorReport report = run(job, CopyMode.AUTO);

        List<EscalationStep> escalations = report.escalations();
        assertEquals("RAISE_DOWNTIME@3=2000 THROTTLE@5=20 THROTTLE@7=40 THROTTLE@9=60 THROTTLE@11=80 POSTCOPY@13=0",
                escalations.stream().map(e -> e.kind() + "@" + e.iteration() + "=" + e.value())
                        .collect(Collectors.joining(" ")));
        for (EscalationStep e : escalations) {
            assertEquals(Verdict.NOT_CONVERGING, e.basis().verdict(), e.reason());
            assertEquals(1.0, e.basis().dirtyToBandwidthRatio(), 0.05, e.reason());
            assertTrue(e.basis().remainingBytes() > 84L << 20 && e.basis().remainingBytes() < 88L << 20, e.reason());
            assertTrue(e.reason().startsWith("pre-copy will not converge: the guest dirties"), e.reason());
        }
        // Iteration 2 measured the first pass (8.5 s): 10 MiB/s dirtied, no reason to act yet.
        assertEquals(11_394, escalations.get(0).atElapsedMs());
        assertTrue(escalations.get(0).reason().endsWith("raising the allowed downtime from 300 to 2000 ms (the cap)"));
        assertTrue(escalations.get(1).reason().endsWith("throttling the guest's vCPUs by 20%"));
        assertTrue(escalations.get(5).reason().contains("switching to post-copy"));

        assertEquals(List.of("SETUP>PRECOPY", "PRECOPY>POSTCOPY", "POSTCOPY>COMPLETED"), phases(report));
        assertEquals(3L, report.downtimeMs());
        assertTrue(report.postcopyRequests() > 0);
        assertEquals(256L << 20, report.memoryBytes());
        // samples after the switch are recorded as post-copy
        assertEquals(CopyPhase.POSTCOPY, report.samples().get(report.samples().size() - 1).phase());
        assertEquals(80, report.samples().get(report.samples().size() - 1).sample().autoConvergeThrottlePercent());
    }

    @Test
    void suspendingTheSourceShowsInTheDowntime() throws InterruptedException {
        MonitorReport report = run(FakeMigrationJob.replaying(NON_CONVERGING), CopyMode.AUTO,
                settings("no-postcopy"), (m, p) -> { });
        assertEquals(EscalationKind.SUSPEND, report.escalations().get(5).kind());
        assertEquals(List.of("SETUP>PRECOPY", "PRECOPY>SUSPENDED", "SUSPENDED>COMPLETED"), phases(report));
        assertTrue(report.downtimeMs() > 2800 && report.downtimeMs() < 3000,
                "86 MiB at 30 MiB/s: " + report.downtimeMs());
    }

    @Test
    void precopyAbortsAtTheCompletionTimeout() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING);
        MonitorReport report = run(job, CopyMode.PRECOPY);
        EscalationStep abort = report.escalations().get(0);
        assertEquals(EscalationKind.ABORT, abort.kind());
        assertTrue(abort.atElapsedMs() > 60_000 && abort.atElapsedMs() <= 60_500, "at " + abort.atElapsedMs());
        assertTrue(abort.reason().startsWith("not complete after 60."), abort.reason());
        assertTrue(abort.reason().contains("past the completion timeout of 60.0 s (120 s per GiB of 0.25 GiB, "
                + "at least 60 s)"), abort.reason());
        assertEquals(OutcomeStatus.CANCELLED, report.status());
        assertEquals("operation aborted: job 'migration out' canceled by client", report.error());
        assertEquals(List.of("SETUP>PRECOPY", "PRECOPY>CANCELLED"), phases(report));
    }

    @Test
    void autoRaisingTheDowntimeCanBeEnough() throws InterruptedException {
        // 120 MiB left per pass at 115 MiB/s needs about 1.05 s: the 1320 ms step covers it.
        MonitorReport report = run(FakeMigrationJob.replaying(POSTCOPY), CopyMode.AUTO);
        assertEquals(List.of(EscalationKind.RAISE_DOWNTIME),
                report.escalations().stream().map(EscalationStep::kind).toList());
        assertEquals(1320, report.escalations().get(0).value());
        assertTrue(report.downtimeMs() > 1000 && report.downtimeMs() <= 1320, "downtime " + report.downtimeMs());
    }

    @Test
    void postcopyModeSwitchesAfterTheFirstPassAndReportsTheRecordedFigures() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(POSTCOPY);
        MonitorReport report = run(job, CopyMode.POSTCOPY);
        EscalationStep e = report.escalations().get(0);
        assertEquals(EscalationKind.POSTCOPY, e.kind());
        assertEquals(2, e.iteration());
        assertEquals(2246, e.atElapsedMs());
        assertEquals(2246 + 1090, report.totalTimeMs());
        assertEquals(3L, report.downtimeMs());
        assertEquals(412L, report.postcopyRequests());
        assertEquals(8L, report.setupTimeMs());
        assertNull(report.error());
        assertTrue(report.succeeded());
    }

    @Test
    void convergingReportCarriesLibvirtsFinalFigures() throws InterruptedException {
        MonitorReport report = run(FakeMigrationJob.replaying(CONVERGING), CopyMode.PRECOPY);
        assertEquals(2700, report.totalTimeMs());
        assertEquals(145L, report.downtimeMs());
        assertEquals(9L, report.setupTimeMs());
        assertEquals(311_435_264L, report.bytesTransferred());
        assertEquals(268_435_456L, report.memoryBytes());
        assertEquals(3L, report.iterations());
        assertEquals(List.of(), report.escalations());
        assertEquals(2700, report.monitoredMs());
    }

    // ---- sampling cadence ---------------------------------------------------------------------

    @Test
    void samplesAtOnceOnEachNewIterationAndAtLeastEvery500Ms() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(CONVERGING);
        MonitorReport report = run(job, CopyMode.PRECOPY);
        // 0: nothing yet; 9: the job appears; every 500 ms in the first pass; 2235 and 2548: new
        // iterations (not 2509, 2735); 2700: it ends, and is not sampled again.
        assertEquals(List.of(0L, 9L, 509L, 1009L, 1509L, 2009L, 2235L, 2548L), job.sampleTimesMs());
        assertEquals(List.of(9L, 509L, 1009L, 1509L, 2009L, 2235L, 2548L),
                report.samples().stream().map(RecordedSample::atElapsedMs).toList());
        assertTrue(report.samples().stream().allMatch(s -> s.phase() == CopyPhase.PRECOPY));
    }

    @Test
    void neverWaitsLongerThan500MsAndNeverMissesAnIteration() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING);
        run(job, CopyMode.PRECOPY);
        List<Long> times = job.sampleTimesMs();
        for (int i = 1; i < times.size(); i++) {
            long gap = times.get(i) - times.get(i - 1);
            assertTrue(gap > 0 && gap <= MigrationMonitor.MAX_SAMPLE_INTERVAL_MS,
                    "gap " + gap + " before " + times.get(i));
        }
        List<Long> iterationStarts = new ArrayList<>();
        long previous = -1;
        for (JobStatsScript.Row row : JobStatsScript.load(NON_CONVERGING).precopy()) {
            if (row.iteration() != previous && row.atMs() <= times.get(times.size() - 1)) {
                iterationStarts.add(row.atMs());
            }
            previous = row.iteration();
        }
        assertEquals(20, iterationStarts.size(), "iterations 1..20 before the abort at 60 s");
        assertTrue(times.containsAll(iterationStarts), "missed an iteration: " + iterationStarts);
    }

    @Test
    void failuresAreCheckedBeforeProgress() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(FAILING);
        MonitorReport report = run(job, CopyMode.AUTO);
        assertEquals(OutcomeStatus.FAILED, report.status());
        assertEquals("operation failed: job 'migration out' failed: Unable to write to socket: "
                + "Connection reset by peer", report.error());
        assertEquals(1511L, job.sampleTimesMs().get(job.sampleTimesMs().size() - 1), "no sample after the failure");
        assertEquals(List.of("SETUP>PRECOPY", "PRECOPY>FAILED"), phases(report));
        assertEquals(1734, report.totalTimeMs());
    }

    // ---- refusals from the hypervisor ----------------------------------------------------------

    @Test
    void aHypervisorThatCannotThrottleIsFoundOutAtTheStartAndSkipped() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING)
                .failOn("throttle", Reason.UNSUPPORTED, "started without AUTO_CONVERGE");
        MonitorReport report = run(job, CopyMode.AUTO);
        assertEquals("throttle(0) setMaxDowntime(2000) startPostCopy()",
                String.join(" ", job.calls()));
        ActionRecord throttle = report.flight().actions().get(0);
        assertEquals(0, ((Action.Throttle) throttle.action()).percent());
        assertEquals("UNSUPPORTED: started without AUTO_CONVERGE", throttle.error());
        assertEquals(List.of(EscalationKind.RAISE_DOWNTIME, EscalationKind.POSTCOPY),
                report.escalations().stream().map(EscalationStep::kind).toList());
        assertEquals(List.of(3L, 5L), report.escalations().stream().map(EscalationStep::iteration).toList());
        assertEquals(Technique.POSTCOPY, report.modeUsed());
    }

    @Test
    void aThrottleRefusedForGoodMidLadderSkipsToTheNextKindAtTheNextSample() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING)
                .failOn("throttle(20)", Reason.UNSUPPORTED, "QEMU refused the throttle");
        MonitorReport report = run(job, CopyMode.AUTO);
        assertEquals("throttle(0) setMaxDowntime(2000) throttle(20) startPostCopy()",
                String.join(" ", job.calls()));
        ActionRecord throttle = report.flight().actions().get(2);
        assertEquals("UNSUPPORTED: QEMU refused the throttle", throttle.error());
        ActionRecord postcopy = report.flight().actions().get(3);
        assertTrue(postcopy.applied());
        assertEquals(MigrationMonitor.MAX_SAMPLE_INTERVAL_MS, postcopy.atElapsedMs() - throttle.atElapsedMs(),
                "no dwell after a step that never happened");
        assertEquals(List.of(EscalationKind.RAISE_DOWNTIME, EscalationKind.POSTCOPY),
                report.escalations().stream().map(EscalationStep::kind).toList(), "only applied steps are escalations");
    }

    @Test
    void postcopyRefusedForGoodFallsBackToSuspend() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING)
                .failOn("startPostCopy", Reason.INVALID_REQUEST, "post-copy migration is not enabled");
        MonitorReport report = run(job, CopyMode.AUTO);
        assertEquals(AUTO_LADDER + " startPostCopy() suspendSource()", String.join(" ", job.calls()));
        assertEquals(Technique.SUSPEND, report.modeUsed());
        assertEquals(OutcomeStatus.COMPLETED, report.status());
    }

    @Test
    void unreadableStatisticsStillEndAtTheTimeout() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING)
                .failOn("sample", Reason.OPERATION_FAILED, "Unable to read from monitor");
        MonitorReport report = run(job, CopyMode.AUTO);
        assertEquals("abort()", String.join(" ", job.calls()));
        assertEquals(OutcomeStatus.CANCELLED, report.status());
        assertEquals(List.of(), report.samples());
        assertTrue(notes(report).contains("statistics unavailable: Unable to read from monitor"));
        assertEquals(List.of("SETUP>CANCELLED"), phases(report));
    }

    // ---- a lost destination ----------------------------------------------------------------------

    @Test
    void aLostDestinationAbortsPrecopyAtOnce() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING).loseDestinationAt(2000);
        MonitorReport report = run(job, CopyMode.AUTO);
        assertEquals("abort()", job.calls().get(job.calls().size() - 1));
        assertEquals(OutcomeStatus.CANCELLED, report.status());
        EscalationStep abort = report.escalations().get(report.escalations().size() - 1);
        assertEquals(EscalationKind.ABORT, abort.kind());
        assertEquals("lost the target", abort.reason());
        assertTrue(abort.atElapsedMs() >= 2000 && abort.atElapsedMs() <= 2000 + MigrationMonitor.MAX_SAMPLE_INTERVAL_MS,
                "aborted at " + abort.atElapsedMs() + " ms");
    }

    @Test
    void aLostDestinationAfterTheSwitchToPostcopyIsNotAborted() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(POSTCOPY);
        AtomicReference<FakeMigrationJob> lose = new AtomicReference<>(job);
        MonitorReport report = run(job, CopyMode.POSTCOPY, PolicySettings.defaults(), (m, p) -> {
            if (p.phase() == CopyPhase.POSTCOPY && lose.get() != null) {
                lose.getAndSet(null).loseDestinationAt(p.elapsedMs());
            }
        });
        assertFalse(job.calls().contains("abort()"), String.join(" ", job.calls()));
        assertTrue(notes(report).contains("abort refused: post-copy has started, the guest runs on the destination"),
                String.join("|", notes(report)));
    }

    // ---- operator requests ---------------------------------------------------------------------

    @Test
    void abortOnRequest() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING);
        MonitorReport report = run(job, CopyMode.AUTO, PolicySettings.defaults(), once(
                p -> p.elapsedMs() >= 3000, MigrationMonitor::requestAbort));
        assertEquals("throttle(0) abort()", String.join(" ", job.calls()));
        EscalationStep abort = report.escalations().get(0);
        assertEquals(EscalationKind.ABORT, abort.kind());
        assertEquals("requested by the operator", abort.reason());
        assertEquals(3015, abort.atElapsedMs(), "carried out right after the sample that asked for it");
        assertEquals(OutcomeStatus.CANCELLED, report.status());
    }

    /** An agent that stops aborts its migrations itself: the record says so, not "the operator". */
    @Test
    void anAbortSaysWhoAskedForIt() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING);
        MonitorReport report = run(job, CopyMode.AUTO, PolicySettings.defaults(), once(
                p -> p.elapsedMs() >= 3000, m -> m.requestAbort("requested by the agent, which is shutting down")));
        EscalationStep abort = report.escalations().get(0);
        assertEquals(EscalationKind.ABORT, abort.kind());
        assertEquals("requested by the agent, which is shutting down", abort.reason());
        assertEquals(OutcomeStatus.CANCELLED, report.status());
    }

    @Test
    void abortIsRefusedOncePostcopyStarted() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(POSTCOPY);
        MonitorReport report = run(job, CopyMode.POSTCOPY, PolicySettings.defaults(), once(
                p -> p.phase() == CopyPhase.POSTCOPY, MigrationMonitor::requestAbort));
        assertEquals("startPostCopy()", String.join(" ", job.calls()));
        assertTrue(notes(report).contains("abort refused: post-copy has started, the guest runs on the destination"));
        assertEquals(OutcomeStatus.COMPLETED, report.status());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            AUTO    | throttle(0) startPostCopy() | COMPLETED | ''
            PRECOPY | abort()                     | CANCELLED | post-copy refused: the migration was started without the post-copy flag (mode PRECOPY)
            """)
    void postcopyOnRequest(CopyMode mode, String calls, OutcomeStatus status, String note)
            throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING);
        MonitorReport report = run(job, mode, PolicySettings.defaults(), once(
                p -> p.elapsedMs() >= 5000, MigrationMonitor::requestPostCopy));
        assertEquals(calls, String.join(" ", job.calls()));
        assertEquals(status, report.status());
        if (!note.isEmpty()) {
            assertTrue(notes(report).contains(note), notes(report).toString());
        }
    }

    @Test
    void downtimeAndBandwidthOnRequestReplaceTheInitialSettings() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(CONVERGING);
        MigrationMonitor monitor = new MigrationMonitor(job, CopyMode.PRECOPY, settings("bandwidth-50"),
                job::nowMs, ProgressListener.NONE);
        monitor.requestMaxDowntime(500);
        monitor.requestBandwidth(100);
        MonitorReport report = monitor.run();
        assertEquals("setMaxDowntime(500) setBandwidth(100)", String.join(" ", job.calls()));
        assertEquals(List.of(), report.escalations());
    }

    @Test
    void progressIsReportedAfterEverySample() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING);
        List<JobProgress> seen = new ArrayList<>();
        MonitorReport report = run(job, CopyMode.AUTO, PolicySettings.defaults(), (m, p) -> seen.add(p));
        assertEquals(report.samples().size(), seen.size());
        JobProgress last = seen.get(seen.size() - 1);
        assertEquals(CopyPhase.POSTCOPY, last.phase());
        assertEquals(2000, last.allowedDowntimeMs());
        assertEquals(80, last.throttlePercent());
        assertEquals(6, last.escalations());
        assertEquals(0, seen.get(0).escalations());
        assertEquals(Verdict.UNKNOWN, seen.get(0).prediction().verdict(), "nothing to predict in the first pass");
    }

    @Test
    void aBrokenListenerDoesNotStopTheSteering() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(NON_CONVERGING);
        MonitorReport report = run(job, CopyMode.AUTO, PolicySettings.defaults(), (m, p) -> {
            throw new IllegalStateException("listener bug");
        });
        assertEquals(AUTO_LADDER + " startPostCopy()", String.join(" ", job.calls()));
        assertTrue(notes(report).contains("progress listener failed: java.lang.IllegalStateException: listener bug"));
    }

    @Test
    void runsOnce() throws InterruptedException {
        FakeMigrationJob job = FakeMigrationJob.replaying(CONVERGING);
        MigrationMonitor monitor = new MigrationMonitor(job, CopyMode.PRECOPY, PolicySettings.defaults(),
                job::nowMs, ProgressListener.NONE);
        monitor.run();
        assertThrows(IllegalStateException.class, monitor::run);
        assertEquals(CopyPhase.COMPLETED, monitor.phase());
        assertFalse(monitor.flightRecord().samples().isEmpty());
    }

    private static ProgressAction once(java.util.function.Predicate<JobProgress> when,
            Consumer<MigrationMonitor> request) {
        boolean[] done = {false};
        return (monitor, progress) -> {
            if (!done[0] && when.test(progress)) {
                done[0] = true;
                request.accept(monitor);
            }
        };
    }

    private static List<String> phases(MonitorReport report) {
        return report.flight().phases().stream().map(t -> t.from() + ">" + t.to()).toList();
    }

    private static List<String> notes(MonitorReport report) {
        return report.flight().notes().stream().map(Note::text).toList();
    }
}
