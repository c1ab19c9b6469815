package io.livemig.agent.service;

import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.agent.core.monitor.LearnedMemory;
import io.livemig.agent.core.policy.AutoPlan;
import io.livemig.agent.core.policy.PolicySettings;
import io.livemig.common.predict.MigrationMode;
import io.livemig.common.predict.Preflight;
import io.livemig.common.predict.Recommendation;
import java.util.Locale;
import java.util.OptionalLong;

/** What a migration's policy starts from: the agent's settings over the policy defaults, and AUTO's plan. */
final class PolicyInputs {

    private PolicyInputs() {}

    /**
     * AUTO's plan: the predicted cost of each mode ({@link Preflight}, the same advice as
     * {@code migrate --plan}) from the VM's memory, its non-zero part and working set as
     * this host's migrations of it showed them ({@code learned}), its dirty rate just measured, this host's link
     * and the options, and the mode the objective picks from it. Post-copy first only when the
     * prediction recommends it and the link's rate is known (this host's {@code link_mibps} or a
     * bandwidth asked for): on a guessed rate, pre-copy goes first and the ladder decides from the
     * rate measured.
     */
    static AutoPlan autoPlan(long memoryBytes, LearnedMemory.Figures learned, long dirtyRateBytesPerS,
            MigrationOptionsValue o, String source, long sourceLinkMiBps, String target) {
        return autoPlan(memoryBytes, learned, OptionalLong.empty(), dirtyRateBytesPerS, o, source, sourceLinkMiBps,
                target);
    }

    /** {@link #autoPlan(long, LearnedMemory.Figures, long, MigrationOptionsValue, String, long, String)}, with the RAM the host holds of the guest, where read. */
    static AutoPlan autoPlan(long memoryBytes, LearnedMemory.Figures learned, OptionalLong ramHeld,
            long dirtyRateBytesPerS, MigrationOptionsValue o, String source, long sourceLinkMiBps, String target) {
        Preflight.Advice advice = Preflight.advise(
                new Preflight.Facts(memoryBytes, Math.max(0, dirtyRateBytesPerS), learned.nonZeroBytes(), source,
                        sourceLinkMiBps, target, 0, learned.workingSetBytes(), ramHeld),
                new Preflight.Options(o.maxDowntimeMs(), o.bandwidthMiBps(),
                        o.compression() != null && o.compression() != MigrationSpec.Compression.NONE,
                        o.parallelConnections(), !o.allowPostcopy(), !o.allowSuspend()),
                o.objective());
        Recommendation r = advice.recommendation();
        String objective = o.objective().name().toLowerCase(Locale.ROOT);
        if (advice.autoPostcopyFirst()) {
            return new AutoPlan(true, objective, r.reason() + "; post-copy after the first pass");
        }
        String start = r.mode() == MigrationMode.POSTCOPY
                ? "the link's rate is not known (no link_mibps for " + source + ", no bandwidth asked for), so "
                        + "pre-copy first all the same, escalating from the rate measured"
                : "pre-copy first, escalating only if it does not converge";
        return new AutoPlan(false, objective, r.reason() + "; " + start);
    }

    /**
     * The agent's policy: the pure defaults, tuned for real links where one pass over memory can
     * take many seconds: one pass between escalation steps, two throttle steps (30%, 60%), so
     * that auto reaches post-copy or suspend well within the completion timeout (240 s per GiB
     * to transfer, at least 120 s).
     */
    static PolicySettings settings(MigrationOptionsValue o, long linkMiBps) {
        PolicySettings.Builder b = PolicySettings.builder()
                .escalationDwellIterations(1)
                .throttleStepPercent(30)
                .maxThrottlePercent(60)
                .completionTimeoutSecPerGiB(240)
                .completionTimeoutMinSec(120)
                .postcopyAllowed(o.allowPostcopy())
                .suspendAllowed(o.allowSuspend())
                .compression(o.compression())
                .parallelConnections(Math.max(1, o.parallelConnections()))
                .bandwidthMiBps(o.bandwidthMiBps())
                .linkMiBps(linkMiBps);
        PolicySettings defaults = PolicySettings.defaults();
        if (o.maxDowntimeMs() > 0) {
            b.maxDowntimeMs(o.maxDowntimeMs()).downtimeCapMs(Math.max(o.maxDowntimeMs(), defaults.downtimeCapMs()));
        }
        if (o.timeoutS() > 0) {
            // The caller's timeout replaces the per-GiB scaling.
            b.completionTimeoutMinSec(o.timeoutS()).completionTimeoutSecPerGiB(1);
        }
        return b.build();
    }
}
