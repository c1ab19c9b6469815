package io.livemig.agent.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DowntimeLadderTest {

    @ParameterizedTest(name = "{0}..{1} in {2} steps")
    @CsvSource(delimiter = '|', textBlock = """
            300 | 2000 | 5  | 300 640 980 1320 1660 2000
            300 | 300  | 5  | 300
            100 | 400  | 3  | 100 200 300 400
            50  | 400  | 10 | 50 85 120 155 190 225 260 295 330 365 400
            1   | 3    | 5  | 1 2 3
            """)
    void stepsEquallyFromInitialToCap(long initialMs, long capMs, int steps, String expected) {
        List<Long> values = Arrays.stream(expected.split(" ")).map(Long::valueOf).toList();
        assertEquals(values, DowntimeLadder.of(initialMs, capMs, steps).stepsMs());
    }

    // Default ladder 300 640 980 1320 1660 2000; needed <= 0 means "just the next step".
    @ParameterizedTest(name = "at {0} ms needing {1} ms -> {2}")
    @CsvSource({
            "300, 0, 640",
            "300, 500, 640",
            "300, 640, 640",
            "300, 967, 980",
            "300, 1000, 1320",
            "300, 2867, 2000",
            "640, 500, 980",
            "1660, 0, 2000",
            "2000, 5000, -1",
            "2500, 0, -1",
            "700, 0, 980"})
    void nextStepCoversTheNeedOrStopsAtTheCap(long currentMs, long neededMs, long expected) {
        OptionalLong next = DowntimeLadder.of(300, 2000, 5).next(currentMs, neededMs);
        assertEquals(expected < 0 ? OptionalLong.empty() : OptionalLong.of(expected), next);
    }

    @ParameterizedTest(name = "{0}..{1} in {2}")
    @CsvSource({"0, 100, 5", "300, 200, 5", "300, 2000, 0"})
    void rejectsBadLadders(long initialMs, long capMs, int steps) {
        assertThrows(IllegalArgumentException.class, () -> DowntimeLadder.of(initialMs, capMs, steps));
    }
}
