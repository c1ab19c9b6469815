package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.experiment.RunResult.Heartbeat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class DowntimeAnalysisTest {

    /** Replies every 10 ms over [from, to), as pings of a healthy guest. */
    private static List<Long> every10(long from, long to) {
        return LongStream.iterate(from, t -> t < to, t -> t + 10).boxed().toList();
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        List<Long> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void theLongestSilenceInsideTheWindow() {
        // Replies 0..490, then nothing until 800, then 800..1990: a 310 ms gap (490 -> 800).
        List<Long> replies = concat(every10(0, 500), every10(800, 2000));
        assertEquals(310, DowntimeAnalysis.longestGapMs(replies, 100, 1500));
    }

    @Test
    void aSilenceThatStartsBeforeTheWindowCountsWhole() {
        // 100 -> 400 silent; the window starts at 200, in the middle of it.
        List<Long> replies = concat(every10(0, 110), every10(400, 1000));
        assertEquals(300, DowntimeAnalysis.longestGapMs(replies, 200, 900));
        // Ends after the window: counted whole too.
        assertEquals(300, DowntimeAnalysis.longestGapMs(replies, 0, 150));
    }

    @Test
    void silencesOutsideTheWindowDoNotCount() {
        // A 500 ms gap (0 -> 500) that ends before the window; inside, replies every 10 ms.
        List<Long> replies = concat(List.of(0L), every10(500, 1000));
        assertEquals(10, DowntimeAnalysis.longestGapMs(replies, 600, 700));
        // A gap ending exactly where the window starts lies before it.
        assertEquals(10, DowntimeAnalysis.longestGapMs(replies, 500, 700));
        // One ending just inside counts.
        assertEquals(500, DowntimeAnalysis.longestGapMs(replies, 499, 700));
    }

    @Test
    void noReplyAtAllIsTheWholeWindow() {
        assertEquals(400, DowntimeAnalysis.longestGapMs(List.of(), 100, 500));
        // Replies only far outside, on both sides: from the last before to the first after.
        assertEquals(1000, DowntimeAnalysis.longestGapMs(List.of(0L, 1000L), 100, 500));
    }

    @Test
    void theWindowEdgesStandInForMissingReplies() {
        // The guest never answers again after 100: silent from 100 up to the window's end.
        assertEquals(300, DowntimeAnalysis.longestGapMs(every10(0, 110), 50, 400));
        // No reply before the window: silent from its start up to the first reply at 300.
        assertEquals(200, DowntimeAnalysis.longestGapMs(every10(300, 400), 100, 320));
    }

    @Test
    void orderOfTheRepliesDoesNotMatter() {
        List<Long> replies = new ArrayList<>(concat(every10(0, 500), every10(800, 2000)));
        Collections.shuffle(replies, new java.util.Random(1));
        replies.add(250L); // a duplicate
        assertEquals(310, DowntimeAnalysis.longestGapMs(replies, 100, 1500));
    }

    @Test
    void anEmptyWindowIsAPointAndABackwardOneIsAnError() {
        assertEquals(310, DowntimeAnalysis.longestGapMs(concat(every10(0, 500), every10(800, 900)), 600, 600));
        assertThrows(IllegalArgumentException.class, () -> DowntimeAnalysis.longestGapMs(List.of(), 10, 9));
    }

    @Test
    void heartbeatGapUsesHostTimes() {
        List<Heartbeat> hbs = List.of(new Heartbeat(0, 1, 10, 0), new Heartbeat(1000, 2, 10, 0),
                new Heartbeat(3400, 3, 10, 0), new Heartbeat(4400, 4, 10, 0));
        assertEquals(2400, DowntimeAnalysis.heartbeatGapMs(hbs, 1500, 2500));
        assertEquals(1000, DowntimeAnalysis.heartbeatGapMs(hbs, 3500, 4000));
        assertEquals(500, DowntimeAnalysis.heartbeatGapMs(List.of(), 0, 500));
    }

    @Test
    void meanWriteRateOfTheHeartbeatsInsideTheInterval() {
        List<Heartbeat> hbs = List.of(new Heartbeat(0, 1, 100, 0), new Heartbeat(1000, 2, 40, 0),
                new Heartbeat(2000, 3, 20, 0), new Heartbeat(3000, 4, 100, 0));
        // Both edges included.
        assertEquals(30.0, DowntimeAnalysis.meanWriteMibps(hbs, 1000, 2000), 1e-9);
        assertEquals(65.0, DowntimeAnalysis.meanWriteMibps(hbs, 0, 3000), 1e-9);
        assertTrue(Double.isNaN(DowntimeAnalysis.meanWriteMibps(hbs, 1100, 1900)));
        assertTrue(Double.isNaN(DowntimeAnalysis.meanWriteMibps(List.of(), 0, 10_000)));
    }
}
