package io.livemig.agent.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class CopyPhaseTest {

    // Written out again on purpose: a second, independent statement of the table.
    private static final Set<String> LEGAL = Set.of(
            "SETUP>PRECOPY", "SETUP>STOPCOPY", "SETUP>COMPLETED", "SETUP>FAILED", "SETUP>CANCELLED",
            "PRECOPY>POSTCOPY", "PRECOPY>SUSPENDED", "PRECOPY>COMPLETED", "PRECOPY>FAILED", "PRECOPY>CANCELLED",
            "STOPCOPY>COMPLETED", "STOPCOPY>FAILED", "STOPCOPY>CANCELLED",
            "POSTCOPY>COMPLETED", "POSTCOPY>FAILED",
            "SUSPENDED>COMPLETED", "SUSPENDED>FAILED", "SUSPENDED>CANCELLED");

    static Stream<Arguments> everyPair() {
        List<Arguments> pairs = new ArrayList<>();
        for (CopyPhase from : CopyPhase.values()) {
            for (CopyPhase to : CopyPhase.values()) {
                pairs.add(Arguments.of(from, to, LEGAL.contains(from + ">" + to)));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @MethodSource("everyPair")
    void tableAllowsExactlyTheseMoves(CopyPhase from, CopyPhase to, boolean legal) {
        assertEquals(legal, from.canMoveTo(to));
    }

    @ParameterizedTest(name = "{0} terminal: {1}")
    @CsvSource({"SETUP,false", "PRECOPY,false", "STOPCOPY,false", "POSTCOPY,false", "SUSPENDED,false",
            "COMPLETED,true", "FAILED,true", "CANCELLED,true"})
    void terminalPhases(CopyPhase phase, boolean terminal) {
        assertEquals(terminal, phase.isTerminal());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "SETUP PRECOPY COMPLETED",
            "SETUP PRECOPY POSTCOPY COMPLETED",
            "SETUP PRECOPY SUSPENDED CANCELLED",
            "SETUP STOPCOPY FAILED",
            "SETUP COMPLETED"})
    void lifecycleFollowsLegalPaths(String path) {
        MigrationLifecycle lifecycle = new MigrationLifecycle();
        String[] phases = path.split(" ");
        for (int i = 1; i < phases.length; i++) {
            lifecycle.moveTo(CopyPhase.valueOf(phases[i]), i * 100L);
        }
        assertEquals(CopyPhase.valueOf(phases[phases.length - 1]), lifecycle.current());
        assertEquals(phases.length - 1, lifecycle.transitions().size());
        assertEquals(100L, lifecycle.transitions().get(0).atElapsedMs());
    }

    @ParameterizedTest(name = "{0} then {1}")
    @CsvSource({
            "'', POSTCOPY",
            "'', SUSPENDED",
            "'', SETUP",
            "PRECOPY POSTCOPY, CANCELLED",
            "PRECOPY POSTCOPY, PRECOPY",
            "PRECOPY SUSPENDED, PRECOPY",
            "STOPCOPY, PRECOPY",
            "PRECOPY COMPLETED, FAILED",
            "PRECOPY, PRECOPY"})
    void lifecycleRefusesIllegalMovesAndStaysPut(String before, CopyPhase illegal) {
        MigrationLifecycle lifecycle = new MigrationLifecycle();
        if (!before.isBlank()) {
            for (String phase : before.split(" ")) {
                lifecycle.moveTo(CopyPhase.valueOf(phase), 0);
            }
        }
        CopyPhase current = lifecycle.current();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> lifecycle.moveTo(illegal, 1));
        assertEquals("illegal migration phase change " + current + " -> " + illegal, e.getMessage());
        assertEquals(current, lifecycle.current());
    }

    @Test
    void startsInSetup() {
        assertEquals(CopyPhase.SETUP, new MigrationLifecycle().current());
    }
}
