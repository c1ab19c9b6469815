package io.livemig.orchestrator.service;

import static io.livemig.orchestrator.service.FakeAgents.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.log.MigrationLog;
import io.livemig.common.timeline.Phase;
import io.livemig.common.timeline.Phases;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.history.RoundRecord;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
import io.livemig.testkit.LogCapture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrchestratorTest {

    static final String CLUSTER = """
            hosts:
              - {name: a, agent: "a:7070", libvirt_uri: "qemu+tcp://a/system", networks: {lan: br-a}}
              - {name: b, agent: "b:7070", libvirt_uri: "qemu+tcp://b/system", networks: {lan: br-b}}
              - {name: c, agent: "c:7070", libvirt_uri: "qemu+tcp://c/system", networks: {lan: br-c}}
            """;
    static final TransferOptions AUTO = TransferOptions.of(TransferMode.AUTO);

    @TempDir
    Path tmp;
    FakeAgents agents;
    HistoryStore history;
    Orchestrator orchestrator;

    @BeforeEach
    void cluster() throws Exception {
        // a is busy (three guests), b a little, c idle
        agents = new FakeAgents().host("a", 4, 16 * GIB, 0.1).host("b", 4, 16 * GIB, 0.1).host("c", 4, 16 * GIB, 0.0)
                .vm("a", "web1", 2 * GIB, 0.9, "br-a").vm("a", "web2", 2 * GIB, 0.8, "br-a")
                .vm("a", "db1", 4 * GIB, 0.9, "br-a").vm("b", "cache1", 1 * GIB, 0.3, "br-b");
        orchestrator = open(new AdmissionQueue.Limits(2, 1, 1));
    }

    Orchestrator open(AdmissionQueue.Limits limits) throws Exception {
        return open(limits, Duration.ZERO, false);
    }

    Orchestrator open(AdmissionQueue.Limits limits, Duration rebalanceEvery, boolean dryRun) throws Exception {
        history = HistoryStore.open(tmp.resolve("history.db"));
        Orchestrator o = new Orchestrator(ClusterConfig.parse(CLUSTER, "test"), new Orchestrator.Settings(
                PlacementPolicy.BALANCE, limits, Duration.ofHours(1), 3,
                RebalanceSettings.DEFAULT.withMinGain(0.001), rebalanceEvery, dryRun), agents, history,
                Clock.systemUTC());
        o.start();
        return o;
    }

    @AfterEach
    void close() {
        orchestrator.close();
        history.close();
    }

    MigrationRecord awaitState(String id, RecordState state) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Orchestrator.View v = orchestrator.view(id);
        while (v.record().state() != state && System.nanoTime() < end) {
            v = orchestrator.awaitView(id, v.version(), Duration.ofSeconds(1));
        }
        assertEquals(state, v.record().state(), v.record().toString());
        return v.record();
    }

    @Test
    void withoutATargetTheLeastLoadedFeasibleHostIsChosenAndExplained() throws Exception {
        Orchestrator.Queued q = orchestrator.migrate("web1", "", AUTO, "user");
        assertEquals("c", q.record().target());
        assertEquals("a", q.record().source());
        assertTrue(q.explanation().startsWith("c chosen by policy balance"), q.explanation());
        assertTrue(q.explanation().contains("a rejected: "), q.explanation());
        assertTrue(q.explanation().contains("; b: projected load"), q.explanation());
        assertEquals("agent-1", awaitState(q.record().id(), RecordState.RUNNING).agentMigrationId());
        assertEquals("c", agents.migration("web1").target());
    }

    /**
     * A VM moved by another tool since the last poll (virsh): a request to move it to the host it
     * was last seen on is not refused from that stale view; the orchestrator looks again and moves
     * it from where it runs now.
     */
    @Test
    void aVmMovedOutsideLivemigSinceTheLastPollIsLookedForAgainBeforeARefusal() throws Exception {
        agents.movedOutside("web1", "b");
        Orchestrator.Queued q = orchestrator.migrate("web1", "a", AUTO, "user");
        assertEquals("b", q.record().source());
        assertEquals("a", q.record().target());
        OrchestratorException e = assertThrows(OrchestratorException.class,
                () -> orchestrator.migrate("cache1", "b", AUTO, "user"));
        assertEquals("VM 'cache1' already runs on b", e.getMessage());
    }

    /**
     * A VM moved by another tool since the last poll, to a third host: the request (to b, the VM
     * seen on a) is taken from the stale view; when a's agent does not find it, every host is asked
     * again and the migration starts from c, where it runs, the record saying why.
     */
    @Test
    void aVmMovedOutsideLivemigToAThirdHostIsMovedFromWhereItRuns() throws Exception {
        agents.movedOutside("web1", "c");
        Orchestrator.Queued q = orchestrator.migrate("web1", "b", AUTO, "user");
        MigrationRecord running = awaitState(q.record().id(), RecordState.RUNNING);
        assertEquals("c", running.source());
        assertTrue(running.reason().endsWith("found on c instead of a when it was to start"), running.reason());
        assertEquals("c", agents.migration("web1").source());
        assertEquals(1, agents.started.size());
        agents.complete("web1");
        assertEquals("c", awaitState(q.record().id(), RecordState.SUCCEEDED).source());
        assertEquals(Optional.of("b"), agents.whereIs("web1"));
    }

    /** Moved by another tool to the very target since the last poll: nothing to start, and the record says so. */
    @Test
    void aVmMovedOutsideLivemigToTheTargetFailsSayingWhereItIs() throws Exception {
        agents.movedOutside("web1", "c");
        Orchestrator.Queued q = orchestrator.migrate("web1", "c", AUTO, "user");
        MigrationRecord failed = awaitState(q.record().id(), RecordState.FAILED);
        assertEquals("VM 'web1' already runs on c (moved there since the orchestrator last looked, not by this "
                + "migration)", failed.error());
        assertTrue(agents.started.isEmpty());
        assertEquals(Optional.of("c"), agents.whereIs("web1"));
    }

    @Test
    void aSucceededMigrationIsRecordedWithTheAgentsFigures() throws Exception {
        String id = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
        awaitState(id, RecordState.RUNNING);
        agents.complete("web1");
        MigrationRecord done = awaitState(id, RecordState.SUCCEEDED);
        assertEquals(40, done.figures().downtimeMs());
        assertEquals(3, done.figures().iterations());
        assertEquals(Optional.of(TransferMode.PRECOPY), done.figures().modeUsed());
        assertEquals("b", orchestrator.vms().stream().filter(v -> v.vm().name().equals("web1")).findFirst()
                .orElseThrow().host(), "loads are polled again after a migration");
    }

    /**
     * The record's timeline: the orchestrator's phases with the agent's in place of its span,
     * back to back, each once, in the order a migration goes through them.
     */
    @Test
    void aFinishedMigrationCarriesItsTimelineWithTheAgentsPhasesInPlace() throws Exception {
        String id = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
        awaitState(id, RecordState.RUNNING);
        agents.complete("web1");
        List<Phase> phases = awaitState(id, RecordState.SUCCEEDED).figures().phases();

        assertEquals(List.of("request", "placement", "admission_wait", "vm_check", "target_prepare", "job", "agent_calls",
                "result"), phases.stream().map(Phase::name).toList(), phases.toString());
        assertEquals(Phases.endToEnd(phases), phases, "back to back from 0");
        assertEquals(0, phases.get(0).startMs());
        assertEquals(List.of("orchestrator", "orchestrator", "orchestrator", "agent", "agent", "agent", "orchestrator",
                "orchestrator"), phases.stream().map(Phase::where).toList());
    }

    @Test
    void aMigrationLogsOneStartAndOneEndLineWithItsIdInTheMdc() throws Exception {
        try (LogCapture log = new LogCapture(Level.INFO)) {
            String id = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
            awaitState(id, RecordState.RUNNING);
            agents.complete("web1");
            awaitState(id, RecordState.SUCCEEDED);
            Predicate<ILoggingEvent> ours = e -> id.equals(e.getMDCPropertyMap().get(MigrationLog.MIGRATION))
                    && "web1".equals(e.getMDCPropertyMap().get(MigrationLog.VM));
            log.await(ours.and(e -> e.getFormattedMessage().startsWith("migration succeeded: ")), Duration.ofSeconds(5));
            List<String> lines = log.matching(ours).stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(1, lines.stream().filter(l -> l.startsWith("migration queued (user): a -> b")).count(),
                    lines.toString());
            assertEquals(1, lines.stream().filter(l -> l.startsWith("migration started on a's agent as ")).count(),
                    lines.toString());
            assertEquals(1, lines.stream().filter(l -> l.startsWith("migration succeeded: total ")).count(),
                    lines.toString());
            assertTrue(log.events().stream().noneMatch(e -> !e.getLevel().isGreaterOrEqual(Level.INFO)));
        }
    }

    @Test
    void perHostLimitsQueueAndTheQueueMovesOn() throws Exception {
        String first = orchestrator.migrate("web1", "c", AUTO, "user").record().id();
        String second = orchestrator.migrate("web2", "c", AUTO, "user").record().id();
        awaitState(first, RecordState.RUNNING);
        Orchestrator.View waiting = orchestrator.view(second);
        assertEquals(RecordState.PLANNED, waiting.record().state());
        assertEquals("a has 1 outgoing migration (limit 1)", waiting.waitingFor());
        agents.complete("web1");
        awaitState(first, RecordState.SUCCEEDED);
        awaitState(second, RecordState.RUNNING);
        agents.complete("web2");
        awaitState(second, RecordState.SUCCEEDED);
    }

    @Test
    void failuresAreRecordedWithTheirReason() throws Exception {
        agents.refuseStart.add("web2");
        MigrationRecord refused = awaitState(orchestrator.migrate("web2", "b", AUTO, "user").record().id(),
                RecordState.FAILED);
        assertTrue(refused.error().contains("not enough memory"), refused.error());

        String id = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
        awaitState(id, RecordState.RUNNING);
        agents.fail("web1", "operation failed: Connection reset by peer");
        MigrationRecord failed = awaitState(id, RecordState.FAILED);
        assertEquals("operation failed: Connection reset by peer", failed.error());
    }

    @Test
    void aSourceAgentThatRestartsMidMigrationIsReconciledFromWhereTheVmRuns() throws Exception {
        String id = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
        awaitState(id, RecordState.RUNNING);
        agents.sourceAgentRestarts("web1");
        MigrationRecord failed = awaitState(id, RecordState.FAILED);
        assertEquals("the agent of a stopped during the migration; the VM is still on a", failed.error());
    }

    @Test
    void badRequestsAreRefusedWithTheirCode() throws Exception {
        assertCode(OrchestratorException.Code.NOT_FOUND, () -> orchestrator.migrate("nope", "", AUTO, "user"));
        assertCode(OrchestratorException.Code.NOT_FOUND, () -> orchestrator.migrate("web1", "zz", AUTO, "user"));
        assertCode(OrchestratorException.Code.INVALID_ARGUMENT, () -> orchestrator.migrate("web1", "a", AUTO, "user"));
        orchestrator.setHostState("c", HostAvailability.MAINTENANCE);
        OrchestratorException e = assertCode(OrchestratorException.Code.FAILED_PRECONDITION,
                () -> orchestrator.migrate("web1", "c", AUTO, "user"));
        assertTrue(e.getMessage().startsWith("cannot move 'web1' to c: "), e.getMessage());
        orchestrator.migrate("web1", "b", AUTO, "user");
        assertCode(OrchestratorException.Code.ALREADY_EXISTS, () -> orchestrator.migrate("web1", "", AUTO, "user"));
    }

    @Test
    void aRequestedTargetIsTheDecisionsChoice() throws Exception {
        Orchestrator.Queued q = orchestrator.migrate("web1", "b", AUTO, "user");
        assertEquals("b", q.decision().chosenHost().orElseThrow());
        assertEquals("b was requested", q.record().reason());
    }

    @Test
    void aHostNeverReachedCannotBeDrained() throws Exception {
        orchestrator.close();
        history.close();
        agents.unreachable.add("c");
        orchestrator = open(new AdmissionQueue.Limits(2, 1, 1));
        OrchestratorException e = assertCode(OrchestratorException.Code.FAILED_PRECONDITION,
                () -> orchestrator.drain("c", false));
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void anUnreachableHostGoesDownAndIsNeverChosen() throws Exception {
        agents.unreachable.add("c");
        orchestrator.pollLoads();
        orchestrator.pollLoads();
        Orchestrator.HostView c = orchestrator.hosts().stream().filter(h -> h.config().name().equals("c")).findFirst()
                .orElseThrow();
        assertEquals(HostAvailability.DOWN, c.state());
        assertTrue(c.stateReason().contains("connection refused"), c.stateReason());
        assertEquals("b", orchestrator.migrate("web1", "", AUTO, "user").record().target());
    }

    @Test
    void aQueuedMigrationAbortsAtOnceARunningOneThroughItsAgent() throws Exception {
        String running = orchestrator.migrate("web1", "c", AUTO, "user").record().id();
        String queued = orchestrator.migrate("web2", "c", AUTO, "user").record().id();
        awaitState(running, RecordState.RUNNING);
        assertEquals(RecordState.ABORTED, orchestrator.abort(queued).state());
        orchestrator.abort(running);
        assertEquals("aborted by the operator", awaitState(running, RecordState.ABORTED).error());
        assertCode(OrchestratorException.Code.FAILED_PRECONDITION, () -> orchestrator.abort(running));
    }

    @Test
    void historySurvivesARestartAndRunningRecordsAreReconciled() throws Exception {
        String done = orchestrator.migrate("web1", "b", AUTO, "user").record().id();
        awaitState(done, RecordState.RUNNING);
        agents.complete("web1");
        awaitState(done, RecordState.SUCCEEDED);
        String inFlight = orchestrator.migrate("web2", "c", AUTO, "user").record().id();
        awaitState(inFlight, RecordState.RUNNING);

        orchestrator.close(); // the orchestrator dies while web2 migrates...
        history.close();
        agents.complete("web2"); // ...and the agent finishes it meanwhile
        orchestrator = open(new AdmissionQueue.Limits(2, 1, 1));

        assertEquals(RecordState.SUCCEEDED, orchestrator.record(done).state());
        MigrationRecord reconciled = orchestrator.record(inFlight);
        assertEquals(RecordState.SUCCEEDED, reconciled.state(), reconciled.toString());
        assertEquals(40, reconciled.figures().downtimeMs());
        assertEquals(2, orchestrator.history(HistoryStore.Query.latest(10)).size());
    }

    @Test
    void rebalanceDryRunRecordsAPlanThatLowersTheSpreadAndMovesNothing() throws Exception {
        Orchestrator.Round round = orchestrator.rebalance(true, "user");
        assertFalse(round.plan().moves().isEmpty(), round.plan().summary());
        assertTrue(round.plan().spreadAfter() < round.plan().spreadBefore(), round.plan().toString());
        assertTrue(round.plan().moves().stream().allMatch(m -> m.from().equals("a")), round.plan().toString());
        assertTrue(agents.started.isEmpty());
        RoundRecord recorded = orchestrator.rounds(5).get(0);
        assertTrue(recorded.dryRun());
        assertEquals(round.plan().moves().size(), recorded.moves().size());

        Orchestrator.Round real = orchestrator.rebalance(false, "user");
        assertEquals(real.plan().moves().size(), real.migrationIds().size());
        for (String id : real.migrationIds()) {
            MigrationRecord r = orchestrator.record(id);
            assertEquals("rebalance:" + real.roundId(), r.origin());
            assertTrue(r.reason().startsWith(r.target() + " planned by rebalance: "), r.reason());
        }
    }

    @Test
    void scheduledRoundsRecordTheirPlanAndADryRunSettingMovesNothing() throws Exception {
        orchestrator.close();
        history.close();
        orchestrator = open(new AdmissionQueue.Limits(2, 1, 1), Duration.ofMillis(50), true);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long version = 0;
        while (orchestrator.rounds(10).size() < 2 && System.nanoTime() < end) {
            version = orchestrator.awaitChange(version, Duration.ofSeconds(1));
        }
        List<RoundRecord> rounds = orchestrator.rounds(10);
        assertTrue(rounds.size() >= 2, rounds.toString());
        for (RoundRecord r : rounds) {
            assertEquals("schedule", r.trigger());
            assertTrue(r.dryRun());
            assertFalse(r.moves().isEmpty(), r.toString());
            assertTrue(r.result().startsWith("planned "), r.result());
        }
        assertTrue(agents.started.isEmpty(), "a dry-run schedule moved something");
    }

    @Test
    void rebalancingMovesTheVmThatDirtiesLessFirst() throws Exception {
        orchestrator.close();
        history.close();
        agents = new FakeAgents().host("a", 4, 16 * GIB, 0.0).host("b", 4, 16 * GIB, 0.0).host("c", 4, 16 * GIB, 0.0)
                .vm("a", "hot", 2 * GIB, 0.9, "br-a", 1_000_000_000L).vm("a", "cold", 2 * GIB, 0.9, "br-a", 0)
                .vm("a", "warm", 2 * GIB, 0.9, "br-a", 500_000_000L);
        orchestrator = open(new AdmissionQueue.Limits(2, 1, 1));
        var vms = orchestrator.vms();
        assertEquals(1_000_000_000L, vms.stream().filter(v -> v.vm().name().equals("hot")).findFirst().orElseThrow()
                .load().dirtyRateBytesPerSec());
        var plan = orchestrator.planRebalance();
        assertFalse(plan.moves().isEmpty(), plan.summary());
        assertEquals("cold", plan.moves().get(0).vm(), plan.toString());
        assertTrue(plan.moves().stream().noneMatch(m -> m.vm().equals("hot")) || plan.moves().size() == 3,
                plan.toString());
    }

    @Test
    void drainQueuesEveryVmOfTheHostElsewhere() throws Exception {
        Orchestrator.Round round = orchestrator.drain("a", false);
        assertEquals(3, round.migrationIds().size(), round.plan().toString());
        assertEquals(HostAvailability.DRAINING, orchestrator.hosts().get(0).state());
        for (String id : round.migrationIds()) {
            MigrationRecord r = orchestrator.record(id);
            assertEquals("drain:a", r.origin());
            assertFalse(r.target().equals("a"));
        }
        assertCode(OrchestratorException.Code.FAILED_PRECONDITION, () -> orchestrator.migrate("cache1", "a", AUTO, "user"));
    }

    interface Call {
        void run() throws Exception;
    }

    static OrchestratorException assertCode(OrchestratorException.Code code, Call call) {
        OrchestratorException e = assertThrows(OrchestratorException.class, call::run);
        assertEquals(code, e.code(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        return e;
    }

    List<String> hostNames() {
        return orchestrator.hosts().stream().map(h -> h.config().name()).toList();
    }
}
