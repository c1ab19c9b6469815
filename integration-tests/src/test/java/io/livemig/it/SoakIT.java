package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * scripts/soak.sh, bounded to a few migrations: it migrates its three dirtying guests among the
 * lab's three hosts through the orchestrator in random modes, checks every guest after every
 * migration, and ends with one summary line. The long soak of BENCHMARKS.md is the same script.
 */
@RequiresRoot
class SoakIT {

    private static final int MIGRATIONS = 4;
    private static final Pattern SUMMARY =
            Pattern.compile("(?m)^migrations=(\\d+) failed=(\\d+) lost=(\\d+) corrupted=(\\d+)$");

    private static Lab lab;

    @BeforeAll
    static void labUp() {
        Lab.Up up = Lab.upForTests(3);
        lab = up == null ? null : up.lab(); // null when not root: the test is skipped with the reason
    }

    @AfterAll
    static void labDown() {
        Lab.downAfterTests(lab);
    }

    @Test
    void aShortSoakMigratesEveryRequestedTimeAndLosesNothing() {
        Lab.Result soak = lab.exec(Duration.ofMinutes(12), List.of(
                lab.root().resolve("scripts/soak.sh").toString(),
                "--minutes", "8", "--max-migrations", String.valueOf(MIGRATIONS), "--seed", "2026"));
        assertEquals(0, soak.exitCode(), soak::describe);
        assertTrue(soak.output().contains("soak: seed=2026 minutes=8 max_migrations=" + MIGRATIONS), soak::describe);
        Matcher last = SUMMARY.matcher(soak.output());
        assertTrue(last.find(), soak::describe);
        // Every migration the seed chose ran (none cut short by the time bound), and each one
        // succeeded with its guest intact on the host it was sent to.
        assertEquals(String.valueOf(MIGRATIONS), last.group(1), soak::describe);
        assertEquals("0", last.group(2), soak::describe);
        assertEquals("0", last.group(3), soak::describe);
        assertEquals("0", last.group(4), soak::describe);
    }
}
