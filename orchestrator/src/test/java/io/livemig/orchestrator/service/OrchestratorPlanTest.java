package io.livemig.orchestrator.service;

import static io.livemig.orchestrator.service.FakeAgents.GIB;
import static io.livemig.orchestrator.service.OrchestratorTest.AUTO;
import static io.livemig.orchestrator.service.OrchestratorTest.assertCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.predict.MigrationMode;
import io.livemig.common.predict.Objective;
import io.livemig.common.predict.Preflight;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.orchestrator.workflow.TransferMode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pre-flight advice: resolved as a migration request, predicted, and nothing recorded or started. */
class OrchestratorPlanTest {

    static final String CLUSTER = """
            hosts:
              - {name: a, agent: "a:7070", libvirt_uri: "qemu+tcp://a/system", networks: {lan: br-a}, link_mibps: 100}
              - {name: b, agent: "b:7070", libvirt_uri: "qemu+tcp://b/system", networks: {lan: br-b}, link_mibps: 200}
              - {name: c, agent: "c:7070", libvirt_uri: "qemu+tcp://c/system", networks: {lan: br-c}}
            """;
    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;
    FakeAgents agents;
    HistoryStore history;
    Orchestrator orchestrator;

    @BeforeEach
    void cluster() throws Exception {
        agents = new FakeAgents().host("a", 4, 16 * GIB, 0.1).host("b", 4, 16 * GIB, 0.1).host("c", 4, 16 * GIB, 0.0)
                .vm("a", "web1", 2 * GIB, 0.9, "br-a", 8 * MIB).vm("a", "web2", 2 * GIB, 0.8, "br-a")
                .vm("a", "db1", 4 * GIB, 0.9, "br-a", 400 * MIB).vm("b", "cache1", 1 * GIB, 0.3, "br-b");
        history = HistoryStore.open(tmp.resolve("history.db"));
        orchestrator = new Orchestrator(ClusterConfig.parse(CLUSTER, "test"), new Orchestrator.Settings(
                PlacementPolicy.BALANCE, new AdmissionQueue.Limits(2, 1, 1), Duration.ofHours(1), 3,
                RebalanceSettings.DEFAULT.withMinGain(0.001), Duration.ZERO, false), agents, history,
                Clock.systemUTC());
        orchestrator.start();
    }

    @AfterEach
    void close() {
        orchestrator.close();
        history.close();
    }

    private void assertNothingHappened() {
        assertEquals(List.of(), agents.started);
        assertEquals(List.of(), orchestrator.history(HistoryStore.Query.latest(50)));
        assertEquals(List.of(), orchestrator.unfinished());
    }

    @Test
    void withoutATargetPlacementChoosesAsForAMigrationAndEveryModeIsPredicted() throws Exception {
        Orchestrator.Advised a = orchestrator.plan("web1", "", AUTO, Objective.SAFE);
        assertEquals("a", a.source());
        assertEquals("c", a.target());
        assertEquals("c", a.decision().chosenHost().orElseThrow());
        assertTrue(a.explanation().startsWith("c chosen by policy balance"), a.explanation());
        assertEquals(4, a.advice().prediction().modes().size());
        // c has no link_mibps: a's 100 MiB/s, flagged as estimated.
        assertEquals(100 * MIB, a.advice().prediction().inputs().linkBytesPerS());
        assertEquals(List.of("non_zero_memory", "working_set", "link_rate"),
                a.advice().estimated().stream().map(Preflight.Input::name).toList());
        assertEquals(8 * MIB, a.advice().prediction().inputs().dirtyRateBytesPerS().value());
        assertEquals(MigrationMode.PRECOPY, a.advice().recommendation().mode());
        assertNothingHappened();
        // The same choice the migration then gets.
        assertEquals("c", orchestrator.migrate("web1", "", AUTO, "user").record().target());
    }

    @Test
    void aGivenTargetUsesBothLinksAndTheOptions() throws Exception {
        TransferOptions options = new TransferOptions(TransferMode.AUTO, 500, 50, 0, false,
                io.livemig.orchestrator.model.PageCompression.DEFAULT, 0, true, false);
        Orchestrator.Advised a = orchestrator.plan("db1", "b", options, Objective.FASTEST);
        assertEquals("b", a.target());
        assertEquals("b was requested", a.explanation());
        assertEquals(50 * MIB, a.advice().prediction().inputs().linkBytesPerS());
        assertEquals(500, a.advice().prediction().inputs().allowedDowntimeMs());
        assertFalse(a.advice().prediction().inputs().postcopyAllowed());
        assertEquals(Objective.FASTEST, a.advice().recommendation().objective());
        // 400 MiB/s dirtied over 50 MiB/s: pre-copy cannot converge.
        assertFalse(a.advice().prediction().of(MigrationMode.PRECOPY).converges());
        assertNothingHappened();
    }

    @Test
    void anEarlierStopAndCopyMigrationOfTheVmTeachesItsNonZeroMemory() throws Exception {
        String id = orchestrator.migrate("web1", "b", TransferOptions.of(TransferMode.STOPCOPY), "user").record().id();
        agents.awaitStart();
        // libvirt's job counts the devices' RAM in the memory: still this VM's memory
        agents.complete("web1", TransferMode.STOPCOPY, 700 * MIB, 832 << 10);
        awaitEnd(id);
        Orchestrator.Advised a = orchestrator.plan("web1", "a", AUTO, Objective.SAFE);
        assertEquals("b", a.source());
        assertEquals(700 * MIB, a.advice().prediction().inputs().nonZeroBytes().value());
        assertEquals(List.of("working_set"), a.advice().estimated().stream().map(Preflight.Input::name).toList());

        // A pre-copy migration's bytes include re-sent pages: they teach nothing.
        String back = orchestrator.migrate("web1", "a", AUTO, "user").record().id();
        agents.awaitStart();
        agents.complete("web1", TransferMode.PRECOPY, 500 * MIB);
        awaitEnd(back);
        assertEquals(700 * MIB, orchestrator.plan("web1", "b", AUTO, Objective.SAFE).advice().prediction().inputs()
                .nonZeroBytes().value());
    }

    private void awaitEnd(String id) throws Exception {
        Orchestrator.View v = orchestrator.view(id);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!v.record().state().terminal() && System.nanoTime() < end) {
            v = orchestrator.awaitView(id, v.version(), Duration.ofSeconds(1));
        }
        assertTrue(v.record().state().terminal(), v.record().toString());
        orchestrator.pollLoads();
    }

    @Test
    void theRefusalsOfAMigrationRequestWithTheirCodes() throws Exception {
        assertCode(OrchestratorException.Code.NOT_FOUND, () -> orchestrator.plan("nope", "", AUTO, Objective.SAFE));
        assertCode(OrchestratorException.Code.NOT_FOUND, () -> orchestrator.plan("web1", "zz", AUTO, Objective.SAFE));
        assertCode(OrchestratorException.Code.INVALID_ARGUMENT,
                () -> orchestrator.plan("web1", "a", AUTO, Objective.SAFE));
        orchestrator.setHostState("c", HostAvailability.MAINTENANCE);
        OrchestratorException e = assertCode(OrchestratorException.Code.FAILED_PRECONDITION,
                () -> orchestrator.plan("web1", "c", AUTO, Objective.SAFE));
        assertTrue(e.getMessage().startsWith("cannot move 'web1' to c: "), e.getMessage());
        orchestrator.setHostState("b", HostAvailability.MAINTENANCE);
        e = assertCode(OrchestratorException.Code.FAILED_PRECONDITION,
                () -> orchestrator.plan("web1", "", AUTO, Objective.SAFE));
        assertTrue(e.getMessage().startsWith("cannot place 'web1': "), e.getMessage());
        assertNothingHappened();
        orchestrator.setHostState("b", HostAvailability.UP);
        orchestrator.migrate("web1", "b", AUTO, "user");
        assertCode(OrchestratorException.Code.ALREADY_EXISTS, () -> orchestrator.plan("web1", "", AUTO, Objective.SAFE));
    }
}
