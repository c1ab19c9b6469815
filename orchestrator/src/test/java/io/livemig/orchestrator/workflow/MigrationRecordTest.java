package io.livemig.orchestrator.workflow;

import static io.livemig.orchestrator.workflow.Records.FIGURES;
import static io.livemig.orchestrator.workflow.Records.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class MigrationRecordTest {
    private static final Instant T1 = T0.plusSeconds(1);

    @Test
    void requestedStartsEmpty() {
        MigrationRecord r =
                MigrationRecord.requested("m-000001", "demo", "lab-a", "", TransferMode.AUTO, "drain:lab-a", T0);

        assertEquals(new MigrationRecord("m-000001", "demo", "lab-a", "", TransferMode.AUTO,
                RecordState.REQUESTED, "drain:lab-a", "", "", T0, null, null, Figures.none(), ""), r);
        assertFalse(r.terminal());
    }

    @Test
    void happyPathFillsEachFieldAtItsStep() {
        MigrationRecord requested = Records.requested("m-1");
        MigrationRecord planned = requested.planned("lab-b", "least loaded\nload 0.12 after");
        assertEquals(RecordState.PLANNED, planned.state());
        assertEquals("lab-b", planned.target());
        assertEquals("least loaded\nload 0.12 after", planned.reason());
        assertEquals(requested.requestedAt(), planned.requestedAt());

        MigrationRecord running = planned.running("agent-42", T1);
        assertEquals(RecordState.RUNNING, running.state());
        assertEquals("agent-42", running.agentMigrationId());
        assertEquals(T1, running.startedAt());
        assertNull(running.endedAt());

        MigrationRecord done = running.succeeded(FIGURES, T1.plusMillis(802));
        assertEquals(RecordState.SUCCEEDED, done.state());
        assertEquals(FIGURES, done.figures());
        assertEquals(T1.plusMillis(802), done.endedAt());
        assertEquals(T1, done.startedAt());
        assertEquals("", done.error());
        assertTrue(done.terminal());
        assertEquals("least loaded\nload 0.12 after", done.reason());
    }

    @Test
    void failureBeforePlanningKeepsNoTargetAndNoStart() {
        MigrationRecord r = Records.requested("m-1")
                .failed("no feasible host (3 memory)", Figures.none(), T1);
        assertEquals(RecordState.FAILED, r.state());
        assertEquals("", r.target());
        assertNull(r.startedAt());
        assertEquals(T1, r.endedAt());
        assertEquals("no feasible host (3 memory)", r.error());
    }

    private static final List<String> METHODS =
            List.of("planned", "running", "succeeded", "failed", "aborted");

    private static Function<MigrationRecord, MigrationRecord> method(String name) {
        switch (name) {
            case "planned": return r -> r.planned("lab-c", "why");
            case "running": return r -> r.running("agent-1", T1);
            case "succeeded": return r -> r.succeeded(FIGURES, T1);
            case "failed": return r -> r.failed("boom", FIGURES, T1);
            case "aborted": return r -> r.aborted("stop", FIGURES, T1);
            default: throw new AssertionError(name);
        }
    }

    /** Every transition method from every state: 6 x 5 cases. */
    static Stream<Arguments> everyMethodFromEveryState() {
        List<Arguments> cases = new ArrayList<>();
        for (RecordState from : RecordState.values()) {
            for (String m : METHODS) {
                cases.add(Arguments.of(from, m, RecordState.valueOf(m.toUpperCase())));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}.{1}()")
    @MethodSource("everyMethodFromEveryState")
    void transitionMethodsFollowTheTable(RecordState from, String m, RecordState to) {
        MigrationRecord r = Records.in(from, "m-000009");
        assertEquals(from, r.state());
        if (RecordStateTest.legal(from, to)) {
            MigrationRecord next = method(m).apply(r);
            assertEquals(to, next.state());
            assertEquals(r.id(), next.id());
            assertEquals(r.vm(), next.vm());
        } else {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> method(m).apply(r));
            assertEquals("migration m-000009: cannot go from " + from + " to " + to, e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = RecordState.class, names = {"SUCCEEDED", "FAILED", "ABORTED"})
    void finishedAppliesATerminalState(RecordState state) {
        MigrationRecord r = Records.in(RecordState.RUNNING, "m-1")
                .finished(state, FIGURES, "why", T1);
        assertEquals(state, r.state());
        assertEquals(FIGURES, r.figures());
        assertEquals(state == RecordState.SUCCEEDED ? "" : "why", r.error());
        assertEquals(T1, r.endedAt());
    }

    @Test
    void finishedRejectsANonTerminalState() {
        MigrationRecord r = Records.in(RecordState.PLANNED, "m-1");
        assertThrows(IllegalArgumentException.class,
                () -> r.finished(RecordState.RUNNING, FIGURES, "", T1));
        assertThrows(IllegalStateException.class,
                () -> r.finished(RecordState.SUCCEEDED, FIGURES, "", T1));
    }

    @Test
    void plannedAndRunningNeedTheirValues() {
        MigrationRecord r = Records.requested("m-1");
        assertThrows(IllegalArgumentException.class, () -> r.planned(" ", "why"));
        assertThrows(IllegalArgumentException.class,
                () -> r.planned("lab-b", "why").running("", T1));
        assertThrows(NullPointerException.class, () -> r.planned("lab-b", "why").running("a", null));
    }

    @Test
    void constructorRejectsRecordsInconsistentWithTheirState() {
        // terminal without endedAt
        assertThrows(IllegalArgumentException.class, () -> new MigrationRecord("m-1", "demo",
                "lab-a", "lab-b", TransferMode.AUTO, RecordState.FAILED, "user", "", "", T0, null, null,
                Figures.none(), "x"));
        // not terminal with endedAt
        assertThrows(IllegalArgumentException.class, () -> new MigrationRecord("m-1", "demo",
                "lab-a", "lab-b", TransferMode.AUTO, RecordState.PLANNED, "user", "", "", T0, null, T1,
                Figures.none(), ""));
        // running without startedAt
        assertThrows(IllegalArgumentException.class, () -> new MigrationRecord("m-1", "demo",
                "lab-a", "lab-b", TransferMode.AUTO, RecordState.RUNNING, "user", "", "agent-1", T0, null, null,
                Figures.none(), ""));
        // planned without a target
        assertThrows(IllegalArgumentException.class, () -> new MigrationRecord("m-1", "demo",
                "lab-a", "", TransferMode.AUTO, RecordState.PLANNED, "user", "", "", T0, null, null,
                Figures.none(), ""));
        // requested with startedAt
        assertThrows(IllegalArgumentException.class, () -> new MigrationRecord("m-1", "demo",
                "lab-a", "", TransferMode.AUTO, RecordState.REQUESTED, "user", "", "", T0, T1, null,
                Figures.none(), ""));
        // blank id, vm, source
        assertThrows(IllegalArgumentException.class,
                () -> MigrationRecord.requested(" ", "demo", "lab-a", "", TransferMode.AUTO, "user", T0));
        assertThrows(IllegalArgumentException.class,
                () -> MigrationRecord.requested("m-1", "", "lab-a", "", TransferMode.AUTO, "user", T0));
        assertThrows(IllegalArgumentException.class,
                () -> MigrationRecord.requested("m-1", "demo", "", "", TransferMode.AUTO, "user", T0));
        assertThrows(NullPointerException.class,
                () -> MigrationRecord.requested("m-1", "demo", "lab-a", null, TransferMode.AUTO, "user", T0));
    }

    @Test
    void instantsAreKeptToTheMillisecond() {
        Instant precise = Instant.parse("2026-03-01T10:00:00.123456789Z");
        MigrationRecord r = MigrationRecord.requested("m-1", "demo", "lab-a", "", TransferMode.AUTO, "user", precise)
                .planned("lab-b", "")
                .running("a", precise.plusNanos(999_999));
        assertEquals(Instant.parse("2026-03-01T10:00:00.123Z"), r.requestedAt());
        assertEquals(Instant.parse("2026-03-01T10:00:00.124Z"), r.startedAt());
    }

    @Test
    void figuresCopyTheirEscalations() {
        List<String> escalations = new ArrayList<>(List.of("throttled to 50%"));
        Figures f = new Figures(1, 2, 3, 4, 5, 6, 7, Optional.of(TransferMode.AUTO), escalations);
        escalations.add("later");
        assertEquals(List.of("throttled to 50%"), f.escalations());
        assertSame(Figures.none(), Figures.none());
        assertEquals(new Figures(0, 0, 0, 0, 0, 0, 0, Optional.empty(), List.of()), Figures.none());
    }
}
