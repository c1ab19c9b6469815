package io.livemig.agent.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The allowed-downtime values AUTO may step through: {@code steps} equal steps from the initial
 * value to the cap, e.g. 300, 640, 980, 1320, 1660, 2000 ms (Nova's {@code downtime_steps}, but
 * starting at the configured downtime instead of downtime / steps, and without the time axis:
 * when to step is the escalation rule's business).
 *
 * @param stepsMs the values, ascending, first the initial downtime, last the cap
 */
public record DowntimeLadder(List<Long> stepsMs) {

    public DowntimeLadder {
        stepsMs = List.copyOf(stepsMs);
        if (stepsMs.isEmpty()) {
            throw new IllegalArgumentException("a ladder needs at least one step");
        }
        for (int i = 1; i < stepsMs.size(); i++) {
            if (stepsMs.get(i) < stepsMs.get(i - 1)) {
                throw new IllegalArgumentException("steps must ascend: " + stepsMs);
            }
        }
    }

    public static DowntimeLadder of(long initialMs, long capMs, int steps) {
        if (initialMs < 1 || capMs < initialMs || steps < 1) {
            throw new IllegalArgumentException("need 1 <= initial <= cap and steps >= 1");
        }
        List<Long> values = new ArrayList<>();
        for (int i = 0; i <= steps; i++) {
            long value = initialMs + (capMs - initialMs) * i / steps;
            if (values.isEmpty() || values.get(values.size() - 1) != value) {
                values.add(value);
            }
        }
        return new DowntimeLadder(values);
    }

    public static DowntimeLadder of(PolicySettings settings) {
        return of(settings.maxDowntimeMs(), settings.downtimeCapMs(), settings.downtimeSteps());
    }

    public long capMs() {
        return stepsMs.get(stepsMs.size() - 1);
    }

    /**
     * The value to raise the allowed downtime to: the lowest step above {@code currentMs} that
     * covers {@code neededMs} (the downtime the measurements ask for), else the cap. Stepping
     * straight to the step that the measurements say is needed saves a dwell per step skipped:
     * with a predictor, Nova's blind one-step-per-interval only delays the migration. Empty when
     * the cap is reached.
     *
     * @param neededMs expected downtime, or a value <= 0 to take just the next step
     */
    public OptionalLong next(long currentMs, long neededMs) {
        for (long step : stepsMs) {
            if (step > currentMs && step >= neededMs) {
                return OptionalLong.of(step);
            }
        }
        return currentMs < capMs() ? OptionalLong.of(capMs()) : OptionalLong.empty();
    }
}
