package io.livemig.cli.experiment.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
