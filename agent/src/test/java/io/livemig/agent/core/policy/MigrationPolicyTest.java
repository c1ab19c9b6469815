package io.livemig.agent.core.policy;

import static io.livemig.agent.core.policy.PolicyFixtures.MIB;
import static io.livemig.agent.core.policy.PolicyFixtures.render;
import static io.livemig.agent.core.policy.PolicyFixtures.runNonConverging;
import static io.livemig.agent.core.policy.PolicyFixtures.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.policy.Prediction.Verdict;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class MigrationPolicyTest {

    private static MigrationPolicy policy(CopyMode mode) {
        return new MigrationPolicy(mode, PolicySettings.defaults());
    }

    private static MigrationPolicy policy(CopyMode mode, UnaryOperator<PolicySettings.Builder> settings) {
        return new MigrationPolicy(mode, settings.apply(PolicySettings.builder()).build());
    }

    /** A state as after the first sample of the second pass, with the initial settings sent. */
    private static PolicyState started(MigrationPolicy policy) {
        return policy.decide(policy.initialState(), running(1, 256, 0, 30), 0).next();
    }

    // ---- initial settings ----------------------------------------------------------------

    // The downtime and the bandwidth went with the launch: the policy takes them as set.
    @ParameterizedTest(name = "{0} bandwidth={1} -> {2}, downtime {3}, bandwidth {4}")
    @CsvSource(delimiter = '|', textBlock = """
            PRECOPY  | 0  | ''          | 300 | -1
            POSTCOPY | 0  | ''          | 300 | -1
            AUTO     | 0  | Throttle(0) | 300 | -1
            STOPCOPY | 0  | ''          | 0   | -1
            AUTO     | 50 | Throttle(0) | 300 | 50
            PRECOPY  | 50 | ''          | 300 | 50
            STOPCOPY | 50 | ''          | 0   | 50
            """)
    void firstActiveSampleSendsOnlyWhatTheLaunchDidNotSet(CopyMode mode, long bandwidthMiBps, String expected,
            long downtimeMs, long bandwidthState) {
        MigrationPolicy p = policy(mode, b -> b.bandwidthMiBps(bandwidthMiBps));
        PolicyDecision first = p.decide(p.initialState(), running(1, 256, 0, 30), 0);
        assertEquals(expected, render(first.actions()));
        assertEquals(List.of(), first.escalations(), "initial settings are not escalations");
        assertEquals(downtimeMs, first.next().downtimeMs(), "the launch's downtime, as set");
        assertEquals(bandwidthState, first.next().bandwidthMiBps(), "the launch's bandwidth, as set");
        PolicyDecision second = p.decide(first.next(), running(1, 240, 0, 30), 500);
        assertEquals("", render(second.actions()), "sent once");
    }

    /**
     * The start of a run on the lab (auto, 28 MiB/s of 32): libvirt's set-up sample (iteration 0,
     * all zeros), the first pass, then the second at 131 MiB remaining with the guest at 0.67 of
     * the link. Pre-copy converges here; the set-up sample once counted as a pass with 0 MiB left
     * made it "stalled: remaining went from 0.0 MiB to 130.9 MiB" and raised the downtime to its cap.
     */
    @Test
    void libvirtsSetUpSampleIsNoPass() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyState s = p.decide(p.initialState(), running(0, 0, -1, -1), 0).next();
        s = p.decide(s, running(1, 253, 0, 33), 526).next();
        PolicyDecision second = p.decide(s, running(2, 131, 22, 33), 6413);
        assertEquals("", render(second.actions()), second.toString());
    }

    @Test
    void nothingIsSteeredOnAJobThatIsNotRunning() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        JobSample completed = JobStats.sample(3, Map.of("memory_iteration", 3L, "time_elapsed", 90_000L));
        PolicyDecision d = p.decide(p.initialState(), completed, 90_000);
        assertEquals(List.of(), d.actions());
        assertEquals(3, d.next().iteration(), "but it is observed");
    }

    @Test
    void anOperatorsDowntimeAndBandwidthSetBeforeTheFirstSampleAreKept() {
        MigrationPolicy p = policy(CopyMode.PRECOPY, b -> b.bandwidthMiBps(50));
        PolicyState s = p.onRequest(p.initialState(), new Action.SetMaxDowntime(800, "op"), 0).next();
        s = p.onRequest(s, new Action.SetBandwidth(0, "op"), 0).next();
        PolicyDecision first = p.decide(s, running(1, 256, 0, 30), 10);
        assertEquals("", render(first.actions()));
        assertEquals(800, first.next().downtimeMs());
        assertEquals(0, first.next().bandwidthMiBps());
    }

    // ---- the timeout rule ------------------------------------------------------------------

    @ParameterizedTest(name = "elapsed {0} ms, timeout {1} ms, post-copy {2} -> {3}")
    @CsvSource({
            "59999, 60000, false, false",
            "60000, 60000, false, false",
            "60001, 60000, false, true",
            "60001, 60000, true, false",
            "9999999, 0, false, false"})
    void shouldTriggerTimeout(long elapsedMs, long timeoutMs, boolean postcopy, boolean expected) {
        assertEquals(expected, MigrationPolicy.shouldTriggerTimeout(elapsedMs, timeoutMs, postcopy));
    }

    // 256 MiB and 1 GiB guests in their first pass, where no mode does anything else.
    @ParameterizedTest(name = "{0}: {1} MiB at {2} ms -> abort {3}")
    @CsvSource({
            "PRECOPY, 256, 60000, false",
            "PRECOPY, 256, 60001, true",
            "STOPCOPY, 256, 60001, true",
            "POSTCOPY, 256, 60001, true",
            "AUTO, 256, 60001, true",
            "AUTO, 1024, 60001, false",
            "AUTO, 1024, 120000, false",
            "PRECOPY, 1024, 120001, true"})
    void abortsPastTheCompletionTimeoutInEveryMode(CopyMode mode, long memoryMiB, long elapsedMs,
            boolean abort) {
        MigrationPolicy p = policy(mode);
        PolicyState s = p.decide(p.initialState(), running(1, 256 * MIB, 0, 30, memoryMiB * MIB), 0).next();
        PolicyDecision d = p.decide(s, running(1, 100 * MIB, 0, 30, memoryMiB * MIB), elapsedMs);
        assertEquals(abort ? "Abort" : "", render(d.actions()));
        if (abort) {
            EscalationStep e = d.escalations().get(0);
            assertEquals(EscalationKind.ABORT, e.kind());
            assertEquals(elapsedMs, e.atElapsedMs());
            assertTrue(e.reason().contains("completion timeout"), e.reason());
            assertTrue(d.next().abortRequested());
        }
    }

    @Test
    void timeoutAbortsOnceAndThenNothingIsDecided() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyState s = p.decide(started(p), running(2, 86, 30, 30), 60_001).next();
        assertTrue(s.abortRequested());
        for (long t = 60_500; t < 70_000; t += 500) {
            PolicyDecision d = p.decide(s, running(2 + t / 3000, 86, 30, 30), t);
            assertEquals(List.of(), d.actions());
            s = d.next();
        }
    }

    @Test
    void noTimeoutAbortAfterPostcopyStarted() {
        MigrationPolicy p = policy(CopyMode.POSTCOPY);
        PolicyState s = p.decide(started(p), running(2, 120, 30, 115), 2500).next();
        assertTrue(s.postcopyStarted());
        assertEquals(List.of(), p.decide(s, running(3, 50, 0, 115), 3_600_000).actions());
        assertEquals(List.of(), p.tick(s, 3_600_000).actions());
    }

    @ParameterizedTest(name = "no sample, {0} ms -> abort {1}")
    @CsvSource({"60000, false", "60001, true"})
    void tickAppliesTheTimeoutWithoutSamples(long elapsedMs, boolean abort) {
        MigrationPolicy p = policy(CopyMode.PRECOPY);
        assertEquals(abort ? "Abort" : "", render(p.tick(p.initialState(), elapsedMs).actions()));
    }

    @Test
    void zeroSecondsPerGiBTurnsTheTimeoutOff() {
        MigrationPolicy p = policy(CopyMode.PRECOPY, b -> b.completionTimeoutSecPerGiB(0));
        assertEquals(List.of(), p.decide(started(p), running(40, 86, 30, 30), 86_400_000).actions());
    }

    // ---- PRECOPY, STOPCOPY, POSTCOPY ------------------------------------------------------

    @ParameterizedTest(name = "{0} on a guest that never converges")
    @CsvSource(delimiter = '|', textBlock = """
            PRECOPY  | Abort@20
            STOPCOPY | Abort@20
            """)
    void precopyAndStopcopyOnlySetUpAndTimeOut(CopyMode mode, String expected) {
        assertEquals(expected, runNonConverging(policy(mode), 90_000));
    }

    @ParameterizedTest(name = "switch after iteration {0}: at iteration {1} -> {2}")
    @CsvSource({"2, 1, false", "2, 2, true", "2, 5, true", "3, 2, false", "3, 3, true", "1, 1, true"})
    void postcopySwitchesAfterTheFirstFullPass(int after, long iteration, boolean switches) {
        MigrationPolicy p = policy(CopyMode.POSTCOPY, b -> b.postcopyAfterIterations(after));
        PolicyDecision d = p.decide(p.initialState(), running(iteration, 120, 50, 115), 2300);
        assertEquals(switches ? "StartPostCopy" : "", render(d.actions()));
        if (switches) {
            assertEquals(EscalationKind.POSTCOPY, d.escalations().get(0).kind());
            assertEquals(iteration, d.escalations().get(0).iteration());
            assertTrue(d.next().postcopyStarted());
            assertEquals(List.of(), p.decide(d.next(), running(iteration + 1, 60, 0, 115), 2800).actions(),
                    "switched once");
        }
    }

    // ---- AUTO -------------------------------------------------------------------------------

    /** A plan for post-copy first: the switch right after the first pass, no ladder before it. */
    @Test
    void autoWithAPostcopyFirstPlanSwitchesAfterTheFirstPassSayingWhy() {
        AutoPlan plan = new AutoPlan(true, "fastest", "post-copy is the fastest within the allowed 300 ms");
        MigrationPolicy p = new MigrationPolicy(CopyMode.AUTO, PolicySettings.defaults(), plan);
        assertEquals("Throttle(0)@1 StartPostCopy@2", runNonConverging(p, 90_000));
        PolicyState s = p.decide(p.initialState(), running(1, 256, 0, 30), 0).next();
        PolicyDecision d = p.decide(s, running(2, 86, 30, 30), 8600);
        String reason = d.escalations().get(0).reason();
        assertTrue(reason.startsWith("planned before the start (objective fastest): post-copy is the fastest within "
                + "the allowed 300 ms; first full pass over memory done (iteration 2 >= 2)"), reason);
    }

    @Test
    void autoWithAPostcopyFirstPlanButPostcopyNotAllowedClimbsTheLadder() {
        AutoPlan plan = new AutoPlan(true, "fastest", "post-copy is the fastest");
        MigrationPolicy p = new MigrationPolicy(CopyMode.AUTO, PolicySettings.builder().postcopyAllowed(false).build(), plan);
        assertEquals(runNonConverging(policy(CopyMode.AUTO, b -> b.postcopyAllowed(false)), 90_000),
                runNonConverging(p, 90_000));
    }

    @Test
    void autoWithAPrecopyFirstPlanIsTheLadder() {
        AutoPlan plan = new AutoPlan(false, "safe", "pre-copy converges");
        assertEquals(runNonConverging(policy(CopyMode.AUTO), 90_000),
                runNonConverging(new MigrationPolicy(CopyMode.AUTO, PolicySettings.defaults(), plan), 90_000));
    }

    static Stream<Arguments> autoLadders() {
        return Stream.of(
                ladder("defaults", b -> b,
                        "Throttle(0)@1 SetMaxDowntime(2000)@2 Throttle(20)@4 Throttle(40)@6 "
                                + "Throttle(60)@8 Throttle(80)@10 StartPostCopy@12"),
                ladder("post-copy not allowed", b -> b.postcopyAllowed(false),
                        "Throttle(0)@1 SetMaxDowntime(2000)@2 Throttle(20)@4 Throttle(40)@6 "
                                + "Throttle(60)@8 Throttle(80)@10 SuspendSource@12"),
                ladder("throttle not allowed", b -> b.throttleAllowed(false),
                        "SetMaxDowntime(2000)@2 StartPostCopy@4"),
                ladder("neither throttle nor post-copy", b -> b.throttleAllowed(false).postcopyAllowed(false),
                        "SetMaxDowntime(2000)@2 SuspendSource@4"),
                ladder("no last resort: the timeout ends it",
                        b -> b.throttleAllowed(false).postcopyAllowed(false).suspendAllowed(false),
                        "SetMaxDowntime(2000)@2 Abort@20"),
                ladder("throttle 25 up to 50", b -> b.throttleStepPercent(25).maxThrottlePercent(50),
                        "Throttle(0)@1 SetMaxDowntime(2000)@2 Throttle(25)@4 Throttle(50)@6 "
                                + "StartPostCopy@8"),
                ladder("no room to raise the downtime", b -> b.downtimeCapMs(300).maxThrottlePercent(40),
                        "Throttle(0)@1 Throttle(20)@2 Throttle(40)@4 StartPostCopy@6"),
                ladder("dwell of 1 iteration", b -> b.escalationDwellIterations(1).maxThrottlePercent(40),
                        "Throttle(0)@1 SetMaxDowntime(2000)@2 Throttle(20)@3 Throttle(40)@4 "
                                + "StartPostCopy@5"),
                ladder("dwell of 10 s dominates, checked mid-pass too",
                        b -> b.escalationDwellMs(10_000).maxThrottlePercent(20),
                        "Throttle(0)@1 SetMaxDowntime(2000)@2 Throttle(20)@5 StartPostCopy@8"));
    }

    private static Arguments ladder(String name, UnaryOperator<PolicySettings.Builder> settings, String expected) {
        return Arguments.of(name, settings, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("autoLadders")
    void autoEscalatesOneStepAtATimeOnAGuestThatNeverConverges(String name,
            UnaryOperator<PolicySettings.Builder> settings, String expected) {
        assertEquals(expected, runNonConverging(policy(CopyMode.AUTO, settings), 90_000));
    }

    @Test
    void autoLeavesAConvergingGuestAlone() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyState s = p.initialState();
        // the converging lab run: 36 MiB then 5 MiB left at 115 MiB/s, 16 MiB/s dirtied
        JobSample[] samples = {running(1, 256, 0, -1), running(1, 100, 0, 115), running(2, 36, 16, 115),
                running(3, 5, 16, 115)};
        StringBuilder taken = new StringBuilder();
        Prediction last = null;
        for (int i = 0; i < samples.length; i++) {
            PolicyDecision d = p.decide(s, samples[i], i * 800L);
            taken.append(render(d.actions()));
            s = d.next();
            last = d.prediction();
        }
        assertEquals("Throttle(0)", taken.toString());
        assertEquals(Verdict.CONVERGING, last.verdict());
        assertEquals(0, last.predictedPasses());
    }

    @ParameterizedTest(name = "{0} MiB left at 30 MiB/s -> downtime {1} ms")
    @CsvSource({"15, 640", "29, 980", "30, 1320", "45, 1660", "86, 2000", "500, 2000"})
    void autoRaisesDowntimeStraightToTheStepTheMeasurementsNeed(long remainingMiB, long expectedMs) {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyDecision d = p.decide(started(p), running(2, remainingMiB, 30, 30), 9000);
        assertEquals("SetMaxDowntime(" + expectedMs + ")", render(d.actions()));
        EscalationStep e = d.escalations().get(0);
        assertEquals(EscalationKind.RAISE_DOWNTIME, e.kind());
        assertEquals(expectedMs, e.value());
        assertEquals(2, e.iteration());
        assertEquals(9000, e.atElapsedMs());
        assertNotNull(e.basis());
        assertEquals(Verdict.NOT_CONVERGING, e.basis().verdict());
        assertTrue(e.reason().startsWith("pre-copy will not converge"), e.reason());
        assertTrue(e.reason().endsWith("raising the allowed downtime from 300 to " + expectedMs + " ms"
                + (expectedMs == 2000 ? " (the cap)" : "")), e.reason());
    }

    // After a step at iteration 4, t=10 s; dwell defaults: 2 iterations and 2 s.
    @ParameterizedTest(name = "{0} iterations and {1} ms later -> {2}")
    @CsvSource({"1, 5000, false", "2, 1999, false", "2, 2000, true", "3, 30000, true"})
    void autoWaitsTheDwellBetweenSteps(long iterations, long laterMs, boolean steps) {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyState s = started(p).withDowntimeMs(2000).withLastEscalation(4, 10_000);
        PolicyDecision d = p.decide(s, running(4 + iterations, 86, 30, 30), 10_000 + laterMs);
        assertEquals(steps ? "Throttle(20)" : "", render(d.actions()));
    }

    @Test
    void eachStepIsJudgedOnlyByTheIterationsAfterIt() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyState s = started(p);
        s = p.decide(s, running(2, 86, 30, 30), 9000).next();
        assertEquals(2, s.lastEscalationIteration());
        assertEquals(List.of(), s.historySinceLastEscalation());
        s = p.decide(s, running(3, 86, 30, 30), 12_000).next();
        assertEquals(List.of(3L), s.historySinceLastEscalation().stream().map(IterationStats::iteration).toList());
    }

    @Test
    void autoStallRuleWorksWithoutADirtyRate() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyState s = started(p);
        StringBuilder taken = new StringBuilder();
        for (int it = 2; it <= 4; it++) {
            PolicyDecision d = p.decide(s, running(it, 86, -1, 30), it * 3000L);
            taken.append(render(d.actions())).append('@').append(it).append(' ');
            s = d.next();
        }
        assertEquals("@2 @3 SetMaxDowntime(2000)@4 ", taken.toString());
    }

    // ---- failures reported back --------------------------------------------------------------

    @ParameterizedTest(name = "{0} failed with {1}")
    @CsvSource({
            "throttle, UNSUPPORTED, true",
            "throttle, INVALID_REQUEST, true",
            "throttle, OPERATION_FAILED, false",
            "postcopy, UNSUPPORTED, true",
            "postcopy, HOST_UNAVAILABLE, false",
            "suspend, INVALID_REQUEST, true",
            "downtime, OPERATION_FAILED, false",
            "abort, OPERATION_FAILED, false"})
    void aRefusedStepIsTakenBack(String step, Reason reason, boolean forGood) {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyState before = started(p).withDowntimeMs(2000).withLastEscalation(2, 9000);
        PolicyState after;
        Action action;
        EscalationKind kind;
        switch (step) {
            case "throttle" -> {
                action = new Action.Throttle(20, "r");
                kind = EscalationKind.THROTTLE;
                after = before.withThrottlePercent(20);
            }
            case "postcopy" -> {
                action = new Action.StartPostCopy("r");
                kind = EscalationKind.POSTCOPY;
                after = before.withPostcopyStarted(true);
            }
            case "suspend" -> {
                action = new Action.SuspendSource("r");
                kind = EscalationKind.SUSPEND;
                after = before.withSuspended(true);
            }
            case "downtime" -> {
                action = new Action.SetMaxDowntime(3000, "r");
                kind = EscalationKind.RAISE_DOWNTIME;
                after = before.withDowntimeMs(3000);
            }
            default -> {
                action = new Action.Abort("r");
                kind = EscalationKind.ABORT;
                after = before.withAbortRequested(true);
            }
        }
        after = after.withLastEscalation(4, 15_000);
        PolicyState s = p.afterFailure(before, after, action, reason);
        assertEquals(0, s.throttlePercent());
        assertFalse(s.postcopyStarted());
        assertFalse(s.suspended());
        assertFalse(s.abortRequested());
        assertEquals(2000, s.downtimeMs());
        assertEquals(forGood, s.isUnavailable(kind));
        assertEquals(forGood ? 2 : 4, s.lastEscalationIteration(), "a step that never happened needs no dwell");
    }

    @Test
    void unsupportedThrottleSkipsToPostcopyAtTheNextSample() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyState before = started(p).withDowntimeMs(2000).withLastEscalation(2, 9000);
        PolicyDecision throttle = p.decide(before, running(4, 86, 30, 30), 15_000);
        assertEquals("Throttle(20)", render(throttle.actions()));
        PolicyState s = p.afterFailure(before, throttle.next(), throttle.actions().get(0), Reason.UNSUPPORTED);
        PolicyDecision next = p.decide(s, running(4, 70, 30, 30), 15_500);
        assertEquals("StartPostCopy", render(next.actions()));
    }

    @Test
    void aRefusedBandwidthChangeIsTakenBack() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyState before = started(p);
        PolicyDecision d = p.onRequest(before, new Action.SetBandwidth(10, "op"), 100);
        assertEquals(10, d.next().bandwidthMiBps());
        assertEquals(-1, p.afterFailure(before, d.next(), d.actions().get(0), Reason.OPERATION_FAILED)
                .bandwidthMiBps());
    }

    // ---- operator requests --------------------------------------------------------------------

    @ParameterizedTest(name = "{0} in {1} ({2}) -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            abort     | AUTO     | running    | Abort          |
            abort     | PRECOPY  | running    | Abort          |
            abort     | AUTO     | post-copy  | ''             | abort refused: post-copy has started, the guest runs on the destination
            abort     | AUTO     | aborting   | ''             | abort already requested
            post-copy | AUTO     | running    | StartPostCopy  |
            post-copy | POSTCOPY | running    | StartPostCopy  |
            post-copy | PRECOPY  | running    | ''             | post-copy refused: the migration was started without the post-copy flag (mode PRECOPY)
            post-copy | STOPCOPY | running    | ''             | post-copy refused: the migration was started without the post-copy flag (mode STOPCOPY)
            post-copy | POSTCOPY | post-copy  | ''             | post-copy refused: post-copy has already started
            post-copy | AUTO     | suspended  | ''             | post-copy refused: the guest is paused on the source
            post-copy | AUTO     | aborting   | ''             | post-copy refused: an abort was requested
            post-copy | AUTO     | refused    | ''             | post-copy refused: the hypervisor refused post-copy for this migration
            """)
    void operatorRequests(String request, CopyMode mode, String situation, String expected, String note) {
        MigrationPolicy p = policy(mode);
        PolicyState s = started(p);
        s = switch (situation) {
            case "post-copy" -> s.withPostcopyStarted(true);
            case "aborting" -> s.withAbortRequested(true);
            case "suspended" -> s.withSuspended(true);
            case "refused" -> s.withUnavailable(EscalationKind.POSTCOPY);
            default -> s;
        };
        Action action = request.equals("abort") ? new Action.Abort("requested by the operator")
                : new Action.StartPostCopy("requested by the operator");
        PolicyDecision d = p.onRequest(s, action, 4200);
        assertEquals(expected, render(d.actions()));
        assertEquals(note == null ? List.of() : List.of(note), d.notes());
        if (!expected.isEmpty()) {
            EscalationStep e = d.escalations().get(0);
            assertEquals("requested by the operator", e.reason());
            assertEquals(4200, e.atElapsedMs());
            assertNull(e.basis());
        }
    }

    @Test
    void operatorDowntimeBecomesTheBaseForEscalation() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        PolicyDecision d = p.onRequest(started(p), new Action.SetMaxDowntime(1000, "requested by the operator"), 5000);
        assertEquals("SetMaxDowntime(1000)", render(d.actions()));
        assertEquals(List.of(), d.escalations());
        // 86 MiB at 30 MiB/s needs 2867 ms: from 1000 the next step is the cap
        PolicyDecision next = p.decide(d.next(), running(2, 86, 30, 30), 9000);
        assertTrue(next.actions().get(0).reason().contains("from 1000 to 2000 ms"), next.actions().get(0).reason());
    }

    @Test
    void stepsThatAreNotOperatorRequestsAreRejected() {
        MigrationPolicy p = policy(CopyMode.AUTO);
        assertThrows(IllegalArgumentException.class,
                () -> p.onRequest(p.initialState(), new Action.Throttle(50, "op"), 0));
    }

    @ParameterizedTest(name = "{0} with post-copy allowed={1} needs the flag: {2}")
    @CsvSource({"PRECOPY, true, false", "STOPCOPY, true, false", "POSTCOPY, false, true", "AUTO, true, true",
            "AUTO, false, false"})
    void modesThatNeedThePostcopyFlag(CopyMode mode, boolean allowed, boolean needs) {
        assertEquals(needs, mode.needsPostcopyFlag(PolicySettings.builder().postcopyAllowed(allowed).build()));
        assertEquals(mode != CopyMode.STOPCOPY, mode.isLive());
    }
}
