package io.livemig.orchestrator.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordStateTest {

    /** The specification's transition table, written out independently of the production one. */
    static final Set<String> LEGAL = Set.of(
            "REQUESTED>PLANNED", "REQUESTED>FAILED", "REQUESTED>ABORTED",
            "PLANNED>RUNNING", "PLANNED>FAILED", "PLANNED>ABORTED",
            "RUNNING>SUCCEEDED", "RUNNING>FAILED", "RUNNING>ABORTED");

    static boolean legal(RecordState from, RecordState to) {
        return LEGAL.contains(from + ">" + to);
    }

    /** All 36 (from, to) pairs with whether the table allows them. */
    static Stream<Arguments> allPairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (RecordState from : RecordState.values()) {
            for (RecordState to : RecordState.values()) {
                pairs.add(Arguments.of(from, to, legal(from, to)));
            }
        }
        return pairs.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @MethodSource("allPairs")
    void transitionTable(RecordState from, RecordState to, boolean expected) {
        assertEquals(expected, from.canMoveTo(to));
        assertEquals(expected, from.successors().contains(to));
    }

    @Test
    void tableCoversExactlyTheNineLegalMoves() {
        long legalCount = allPairs().filter(a -> (boolean) a.get()[2]).count();
        assertEquals(9, legalCount);
        assertEquals(LEGAL.size(), legalCount);
    }

    @ParameterizedTest
    @CsvSource({
            "REQUESTED, false", "PLANNED, false", "RUNNING, false",
            "SUCCEEDED, true", "FAILED, true", "ABORTED, true"})
    void terminal(RecordState s, boolean terminal) {
        assertEquals(terminal, s.terminal());
        assertEquals(terminal, s.successors().isEmpty());
    }

    @Test
    void successorsCannotBeModified() {
        assertThrows(UnsupportedOperationException.class,
                () -> RecordState.REQUESTED.successors().add(RecordState.SUCCEEDED));
        assertEquals(EnumSet.of(RecordState.PLANNED, RecordState.FAILED,
                RecordState.ABORTED), RecordState.REQUESTED.successors());
    }

    @ParameterizedTest
    @CsvSource({
            "running, RUNNING", "RUNNING, RUNNING", "Succeeded, SUCCEEDED", "'  planned ', PLANNED",
            "aBoRtEd, ABORTED", "failed, FAILED", "requested, REQUESTED"})
    void parseIgnoresCaseAndBlanks(String text, RecordState expected) {
        assertEquals(expected, RecordState.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "done", "run", "RUNNING!", "succeed"})
    void parseRejectsUnknownNamesListingTheValidOnes(String text) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RecordState.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
        for (RecordState s : RecordState.values()) {
            assertTrue(e.getMessage().toLowerCase().contains(s.name().toLowerCase()), e.getMessage());
        }
    }

    @Test
    void parseRejectsNull() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RecordState.parse(null));
        assertTrue(e.getMessage().contains("valid states"), e.getMessage());
    }

    @Test
    void canMoveToNullIsAnError() {
        assertThrows(NullPointerException.class, () -> RecordState.RUNNING.canMoveTo(null));
        assertFalse(RecordState.RUNNING.canMoveTo(RecordState.RUNNING));
    }
}
