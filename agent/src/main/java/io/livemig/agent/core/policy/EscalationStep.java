package io.livemig.agent.core.policy;

import java.util.Objects;

/**
 * One step the policy took beyond the initial settings, for the migration report.
 *
 * @param kind        what was done
 * @param atElapsedMs when, since the migration started
 * @param iteration   libvirt's memory iteration at the time, -1 if none was seen yet
 * @param reason      why, with the numbers
 * @param value       the new allowed downtime (ms) or throttle (percent); 0 for the other kinds
 * @param basis       the prediction that led to it; null for the timeout and operator requests
 */
public record EscalationStep(
        EscalationKind kind,
        long atElapsedMs,
        long iteration,
        String reason,
        long value,
        Prediction basis) {

    public EscalationStep {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }
}
