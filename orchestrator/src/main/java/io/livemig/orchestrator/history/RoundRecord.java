package io.livemig.orchestrator.history;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * One rebalance round as the history keeps it: what it saw, what it planned and what came of it.
 * {@code at} is truncated to milliseconds, the precision of the history.
 *
 * @param id "r-000001", from {@link HistoryStore#nextRoundId()}
 * @param dryRun planned only; no migration was started
 * @param trigger "schedule" or "user"
 * @param spreadBefore the cluster spread when the round began
 * @param spreadAfterPlanned the spread the plan expects once its moves are done
 * @param moves one line per planned move, e.g. "demo: lab-a -&gt; lab-b"
 * @param migrationIds the migrations started for the moves (empty for a dry run)
 * @param result one line, e.g. "planned 2 moves (dry run)", "2 moves started", "no move: spread
 *     0.031 below threshold 0.1"
 */
public record RoundRecord(
        String id,
        Instant at,
        boolean dryRun,
        String trigger,
        double spreadBefore,
        double spreadAfterPlanned,
        List<String> moves,
        List<String> migrationIds,
        String result) {

    public RoundRecord {
        if (Objects.requireNonNull(id, "id").isBlank()) {
            throw new IllegalArgumentException("id must not be blank");
        }
        at = Objects.requireNonNull(at, "at").truncatedTo(ChronoUnit.MILLIS);
        Objects.requireNonNull(trigger, "trigger");
        moves = List.copyOf(moves);
        migrationIds = List.copyOf(migrationIds);
        Objects.requireNonNull(result, "result");
    }
}
