package io.livemig.orchestrator.workflow;

import static io.livemig.orchestrator.workflow.Records.FIGURES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One test per row of the table in {@link Reconciler}; the records go lab-a -> lab-b. */
class ReconcilerTest {
    private final Reconciler reconciler = new Reconciler();
    private static final Optional<AgentOutcome> UNKNOWN = Optional.empty();

    private Resolution resolve(RecordState state, String host, Optional<AgentOutcome> outcome) {
        return reconciler.resolve(Records.in(state, "m-1"), Optional.ofNullable(host), outcome);
    }

    private static Resolution.Finish finish(RecordState s, Figures f, String error) {
        return new Resolution.Finish(s, f, error);
    }

    // Row 1: never started and the VM is still on the source.
    @ParameterizedTest
    @EnumSource(value = RecordState.class, names = {"REQUESTED", "PLANNED"})
    void notStartedAndVmOnSourceIsRequeued(RecordState state) {
        assertEquals(new Resolution.Requeue(), resolve(state, "lab-a", UNKNOWN));
        // What an agent might say is irrelevant: the record never started.
        assertEquals(new Resolution.Requeue(),
                resolve(state, "lab-a", Optional.of(AgentOutcome.running())));
    }

    // Row 2: never started and the VM moved away or vanished.
    @ParameterizedTest
    @EnumSource(value = RecordState.class, names = {"REQUESTED", "PLANNED"})
    void notStartedAndVmElsewhereFails(RecordState state) {
        assertEquals(finish(RecordState.FAILED, Figures.none(),
                "VM demo no longer runs on lab-a (now: lab-c)"), resolve(state, "lab-c", UNKNOWN));
        assertEquals(finish(RecordState.FAILED, Figures.none(),
                "VM demo no longer runs on lab-a (now: lab-b)"), resolve(state, "lab-b", UNKNOWN));
        assertEquals(finish(RecordState.FAILED, Figures.none(),
                "VM demo no longer runs on lab-a (now: nowhere)"), resolve(state, null, UNKNOWN));
    }

    // Row 3: the agent is still migrating.
    @Test
    void runningAndAgentStillRunningIsKept() {
        for (String host : new String[] {"lab-a", "lab-b", null}) {
            assertEquals(new Resolution.Keep(),
                    resolve(RecordState.RUNNING, host, Optional.of(AgentOutcome.running())));
        }
    }

    // Row 4: the agent finished while the orchestrator was down.
    @Test
    void runningAndAgentSucceededFinishesWithItsFigures() {
        assertEquals(finish(RecordState.SUCCEEDED, FIGURES, ""),
                resolve(RecordState.RUNNING, "lab-b",
                        Optional.of(new AgentOutcome("succeeded", FIGURES, ""))));
    }

    @Test
    void runningAndAgentFailedFinishesWithItsFiguresAndError() {
        assertEquals(finish(RecordState.FAILED, FIGURES, "target refused: no bridge lmbr-b"),
                resolve(RecordState.RUNNING, "lab-a", Optional.of(
                        new AgentOutcome("failed", FIGURES, "target refused: no bridge lmbr-b"))));
    }

    @Test
    void runningAndAgentAbortedFinishesWithItsFiguresAndError() {
        assertEquals(finish(RecordState.ABORTED, FIGURES, "completion timeout 120 s"),
                resolve(RecordState.RUNNING, "lab-a", Optional.of(
                        new AgentOutcome("ABORTED", FIGURES, "completion timeout 120 s"))));
    }

    @Test
    void agentFailureWithoutErrorStillSaysSomething() {
        Resolution r = resolve(RecordState.RUNNING, "lab-a",
                Optional.of(new AgentOutcome("failed", Figures.none(), "")));
        Resolution.Finish f = (Resolution.Finish) r;
        assertEquals(RecordState.FAILED, f.state());
        assertTrue(f.error().contains("failed"), f.error());
    }

    // Row 5: agent forgot it, the VM is on the target.
    @Test
    void runningUnknownToAgentAndVmOnTargetSucceeded() {
        assertEquals(finish(RecordState.SUCCEEDED, Figures.none(), ""),
                resolve(RecordState.RUNNING, "lab-b", UNKNOWN));
    }

    // Row 6: agent forgot it, the VM is still on the source.
    @Test
    void runningUnknownToAgentAndVmOnSourceFailed() {
        assertEquals(finish(RecordState.FAILED, Figures.none(),
                        "orchestrator restarted during the migration; the VM is still on lab-a"),
                resolve(RecordState.RUNNING, "lab-a", UNKNOWN));
    }

    // Row 7: agent forgot it, the VM is on a third host or nowhere.
    @Test
    void runningUnknownToAgentAndVmElsewhereFailed() {
        assertEquals(finish(RecordState.FAILED, Figures.none(),
                        "orchestrator restarted during the migration; VM demo found on lab-c"),
                resolve(RecordState.RUNNING, "lab-c", UNKNOWN));
    }

    @Test
    void runningUnknownToAgentAndVmNowhereFailed() {
        assertEquals(finish(RecordState.FAILED, Figures.none(),
                        "orchestrator restarted during the migration; VM demo found on no host"),
                resolve(RecordState.RUNNING, null, UNKNOWN));
    }

    @ParameterizedTest
    @EnumSource(value = RecordState.class, names = {"SUCCEEDED", "FAILED", "ABORTED"})
    void terminalRecordsAreNotReconciled(RecordState state) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resolve(state, "lab-b", UNKNOWN));
        assertTrue(e.getMessage().contains("m-1"), e.getMessage());
    }

    @Test
    void finishAppliedToTheRecordGivesTheTerminalRecord() {
        MigrationRecord r = Records.in(RecordState.RUNNING, "m-1");
        Resolution.Finish f = (Resolution.Finish) reconciler.resolve(r, Optional.of("lab-a"), UNKNOWN);
        MigrationRecord done = r.finished(f.state(), f.figures(), f.error(), Records.T0.plusSeconds(9));
        assertEquals(RecordState.FAILED, done.state());
        assertEquals(f.error(), done.error());
    }

    @Test
    void agentOutcomeAndFinishValidateTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AgentOutcome("paused", Figures.none(), ""));
        assertTrue(e.getMessage().contains("running, succeeded, failed, aborted"), e.getMessage());
        assertEquals("succeeded", new AgentOutcome(" Succeeded ", Figures.none(), "").status());
        assertThrows(IllegalArgumentException.class,
                () -> new Resolution.Finish(RecordState.RUNNING, Figures.none(), ""));
    }
}
