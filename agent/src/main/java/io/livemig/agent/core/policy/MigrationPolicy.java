package io.livemig.agent.core.policy;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.policy.PolicyDecision.Step;
import io.livemig.agent.core.policy.Prediction.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Decides how to steer one migration, sample by sample. Pure: time, state and the sample come in
 * as arguments, a {@link PolicyDecision} goes out; nothing here touches the job or a clock.
 *
 * <p>Rules, checked in this order on every sample of an active job:
 * <ol>
 *   <li>First active sample: the initial settings. The allowed downtime ({@code maxDowntimeMs},
 *       300 ms) and the bandwidth ({@code bandwidthMiBps}) were applied when the migration
 *       started (the {@code LaunchPlan}); they are taken as set, not sent again (a value an
 *       operator request set before is kept). AUTO, when it may throttle, sets the
 *       throttle to 0: throttling needs QEMU's auto-convergence, which would otherwise throttle
 *       by itself before the ladder gets there; where the hypervisor cannot throttle at all this
 *       first call finds it out (UNSUPPORTED) and the ladder skips throttling.</li>
 *   <li>Timeout (all modes): past {@code completionTimeoutSecPerGiB} (120 s) per GiB to transfer,
 *       at least {@code completionTimeoutMinSec} (60 s), abort once. Never after post-copy
 *       started: the guest already runs on the destination, so an abort would lose it (libvirt
 *       refuses it, as Nova's {@code should_trigger_timeout_action} knows).</li>
 *   <li>Per mode:
 *     <ul>
 *       <li>PRECOPY: nothing else.</li>
 *       <li>STOPCOPY: nothing to steer (the guest is paused for the whole copy).</li>
 *       <li>POSTCOPY: switch to post-copy once the memory iteration reaches
 *           {@code postcopyAfterIterations} (2, i.e. after the first full pass).</li>
 *       <li>AUTO with an {@link AutoPlan} for post-copy first (the prediction before the start
 *           chose it): switch to post-copy once the memory iteration reaches
 *           {@code postcopyAfterIterations}, as POSTCOPY does, saying why. Otherwise (or when
 *           post-copy turns out refused):
 *           when the {@link ConvergencePredictor} says pre-copy will not converge, take the
 *           next step of the ladder below, one per decision, and only when at least
 *           {@code escalationDwellIterations} (2) iterations and {@code escalationDwellMs} (2 s)
 *           have passed since the previous step:
 *           raise the allowed downtime (to the lowest {@link DowntimeLadder} step covering the
 *           expected downtime, up to {@code downtimeCapMs}, 2 s) → throttle the vCPUs by
 *           {@code throttleStepPercent} (20) up to {@code maxThrottlePercent} (80), if allowed →
 *           post-copy, if allowed → suspend the source, if allowed. Kinds the hypervisor refused
 *           for good are skipped.</li>
 *     </ul></li>
 * </ol>
 * Once post-copy, suspend or abort has been sent there is nothing left to decide.
 */
public final class MigrationPolicy {

    private final CopyMode mode;
    private final PolicySettings settings;
    private final DowntimeLadder ladder;
    private final ConvergencePredictor predictor;
    private final AutoPlan plan;

    public MigrationPolicy(CopyMode mode, PolicySettings settings) {
        this(mode, settings, AutoPlan.PRECOPY_FIRST);
    }

    /** @param plan AUTO's plan from the prediction; other modes ignore it */
    public MigrationPolicy(CopyMode mode, PolicySettings settings, AutoPlan plan) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ladder = DowntimeLadder.of(settings);
        this.predictor = ConvergencePredictor.of(settings);
        this.plan = Objects.requireNonNull(plan, "plan");
    }

    public CopyMode mode() {
        return mode;
    }

    public PolicySettings settings() {
        return settings;
    }

    public PolicyState initialState() {
        return PolicyState.initial();
    }

    /**
     * The settings sent with the first sample of the running job. Not the downtime or the
     * bandwidth: the migration started with those.
     */
    public List<Action> initialActions() {
        List<Action> actions = new ArrayList<>();
        if (mode == CopyMode.AUTO && settings.throttleAllowed()) {
            actions.add(new Action.Throttle(0, "no throttle until the policy asks for one: QEMU's "
                    + "auto-convergence must not throttle on its own"));
        }
        return actions;
    }

    /**
     * Nova's {@code should_trigger_timeout_action}: past the timeout (0 = off), unless post-copy
     * started, after which an abort would lose the guest.
     */
    public static boolean shouldTriggerTimeout(long elapsedMs, long timeoutMs, boolean postcopyStarted) {
        return timeoutMs > 0 && elapsedMs > timeoutMs && !postcopyStarted;
    }

    /**
     * Decides what to do about one sample.
     *
     * @param state     the state returned with the previous decision ({@link #initialState()} first)
     * @param sample    the job's statistics now
     * @param elapsedMs time since the migration started, by the caller's monotonic clock
     */
    public PolicyDecision decide(PolicyState state, JobSample sample, long elapsedMs) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(sample, "sample");
        Draft draft = new Draft(observe(state, sample, elapsedMs));
        if (!sample.jobType().isActive()) {
            return draft.build();
        }
        if (!draft.state.initialized()) {
            initialize(draft);
        }
        if (timeoutRule(draft, elapsedMs) || draft.state.isFinalStepTaken()) {
            return draft.build();
        }
        switch (mode) {
            case PRECOPY, STOPCOPY -> {
                // Nothing to steer: PRECOPY keeps its downtime, STOPCOPY pauses the guest anyway.
            }
            case POSTCOPY -> postcopyRule(draft, elapsedMs);
            case AUTO -> autoRule(draft, elapsedMs);
        }
        return draft.build();
    }

    /**
     * Decides when no sample could be read (the job has not started yet, or statistics failed):
     * only the timeout applies, so that a migration stuck before its first sample still ends.
     */
    public PolicyDecision tick(PolicyState state, long elapsedMs) {
        Draft draft = new Draft(Objects.requireNonNull(state, "state"));
        timeoutRule(draft, elapsedMs);
        return draft.build();
    }

    /**
     * Turns an operator's request into a decision: {@link Action.Abort}, {@link Action.StartPostCopy},
     * {@link Action.SetMaxDowntime} or {@link Action.SetBandwidth}. Requests that cannot work are
     * refused with a note (e.g. an abort after post-copy started).
     */
    public PolicyDecision onRequest(PolicyState state, Action requested, long elapsedMs) {
        Draft draft = new Draft(Objects.requireNonNull(state, "state"));
        PolicyState s = draft.state;
        if (requested instanceof Action.Abort) {
            if (s.postcopyStarted()) {
                draft.notes.add("abort refused: post-copy has started, the guest runs on the destination");
            } else if (s.abortRequested()) {
                draft.notes.add("abort already requested");
            } else {
                draft.add(requested, escalation(EscalationKind.ABORT, elapsedMs, s, requested.reason(), 0, null));
                draft.state = s.withAbortRequested(true);
            }
        } else if (requested instanceof Action.StartPostCopy) {
            String refusal = postcopyRefusal(s);
            if (refusal != null) {
                draft.notes.add("post-copy refused: " + refusal);
            } else {
                draft.add(requested, escalation(EscalationKind.POSTCOPY, elapsedMs, s, requested.reason(), 0, null));
                draft.state = s.withPostcopyStarted(true);
            }
        } else if (requested instanceof Action.SetMaxDowntime downtime) {
            // The operator's value becomes the base AUTO escalates from.
            draft.add(requested, null);
            draft.state = s.withDowntimeMs(downtime.downtimeMs());
        } else if (requested instanceof Action.SetBandwidth bandwidth) {
            draft.add(requested, null);
            draft.state = s.withBandwidthMiBps(bandwidth.bandwidthMiBps());
        } else {
            throw new IllegalArgumentException("not an operator request: " + requested);
        }
        return draft.build();
    }

    /**
     * The state after {@code failed}, one of the actions of the decision that led from
     * {@code before} to {@code after}, was refused by the hypervisor. Its effect is taken back. A
     * refusal for good (UNSUPPORTED, or INVALID_REQUEST such as post-copy without the flag) also
     * marks the kind unavailable and takes back the dwell, so AUTO moves on to the next kind at
     * the next sample instead of waiting for a step that never happened. Other failures are
     * retried after the dwell.
     */
    public PolicyState afterFailure(PolicyState before, PolicyState after, Action failed,
            HypervisorException.Reason reason) {
        EscalationKind kind = EscalationKind.of(failed);
        if (kind == null) {
            return after.withBandwidthMiBps(before.bandwidthMiBps());
        }
        PolicyState reverted = switch (kind) {
            case RAISE_DOWNTIME -> after.withDowntimeMs(before.downtimeMs());
            case THROTTLE -> after.withThrottlePercent(before.throttlePercent());
            case POSTCOPY -> after.withPostcopyStarted(before.postcopyStarted());
            case SUSPEND -> after.withSuspended(before.suspended());
            case ABORT -> after.withAbortRequested(before.abortRequested());
        };
        boolean forGood = reason == HypervisorException.Reason.UNSUPPORTED
                || reason == HypervisorException.Reason.INVALID_REQUEST;
        if (forGood) {
            reverted = reverted.withUnavailable(kind)
                    .withLastEscalation(before.lastEscalationIteration(), before.lastEscalationAtMs());
        }
        return reverted;
    }

    /**
     * Takes the launch's downtime and bandwidth as set (unless an operator request has set them
     * since) and sends the other initial settings.
     */
    private void initialize(Draft draft) {
        PolicyState s = draft.state;
        if (mode.isLive() && s.downtimeMs() == 0) {
            s = s.withDowntimeMs(settings.maxDowntimeMs());
        }
        if (settings.bandwidthMiBps() > 0 && s.bandwidthMiBps() < 0) {
            s = s.withBandwidthMiBps(settings.bandwidthMiBps());
        }
        for (Action action : initialActions()) {
            draft.add(action, null);
        }
        draft.state = s.withInitialized();
    }

    private PolicyState observe(PolicyState s, JobSample sample, long elapsedMs) {
        long bytes = Math.max(s.bytesToTransfer(),
                Math.max(orZero(sample.dataTotalBytes()), orZero(sample.memoryTotalBytes())));
        long iteration = s.iteration();
        IterationStats pass = null;
        Long seen = sample.memoryIteration();
        if (seen != null && seen > iteration) {
            iteration = seen;
            Long remaining = sample.bytesRemaining();
            // Iteration 0 is libvirt's set-up: its "remaining" is 0 because nothing is counted yet,
            // not because nothing is left; as a pass it would make the next ones look stalled.
            if (remaining != null && seen >= 1) {
                Long bandwidth = sample.memoryBytesPerSec();
                pass = new IterationStats(seen, elapsedMs, remaining,
                        sample.memoryDirtyRateBytesPerSec().orElse(IterationStats.UNKNOWN),
                        bandwidth == null ? IterationStats.UNKNOWN : bandwidth);
            }
        }
        return s.withObservation(bytes, iteration, pass);
    }

    /** Adds the timeout abort when it is due; true if it did. */
    private boolean timeoutRule(Draft draft, long elapsedMs) {
        PolicyState s = draft.state;
        long timeoutMs = settings.completionTimeoutMs(s.bytesToTransfer());
        if (s.abortRequested() || s.isUnavailable(EscalationKind.ABORT)
                || !shouldTriggerTimeout(elapsedMs, timeoutMs, s.postcopyStarted())) {
            return false;
        }
        String reason = String.format(Locale.ROOT,
                "not complete after %.1f s, past the completion timeout of %.1f s (%d s per GiB of %.2f GiB, "
                        + "at least %d s): aborting, the guest keeps running on the source",
                elapsedMs / 1000.0, timeoutMs / 1000.0, settings.completionTimeoutSecPerGiB(),
                s.bytesToTransfer() / (double) (1L << 30), settings.completionTimeoutMinSec());
        Action abort = new Action.Abort(reason);
        draft.add(abort, escalation(EscalationKind.ABORT, elapsedMs, s, reason, 0, null));
        draft.state = s.withAbortRequested(true);
        return true;
    }

    private void postcopyRule(Draft draft, long elapsedMs) {
        PolicyState s = draft.state;
        if (s.isUnavailable(EscalationKind.POSTCOPY) || s.iteration() < settings.postcopyAfterIterations()) {
            return;
        }
        String reason = "first full pass over memory done (iteration " + s.iteration() + " >= "
                + settings.postcopyAfterIterations() + "): switching to post-copy";
        draft.add(new Action.StartPostCopy(reason), escalation(EscalationKind.POSTCOPY, elapsedMs, s, reason, 0, null));
        draft.state = s.withPostcopyStarted(true);
    }

    private void autoRule(Draft draft, long elapsedMs) {
        PolicyState s = draft.state;
        if (plan.postcopyFirst() && settings.postcopyAllowed() && postcopyRefusal(s) == null) {
            if (s.iteration() >= settings.postcopyAfterIterations()) {
                String reason = "planned before the start (objective " + plan.objective() + "): " + plan.reason()
                        + "; first full pass over memory done (iteration " + s.iteration() + " >= "
                        + settings.postcopyAfterIterations() + "): switching to post-copy";
                draft.add(new Action.StartPostCopy(reason),
                        escalation(EscalationKind.POSTCOPY, elapsedMs, s, reason, 0, null));
                draft.state = s.withPostcopyStarted(true).withLastEscalation(s.iteration(), elapsedMs);
            }
            return; // the first pass goes on: post-copy follows it, nothing to escalate before
        }
        long allowedMs = s.downtimeMs() > 0 ? s.downtimeMs() : settings.maxDowntimeMs();
        Prediction p = predictor.predict(s.historySinceLastEscalation(), allowedMs);
        draft.prediction = p;
        if (p.verdict() != Verdict.NOT_CONVERGING || !dwellOver(s, elapsedMs)) {
            return;
        }
        Action action = null;
        EscalationKind kind = null;
        long value = 0;
        OptionalLong downtime = s.isUnavailable(EscalationKind.RAISE_DOWNTIME)
                ? OptionalLong.empty() : ladder.next(allowedMs, p.expectedDowntimeMs());
        if (downtime.isPresent()) {
            kind = EscalationKind.RAISE_DOWNTIME;
            value = downtime.getAsLong();
            action = new Action.SetMaxDowntime(value, p.reason() + "; raising the allowed downtime from "
                    + allowedMs + " to " + value + " ms" + (value == ladder.capMs() ? " (the cap)" : ""));
        } else if (settings.throttleAllowed() && !s.isUnavailable(EscalationKind.THROTTLE)
                && s.throttlePercent() + settings.throttleStepPercent() <= settings.maxThrottlePercent()) {
            kind = EscalationKind.THROTTLE;
            value = s.throttlePercent() + settings.throttleStepPercent();
            action = new Action.Throttle((int) value, p.reason() + "; throttling the guest's vCPUs by " + value + "%");
        } else if (settings.postcopyAllowed() && postcopyRefusal(s) == null) {
            kind = EscalationKind.POSTCOPY;
            action = new Action.StartPostCopy(p.reason()
                    + "; switching to post-copy: the guest runs on the destination and pulls the rest");
        } else if (settings.suspendAllowed() && !s.isUnavailable(EscalationKind.SUSPEND)) {
            kind = EscalationKind.SUSPEND;
            action = new Action.SuspendSource(p.reason() + "; pausing the guest on the source to send the rest");
        }
        if (action == null) {
            return; // Nothing left to try: the completion timeout will end it.
        }
        draft.add(action, escalation(kind, elapsedMs, s, action.reason(), value, p));
        PolicyState next = switch (kind) {
            case RAISE_DOWNTIME -> s.withDowntimeMs(value);
            case THROTTLE -> s.withThrottlePercent((int) value);
            case POSTCOPY -> s.withPostcopyStarted(true);
            case SUSPEND -> s.withSuspended(true);
            case ABORT -> throw new IllegalStateException("abort is not an AUTO step");
        };
        draft.state = next.withLastEscalation(s.iteration(), elapsedMs);
    }

    private boolean dwellOver(PolicyState s, long elapsedMs) {
        return s.lastEscalationIteration() < 0
                || s.iteration() - s.lastEscalationIteration() >= settings.escalationDwellIterations()
                && elapsedMs - s.lastEscalationAtMs() >= settings.escalationDwellMs();
    }

    /** Why post-copy cannot be started now, or null if it can. */
    private String postcopyRefusal(PolicyState s) {
        if (!mode.needsPostcopyFlag(settings)) {
            return "the migration was started without the post-copy flag (mode " + mode + ")";
        } else if (s.postcopyStarted()) {
            return "post-copy has already started";
        } else if (s.abortRequested()) {
            return "an abort was requested";
        } else if (s.suspended()) {
            return "the guest is paused on the source";
        } else if (s.isUnavailable(EscalationKind.POSTCOPY)) {
            return "the hypervisor refused post-copy for this migration";
        }
        return null;
    }

    private static EscalationStep escalation(EscalationKind kind, long elapsedMs, PolicyState s, String reason,
            long value, Prediction basis) {
        return new EscalationStep(kind, elapsedMs, s.iteration(), reason, value, basis);
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }

    /** A decision being put together. */
    private static final class Draft {
        PolicyState state;
        final List<Step> steps = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        Prediction prediction;

        Draft(PolicyState state) {
            this.state = state;
        }

        void add(Action action, EscalationStep escalation) {
            steps.add(new Step(action, escalation));
        }

        PolicyDecision build() {
            return new PolicyDecision(state, steps, prediction, notes);
        }
    }
}
