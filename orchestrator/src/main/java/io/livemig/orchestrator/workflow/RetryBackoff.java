package io.livemig.orchestrator.workflow;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait before trying again something that keeps failing (writing the history to a
 * full disk): {@code first} before the first retry, twice as long before each next one, never
 * more than {@code max}. So the attempts are bounded to one per {@code max} however long the
 * failure lasts, and come quickly after a short one.
 */
public record RetryBackoff(Duration first, Duration max) {

    /** 1 s, 2 s, 4 s ... then once a minute: at most 60 attempts an hour on a disk that stays full. */
    public static final RetryBackoff HISTORY_WRITES = new RetryBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1));

    public RetryBackoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= max, got " + first + " and " + max);
        }
    }

    /** The wait before retry number {@code retry} (1 for the first). */
    public Duration before(int retry) {
        if (retry < 1) {
            throw new IllegalArgumentException("retries count from 1, got " + retry);
        }
        Duration d = first;
        for (int i = 1; i < retry && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) < 0 ? d : max;
    }
}
