package io.livemig.agent.core.policy;

import io.livemig.agent.core.policy.Prediction.Verdict;
import java.util.List;
import java.util.Locale;

/**
 * Predicts from per-iteration measurements whether pre-copy will get the remaining bytes below
 * bandwidth * allowed downtime, which is when QEMU stops the guest and sends the rest.
 *
 * <p>Model: each pass re-sends what the guest dirtied during the previous one, so with
 * r = dirty rate / bandwidth, remaining(n+1) ≈ remaining(n) * r. Rules, first match wins:
 * <ol>
 *   <li>no transfer rate measured yet: UNKNOWN;</li>
 *   <li>remaining already fits in the allowed downtime: CONVERGING (QEMU finishes this pass);</li>
 *   <li>r >= {@code nonConvergenceRatio} (0.9): NOT_CONVERGING. Below 1 the model converges in
 *       theory, but near 1 it takes so many passes that measurement noise decides;</li>
 *   <li>over the last {@code stallIterations} (3) iterations remaining shrank by less than
 *       {@code minShrinkPercent} (10 %): NOT_CONVERGING. This catches guests whose working set is
 *       re-dirtied every pass, where the reported dirty rate can look harmless;</li>
 *   <li>no dirty rate reported and not enough iterations for rule 4: UNKNOWN;</li>
 *   <li>otherwise CONVERGING, with the number of passes the model needs.</li>
 * </ol>
 * The transfer rate is the mean over the same window, because QEMU's figure is measured over
 * a fraction of a second and jumps; the dirty rate is the latest, because throttling changes it.
 */
public final class ConvergencePredictor {

    private final double nonConvergenceRatio;
    private final int stallIterations;
    private final int minShrinkPercent;

    public ConvergencePredictor(double nonConvergenceRatio, int stallIterations, int minShrinkPercent) {
        if (!(nonConvergenceRatio > 0) || stallIterations < 2 || minShrinkPercent < 0 || minShrinkPercent > 100) {
            throw new IllegalArgumentException("need ratio > 0, stallIterations >= 2, minShrinkPercent 0..100");
        }
        this.nonConvergenceRatio = nonConvergenceRatio;
        this.stallIterations = stallIterations;
        this.minShrinkPercent = minShrinkPercent;
    }

    public static ConvergencePredictor of(PolicySettings settings) {
        return new ConvergencePredictor(settings.nonConvergenceRatio(), settings.stallIterations(),
                settings.minShrinkPercent());
    }

    /**
     * @param history           iterations in order, oldest first (only those since the last
     *                          escalation, so that each step is judged by what came after it)
     * @param allowedDowntimeMs the allowed downtime now in force
     */
    public Prediction predict(List<IterationStats> history, long allowedDowntimeMs) {
        if (history.isEmpty()) {
            return Prediction.unknown("no pass over memory measured yet");
        }
        List<IterationStats> window = history.subList(Math.max(0, history.size() - stallIterations), history.size());
        long bandwidth = meanBandwidth(window);
        if (bandwidth <= 0) {
            return Prediction.unknown("no transfer rate measured yet");
        }
        IterationStats latest = history.get(history.size() - 1);
        long remaining = latest.remainingBytes();
        long target = bandwidth * allowedDowntimeMs / 1000;
        long expectedDowntimeMs = ceilDiv(remaining * 1000, bandwidth);
        double ratio = latest.hasDirtyRate() ? (double) latest.dirtyRateBytesPerSec() / bandwidth : Double.NaN;
        String measured = String.format(Locale.ROOT,
                "iteration %d: %s remaining at %s/s, expected downtime %d ms, allowed %d ms",
                latest.iteration(), mib(remaining), mib(bandwidth), expectedDowntimeMs, allowedDowntimeMs);

        if (remaining <= target) {
            return new Prediction(Verdict.CONVERGING, ratio, remaining, bandwidth, expectedDowntimeMs, target, 0,
                    "remaining fits in the allowed downtime (" + measured + ")");
        }
        if (latest.hasDirtyRate() && ratio >= nonConvergenceRatio) {
            return new Prediction(Verdict.NOT_CONVERGING, ratio, remaining, bandwidth, expectedDowntimeMs, target, -1,
                    String.format(Locale.ROOT, "pre-copy will not converge: the guest dirties %s/s, %.2f of the "
                            + "transfer rate (limit %.2f); %s",
                            mib(latest.dirtyRateBytesPerSec()), ratio, nonConvergenceRatio, measured));
        }
        if (history.size() >= stallIterations) {
            long first = window.get(0).remainingBytes();
            if (remaining * 100 > first * (100L - minShrinkPercent)) {
                return new Prediction(Verdict.NOT_CONVERGING, ratio, remaining, bandwidth, expectedDowntimeMs, target,
                        -1, String.format(Locale.ROOT,
                                "pre-copy stalled: remaining went from %s to %s over %d iterations (less than %d%% "
                                        + "shrink); %s",
                                mib(first), mib(remaining), window.size(), minShrinkPercent, measured));
            }
        } else if (!latest.hasDirtyRate()) {
            return new Prediction(Verdict.UNKNOWN, ratio, remaining, bandwidth, expectedDowntimeMs, target, -1,
                    "no dirty rate reported; waiting for " + stallIterations + " iterations to see the trend");
        }
        int passes = latest.hasDirtyRate() ? passesToTarget(remaining, target, ratio) : -1;
        return new Prediction(Verdict.CONVERGING, ratio, remaining, bandwidth, expectedDowntimeMs, target, passes,
                (passes > 0 ? "pre-copy converges in about " + passes + " more passes" : "remaining shrinks")
                        + " (" + measured + ")");
    }

    /** Smallest n with remaining * r^n <= target (r < 1 here, target < remaining). */
    static int passesToTarget(long remaining, long target, double ratio) {
        if (ratio <= 0 || target <= 0) {
            return ratio <= 0 ? 1 : -1;
        }
        double n = Math.log((double) target / remaining) / Math.log(ratio);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.ceil(n - 1e-9)));
    }

    private static long meanBandwidth(List<IterationStats> window) {
        long sum = 0;
        int count = 0;
        for (IterationStats s : window) {
            if (s.hasBandwidth()) {
                sum += s.bandwidthBytesPerSec();
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
