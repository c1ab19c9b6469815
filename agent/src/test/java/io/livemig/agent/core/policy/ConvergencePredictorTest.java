package io.livemig.agent.core.policy;

import static io.livemig.agent.core.policy.PolicyFixtures.history;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.policy.Prediction.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConvergencePredictorTest {

    private final ConvergencePredictor predictor = ConvergencePredictor.of(PolicySettings.defaults());

    // history: "iteration:remainingMiB:dirtyMiBps:bandwidthMiBps;..." oldest first, -1 = not reported
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            nothing measured                      | ''                                  | 300  | UNKNOWN        | -1
            first pass, no rate yet               | 1:256:-1:-1                         | 300  | UNKNOWN        | -1
            fits in the allowed downtime          | 2:5:16:115                          | 300  | CONVERGING     | 0
            just over, low ratio                  | 2:36:16:115                         | 300  | CONVERGING     | 1
            dirty rate equals bandwidth           | 2:86:30:30                          | 300  | NOT_CONVERGING | -1
            ratio exactly at the 0.9 limit        | 2:86:27:30                          | 300  | NOT_CONVERGING | -1
            ratio just under the limit            | 2:86:26:30                          | 300  | CONVERGING     | 16
            dirty rate above bandwidth            | 2:86:45:30                          | 300  | NOT_CONVERGING | -1
            raised downtime still too short       | 2:86:30:30                          | 2000 | NOT_CONVERGING | -1
            raised downtime long enough           | 2:86:30:30                          | 3000 | CONVERGING     | 0
            stalled without a dirty rate          | 2:86:-1:30;3:85:-1:30;4:84:-1:30    | 300  | NOT_CONVERGING | -1
            stalled despite a harmless ratio      | 2:86:10:30;3:86:10:30;4:86:10:30    | 300  | NOT_CONVERGING | -1
            shrinking without a dirty rate        | 2:86:-1:30;3:70:-1:30;4:60:-1:30    | 300  | CONVERGING     | -1
            no dirty rate, too few iterations     | 2:86:-1:30;3:85:-1:30               | 300  | UNKNOWN        | -1
            bandwidth is the window's mean        | 2:86:20:20;3:86:20:40               | 300  | CONVERGING     | 6
            window is the last 3 iterations only  | 2:200:-1:30;3:86:-1:30;4:85:-1:30;5:84:-1:30 | 300 | NOT_CONVERGING | -1
            """)
    void predictsFromPerIterationMeasurements(String name, String history, long allowedMs, Verdict verdict,
            int passes) {
        Prediction p = predictor.predict(history(history), allowedMs);
        assertEquals(verdict, p.verdict(), p.reason());
        assertEquals(passes, p.predictedPasses(), p.reason());
    }

    @ParameterizedTest(name = "{0} MiB at {1} MiB/s -> {2} ms")
    @CsvSource({"86, 30, 2867", "36, 115, 314", "1, 1, 1000", "0, 30, 0"})
    void expectedDowntimeIsRemainingOverBandwidth(long remainingMiB, long bwMiBps, long expectedMs) {
        Prediction p = predictor.predict(history("2:" + remainingMiB + ":0:" + bwMiBps), 300);
        assertEquals(expectedMs, p.expectedDowntimeMs());
        assertEquals(bwMiBps * PolicyFixtures.MIB * 300 / 1000, p.targetBytes());
    }

    @ParameterizedTest(name = "{0} -> {1} in {3} passes at r={2}")
    @CsvSource({
            "100, 10, 0.5, 4",   // 100, 50, 25, 12.5, 6.25
            "100, 50, 0.5, 1",
            "100, 51, 0.5, 1",
            "100, 49, 0.5, 2",
            "100, 10, 0.0, 1",   // nothing is dirtied: the next pass is the last
            "86, 9, 0.8667, 16"})
    void geometricModelPasses(long remaining, long target, double ratio, int passes) {
        assertEquals(passes, ConvergencePredictor.passesToTarget(remaining, target, ratio));
    }

    @Test
    void theReasonCarriesTheNumbers() {
        Prediction p = predictor.predict(history("2:86:30:30"), 300);
        assertTrue(p.reason().contains("30.0 MiB/s"), p.reason());
        assertTrue(p.reason().contains("1.00 of the transfer rate"), p.reason());
        assertTrue(p.reason().contains("expected downtime 2867 ms, allowed 300 ms"), p.reason());
        assertEquals(1.0, p.dirtyToBandwidthRatio(), 1e-9);
    }

    @ParameterizedTest(name = "ratio={0} stall={1} shrink={2}")
    @CsvSource({"0, 3, 10", "0.9, 1, 10", "0.9, 3, -1", "0.9, 3, 101"})
    void rejectsNonsenseKnobs(double ratio, int stall, int shrink) {
        assertThrows(IllegalArgumentException.class, () -> new ConvergencePredictor(ratio, stall, shrink));
    }
}
