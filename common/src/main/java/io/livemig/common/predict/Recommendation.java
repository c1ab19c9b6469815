package io.livemig.common.predict;

import java.util.Objects;

/**
 * The mode a prediction recommends and why.
 *
 * @param mode      PRECOPY, POSTCOPY or STOP_AND_COPY: a technique, never AUTO, so that AUTO can
 *                  start from it
 * @param objective what the choice optimised for
 * @param reason    one line, with the numbers it rests on
 */
public record Recommendation(MigrationMode mode, Objective objective, String reason) {

    public Recommendation {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(reason, "reason");
    }
}
