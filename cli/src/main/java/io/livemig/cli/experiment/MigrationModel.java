package io.livemig.cli.experiment;

import io.livemig.agent.core.policy.PolicySettings;
import io.livemig.common.predict.AutoLadder;
import io.livemig.common.predict.Figure;
import io.livemig.common.predict.MigrationMode;
import io.livemig.common.predict.MigrationPredictor;
import io.livemig.common.predict.ModePrediction;
import io.livemig.common.predict.Objective;
import io.livemig.common.predict.PredictionInputs;
import io.livemig.common.predict.Preflight;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The experiment's model of a run, to set measurements against: livemig's own predictor
 * ({@link MigrationPredictor}, whose package description gives the model), fed with the run's
 * plan. Pure.
 *
 * <p>The plan gives the memory, the workload (its dirtied set W and rate D, known exactly) and the
 * link; the guest's non-zero memory it does not give. It is learned from the experiment's own
 * stop-and-copy runs of a guest of the same size ({@link #nonZeroMemory}): one pass over memory
 * with the guest paused, so their bytes are the non-zero memory and its page headers. Without
 * one, every page is taken as non-zero, which overstates what the first pass sends by the zero
 * pages (about 0.77 of the memory was non-zero in the classic experiment).
 *
 * <p>Auto is predicted as the agent runs it (see {@link #predict(RunPlan, Figure)}): the plan it
 * makes before the start under the run's objective decides between post-copy right after the
 * first pass and pre-copy with the ladder's steps.
 */
public final class MigrationModel {

    /** Allowed downtime when the run leaves it at 0: libvirt's and livemig's default. */
    public static final long DEFAULT_MAX_DOWNTIME_MS = 300;
    /** Link rate for an unlimited link (0) in {@link #predict(String, long, long, long, long, long)}: 1 GiB/s. */
    public static final long DEFAULT_LINK_BYTES_PER_S = 1024L * 1024 * 1024;

    /**
     * AUTO's steps as the agent takes them in a migration: the policy's downtime ladder, its
     * non-convergence ratio and suspend, with the pacing the agent's service sets over the policy
     * defaults (one pass between steps, two throttle steps: 30 % and 60 %).
     */
    static final AutoLadder AUTO_LADDER = autoLadder(PolicySettings.defaults(), 1, 2);

    private MigrationModel() {}

    static AutoLadder autoLadder(PolicySettings policy, int dwellPasses, int throttleSteps) {
        return new AutoLadder(policy.downtimeCapMs(), policy.downtimeSteps(), dwellPasses, throttleSteps,
                policy.nonConvergenceRatio(), policy.suspendAllowed());
    }

    /** The predictor's mode for a run's mode: precopy, auto, stopcopy or postcopy. */
    static MigrationMode mode(String mode) {
        return switch (mode) {
            case "precopy" -> MigrationMode.PRECOPY;
            case "auto" -> MigrationMode.AUTO;
            case "stopcopy" -> MigrationMode.STOP_AND_COPY;
            case "postcopy" -> MigrationMode.POSTCOPY;
            default -> throw new IllegalArgumentException("unknown mode '" + mode + "' (known: precopy, auto, stopcopy, postcopy)");
        };
    }

    /** {@link #predict(String, long, Figure, long, long, long, long, long)}, non-zero memory not known, an unlimited link taken as 1 GiB/s. */
    public static ModelPrediction predict(String mode, long memBytes, long dirtyBytes, long dirtyRateBytesPerS,
            long linkBytesPerS, long maxDowntimeMs) {
        return predict(mode, memBytes, Figure.estimated(Math.max(0, memBytes)), dirtyBytes, dirtyRateBytesPerS,
                linkBytesPerS, maxDowntimeMs, DEFAULT_LINK_BYTES_PER_S);
    }

    /** {@link #predict(String, long, Figure, long, long, long, long, long)}, non-zero memory not known. */
    public static ModelPrediction predict(String mode, long memBytes, long dirtyBytes, long dirtyRateBytesPerS,
            long linkBytesPerS, long maxDowntimeMs, long defaultLinkBytesPerS) {
        return predict(mode, memBytes, Figure.estimated(Math.max(0, memBytes)), dirtyBytes, dirtyRateBytesPerS,
                linkBytesPerS, maxDowntimeMs, defaultLinkBytesPerS);
    }

    /** {@link #predict(String, long, Figure, long, long, long, long, long)}, an unlimited link taken as 1 GiB/s. */
    public static ModelPrediction predict(String mode, long memBytes, Figure nonZero, long dirtyBytes,
            long dirtyRateBytesPerS, long linkBytesPerS, long maxDowntimeMs) {
        return predict(mode, memBytes, nonZero, dirtyBytes, dirtyRateBytesPerS, linkBytesPerS, maxDowntimeMs,
                DEFAULT_LINK_BYTES_PER_S);
    }

    /**
     * The model's prediction for one run.
     *
     * @param mode                  precopy, auto, stopcopy or postcopy
     * @param nonZero               the guest's non-zero memory (at most {@code memBytes}: a learned
     *                              figure counts page headers too)
     * @param dirtyBytes            the memory the workload rewrites (at most {@code memBytes})
     * @param linkBytesPerS         link rate B; 0 means unlimited, for which {@code defaultLinkBytesPerS}
     *                              (what the wire actually does) is used
     * @param maxDowntimeMs         allowed downtime T; 0 for {@value #DEFAULT_MAX_DOWNTIME_MS} ms
     * @param defaultLinkBytesPerS  rate of an unlimited link, &gt; 0
     */
    public static ModelPrediction predict(String mode, long memBytes, Figure nonZero, long dirtyBytes,
            long dirtyRateBytesPerS, long linkBytesPerS, long maxDowntimeMs, long defaultLinkBytesPerS) {
        if (memBytes <= 0 || dirtyBytes < 0 || dirtyRateBytesPerS < 0 || linkBytesPerS < 0 || maxDowntimeMs < 0) {
            throw new IllegalArgumentException("memory must be > 0 and dirty bytes, dirty rate, link and downtime >= 0, got M="
                    + memBytes + " W=" + dirtyBytes + " D=" + dirtyRateBytesPerS + " B=" + linkBytesPerS + " T=" + maxDowntimeMs);
        }
        if (defaultLinkBytesPerS <= 0) {
            throw new IllegalArgumentException("default link rate must be > 0, got " + defaultLinkBytesPerS);
        }
        MigrationMode m = mode(mode);
        long link = linkBytesPerS == 0 ? defaultLinkBytesPerS : linkBytesPerS;
        PredictionInputs in = PredictionInputs.builder(memBytes, Figure.measured(dirtyRateBytesPerS), link,
                maxDowntimeMs == 0 ? DEFAULT_MAX_DOWNTIME_MS : maxDowntimeMs, AUTO_LADDER)
                .nonZero(new Figure(Math.min(memBytes, nonZero.value()), nonZero.source()))
                .workingSet(Figure.measured(Math.min(memBytes, dirtyBytes)))
                .build();
        ModePrediction p = MigrationPredictor.predict(in).of(m);
        String formula = p.formula() + (p.steps().isEmpty() ? "" : "; steps: " + String.join(", ", p.steps()))
                + (linkBytesPerS == 0 ? String.format(Locale.ROOT, " (unlimited link, taken as %d MiB/s)", link >> 20) : "");
        return new ModelPrediction(p.passes(), p.bytes(), p.totalMs(), p.downtimeMs(), p.converges(), formula);
    }

    /**
     * The prediction for one planned run: what the runner stores before the run and the report's
     * "Measured vs model" computes again. The plan gives the mode, memory, workload, link and
     * allowed downtime; {@code nonZero} the guest's non-zero memory. An auto run whose plan is
     * post-copy right after the first pass ({@link #autoPlansPostcopy}) is predicted as
     * post-copy, since that is what it does; otherwise auto is pre-copy with the ladder's steps.
     */
    public static ModelPrediction predict(RunPlan plan, Figure nonZero) {
        long memBytes = (long) plan.memMib() << 20;
        long dirtyBytes = (long) plan.dirtyMib() << 20;
        long dirtyRate = (long) plan.dirtyRateMibps() << 20;
        long link = (long) plan.linkMibps() << 20;
        if (!plan.baseline() && plan.mode().equals("auto") && autoPlansPostcopy(memBytes, dirtyRate, plan.linkMibps(),
                plan.maxDowntimeMs(), Objective.valueOf(plan.objective().toUpperCase(Locale.ROOT)))) {
            ModelPrediction post = predict("postcopy", memBytes, nonZero, dirtyBytes, dirtyRate, link, plan.maxDowntimeMs());
            return new ModelPrediction(post.passes(), post.bytes(), post.totalMs(), post.downtimeMs(), post.converges(),
                    "auto plans post-copy right after the first pass (objective " + plan.objective() + "); "
                            + post.formula());
        }
        return predict(plan.mode(), memBytes, nonZero, dirtyBytes, dirtyRate, link, plan.maxDowntimeMs());
    }

    /**
     * Whether auto plans post-copy right after the first pass, decided as the agent decides it
     * before the start: {@link Preflight}'s recommendation under {@code objective}, from the VM's
     * memory, its dirty rate (the agent measures it; here the workload's), the bandwidth asked
     * for and the allowed downtime, with the non-zero memory and the working set unknown (taken as
     * the whole memory, as the agent takes them). Never with no bandwidth asked for: the agent does
     * not plan post-copy on a guessed link rate, and the lab's hosts are taken to have no
     * {@code link_mibps}.
     */
    static boolean autoPlansPostcopy(long memBytes, long dirtyRateBytesPerS, int linkMibps, long maxDowntimeMs,
            Objective objective) {
        Preflight.Advice advice = Preflight.advise(
                new Preflight.Facts(memBytes, dirtyRateBytesPerS, OptionalLong.empty(), "source", 0, "target", 0),
                new Preflight.Options(maxDowntimeMs, linkMibps, false, 0, false, false), objective);
        boolean linkGuessed = advice.estimated().stream().anyMatch(i -> i.name().equals("link_rate"));
        return advice.recommendation().mode() == MigrationMode.POSTCOPY && !linkGuessed;
    }

    /**
     * The non-zero memory of a guest of {@code memMib}, learned from the succeeded stop-and-copy
     * runs among {@code runs}: the median of their bytes. Empty without one.
     */
    public static Optional<Figure> nonZeroMemory(Collection<RunResult> runs, int memMib) {
        long[] bytes = runs.stream()
                .filter(r -> r.plan().mode().equals("stopcopy") && r.plan().memMib() == memMib && Stats.succeeded(r)
                        && r.bytesTransferred() > 0)
                .mapToLong(RunResult::bytesTransferred).sorted().toArray();
        if (bytes.length == 0) {
            return Optional.empty();
        }
        int mid = bytes.length / 2;
        return Optional.of(Figure.learned(bytes.length % 2 == 1 ? bytes[mid] : (bytes[mid - 1] + bytes[mid]) / 2));
    }
}
