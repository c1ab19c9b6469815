package io.livemig.cli.experiment.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExperimentRunnerTest {

    @ParameterizedTest
    @CsvSource({
        "0, 25, [--------------------]",
        "5, 25, [####----------------]",
        "24, 25, [###################-]",
        "25, 25, [####################]",
        "1, 3, [#######-------------]",
    })
    void theProgressBarFillsWithTheRunsDone(int done, int total, String bar) {
        assertEquals(bar, ExperimentRunner.bar(done, total));
    }

    /** A guest per workload, so that what the agents learn of one workload's guest stays with it. */
    @Test
    void eachWorkloadHasAGuestOfItsOwnWithinTheLabsNameLimit() {
        assertEquals("exp-advice-d128r16", ExperimentRunner.guestName("advice", 128, 16));
        assertNotEquals(ExperimentRunner.guestName("advice", 128, 4), ExperimentRunner.guestName("advice", 128, 16));
        assertEquals("exp-my-run-d64r8", ExperimentRunner.guestName("my_run", 64, 8));
        String longest = ExperimentRunner.guestName("a".repeat(64), 1024, 1024);
        assertEquals(63, longest.length(), longest);
        assertEquals("-d1024r1024", longest.substring(longest.length() - 11));
    }
}
