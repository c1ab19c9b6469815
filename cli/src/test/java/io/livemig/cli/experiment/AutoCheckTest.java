package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoCheckTest {

    private final List<RunResult> runs = new ArrayList<>();

    /** Two runs of {@code mode} on the 256 MiB guest dirtying 64 MiB at {@code rate} over 32 MiB/s, allowed 300 ms. */
    private void cell(String mode, int rate, long totalMs, long downtimeMs, String modeUsed) {
        cell(mode, rate, totalMs, downtimeMs, modeUsed, "succeeded");
    }

    private void cell(String mode, int rate, long totalMs, long downtimeMs, String modeUsed, String status) {
        for (int rep = 1; rep <= 2; rep++) {
            int index = runs.size() + 1;
            RunPlan p = new RunPlan(index, "r%03d-%s".formatted(index, mode), false, rep, mode, false, 256, 64, rate, 32,
                    mode.equals("stopcopy") ? 0 : 300, 120, mode.equals("auto") ? "fastest" : "");
            Fixtures.Builder b = Fixtures.builder(p);
            b.totalMs = totalMs;
            b.downtimeMs = downtimeMs;
            b.modeUsed = modeUsed;
            b.status = status;
            runs.add(b.build());
        }
    }

    private String section() {
        StringBuilder md = new StringBuilder();
        AutoCheck.append(md, Stats.byCell(runs));
        return md.toString();
    }

    /**
     * 8 MiB/s: pre-copy 1000 ms paused 100, stop-and-copy paused 900 (over 300), post-copy 1500:
     * the fastest within 300 ms is pre-copy; auto 1100 ms, 1.10x: the goal is met. 32 MiB/s:
     * pre-copy never succeeded, stop-and-copy over, post-copy 1600 ms; auto 2000 ms, 1.25x: missed.
     */
    @Test
    void autoIsSetAgainstTheFastestModeWithinTheAllowedDowntime() {
        cell("precopy", 8, 1000, 100, "precopy");
        cell("stopcopy", 8, 900, 900, "stopcopy");
        cell("postcopy", 8, 1500, 20, "postcopy");
        cell("auto", 8, 1100, 90, "precopy");
        cell("precopy", 32, 47000, 0, "precopy", "aborted");
        cell("stopcopy", 32, 900, 900, "stopcopy");
        cell("postcopy", 32, 1600, 25, "postcopy");
        cell("auto", 32, 2000, 30, "postcopy");

        String md = section();
        assertTrue(md.startsWith("## Auto against the fastest mode within the allowed downtime\n\n"), md);
        assertTrue(md.contains("| 64 MiB @ 8 MiB/s | 32 MiB/s | auto (fastest) | 300 | 2 of 2 | 1100 | 90 | precopy 2 "
                + "| precopy | 1000 | 1.10 | yes | yes | stopcopy paused 900 ms, postcopy 1500 ms |\n"), md);
        assertTrue(md.contains("| 64 MiB @ 32 MiB/s | 32 MiB/s | auto (fastest) | 300 | 2 of 2 | 2000 | 30 | postcopy 2 "
                + "| postcopy | 1600 | 1.25 | yes | no | precopy 0 of 2 succeeded, stopcopy paused 900 ms |\n"), md);
        assertTrue(md.contains("- Goal, auto at most 1.2x the fastest mode within the allowed downtime, its own downtime "
                + "within it, in every cell: does not hold: missed in 1 of 2 (auto (fastest), 64 MiB @ 32 MiB/s, "
                + "link 32 MiB/s: ratio 1.25).\n"), md);
    }

    @Test
    void theGoalHoldsOnlyWithAutosDowntimeWithinTheMaximum() {
        cell("postcopy", 8, 1500, 20, "postcopy");
        cell("auto", 8, 1500, 20, "postcopy");
        assertTrue(section().contains("in every cell: holds (1 of 1, largest ratio 1.00).\n"), section());

        runs.clear();
        cell("postcopy", 8, 1500, 20, "postcopy");
        cell("auto", 8, 1200, 400, "precopy");
        String md = section();
        assertTrue(md.contains("| postcopy | 1500 | 0.80 | no | no |"), md);
        assertTrue(md.contains("missed in 1 of 1 (auto (fastest), 64 MiB @ 8 MiB/s, link 32 MiB/s: ratio 0.80, downtime "
                + "over the maximum)"), md);
    }

    @Test
    void aModeThatFailedARunIsNoCandidateAndAFailedAutoRunMissesTheGoal() {
        cell("precopy", 8, 1000, 100, "precopy");
        cell("postcopy", 8, 1500, 20, "postcopy");
        cell("auto", 8, 1100, 90, "precopy");
        // Pre-copy's first run and auto's first run failed.
        RunResult failedPre = runs.get(0);
        Fixtures.Builder b = Fixtures.builder(failedPre.plan());
        b.status = "failed";
        runs.set(0, b.build());
        RunResult failedAuto = runs.get(4);
        Fixtures.Builder a = Fixtures.builder(failedAuto.plan());
        a.status = "failed";
        runs.set(4, a.build());

        String md = section();
        // Pre-copy 1 of 2 succeeded: post-copy (1500 ms) is the fastest candidate; auto 1100 (one run), 0.73.
        assertTrue(md.contains("| auto (fastest) | 300 | 1 of 2 | 1100 | 90 | precopy 1 | postcopy | 1500 | 0.73 | yes | no "
                + "| precopy 1 of 2 succeeded |\n"), md);
        assertTrue(md.contains("ratio 0.73, 1 run(s) not succeeded)"), md);
    }

    @Test
    void skippedWithoutAutoOrWithoutAModeToCompareItWith() {
        cell("precopy", 8, 1000, 100, "precopy");
        assertEquals("## Auto against the fastest mode within the allowed downtime\n\nSkipped: no auto runs.\n\n", section());
        runs.clear();
        cell("auto", 8, 1100, 90, "precopy");
        assertEquals("## Auto against the fastest mode within the allowed downtime\n\nSkipped: no precopy, stopcopy or "
                + "postcopy runs on auto's workloads and links to compare it with.\n\n", section());
    }

    @Test
    void noModeWithinTheMaximumLeavesTheGoalNotShown() {
        cell("stopcopy", 8, 900, 900, "stopcopy");
        cell("auto", 8, 1100, 90, "precopy");
        String md = section();
        assertTrue(md.contains("| stopcopy paused 900 ms |\n"), md);
        assertTrue(md.contains("| none | n/a | n/a | yes | n/a |"), md);
        assertTrue(md.contains("in every cell: not shown: no mode kept the downtime within the maximum in every run in "
                + "auto (fastest), 64 MiB @ 8 MiB/s, link 32 MiB/s.\n"), md);
        assertFalse(md.contains("holds"), md);
    }
}
