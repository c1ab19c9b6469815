package io.livemig.common.predict;

import java.util.OptionalLong;

/**
 * The steps AUTO takes, in the agent's order, when pre-copy will not converge: raise the allowed
 * downtime (to the lowest step of the ladder that covers the downtime needed, else to the cap),
 * throttle the guest's vCPUs, switch to post-copy if allowed, pause the guest if allowed. At most
 * one step every {@code dwellPasses} passes.
 *
 * <p>The model calls pre-copy hopeless, as the agent's predictor does, when the dirty rate is at
 * least {@code nonConvergenceRatio} of the rate memory is sent at, or when the set to send stopped
 * shrinking. A throttle step costs its passes but is not counted on to lower the dirty rate: by
 * how much it does depends on how much CPU the guest's writer needs, which no input says (in the
 * classic experiment a 60 % throttle left a paced writer's rate unchanged).
 *
 * @param downtimeCapMs        the highest allowed downtime AUTO raises to; the allowed downtime
 *                             itself when that is higher
 * @param downtimeSteps        equal steps from the allowed downtime to the cap, &gt;= 1
 * @param dwellPasses          passes between two steps, &gt;= 1
 * @param throttleSteps        vCPU throttle steps before post-copy, &gt;= 0
 * @param nonConvergenceRatio  dirty rate / sending rate from which pre-copy is called hopeless
 * @param suspendAllowed       whether AUTO may, last, pause the guest and send the rest
 */
public record AutoLadder(long downtimeCapMs, int downtimeSteps, int dwellPasses, int throttleSteps,
        double nonConvergenceRatio, boolean suspendAllowed) {

    public AutoLadder {
        if (downtimeCapMs < 0 || downtimeSteps < 1 || dwellPasses < 1 || throttleSteps < 0
                || !(nonConvergenceRatio > 0)) {
            throw new IllegalArgumentException("need downtimeCapMs >= 0, downtimeSteps >= 1, dwellPasses >= 1, "
                    + "throttleSteps >= 0 and nonConvergenceRatio > 0");
        }
    }

    /**
     * The allowed downtime to raise {@code currentMs} to: the lowest ladder step above it that
     * covers {@code neededMs}, else the cap; empty at the cap. The ladder runs in equal steps from
     * {@code initialMs} (the migration's allowed downtime) to the cap, as the agent's does.
     */
    OptionalLong nextDowntimeMs(long initialMs, long currentMs, long neededMs) {
        long cap = Math.max(initialMs, downtimeCapMs);
        for (int i = 0; i <= downtimeSteps; i++) {
            long step = initialMs + (cap - initialMs) * i / downtimeSteps;
            if (step > currentMs && step >= neededMs) {
                return OptionalLong.of(step);
            }
        }
        return currentMs < cap ? OptionalLong.of(cap) : OptionalLong.empty();
    }
}
