package io.livemig.agent.core.monitor;

import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.policy.CopyPhase;
import io.livemig.agent.core.policy.Prediction;

/**
 * What a {@link ProgressListener} is told after each sample.
 *
 * @param elapsedMs         since the migration started
 * @param phase             the phase now
 * @param sample            the sample just taken
 * @param prediction        the convergence prediction, null in modes that do not predict
 * @param allowedDowntimeMs the allowed downtime now in force, 0 before it was set
 * @param throttlePercent   the CPU throttle now in force
 * @param escalations       how many escalations were applied so far
 */
public record JobProgress(
        long elapsedMs,
        CopyPhase phase,
        JobSample sample,
        Prediction prediction,
        long allowedDowntimeMs,
        int throttlePercent,
        int escalations) {
}
