package io.livemig.agent.core.monitor;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.policy.Action;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.CopyPhase;
import io.livemig.agent.core.policy.MigrationLifecycle;
import io.livemig.agent.core.policy.MigrationPolicy;
import io.livemig.agent.core.policy.PolicyDecision;
import io.livemig.agent.core.policy.PolicyDecision.Step;
import io.livemig.agent.core.policy.PolicySettings;
import io.livemig.agent.core.policy.PolicyState;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Watches and steers one migration until it ends: a thin dispatcher between a
 * {@link MigrationJob} and the pure {@link MigrationPolicy}.
 *
 * <p>The loop: if the job has ended, stop (the end is checked before progress, so a job that
 * failed is never steered); carry out queued operator requests; wait for a change, at most
 * until {@value #MAX_SAMPLE_INTERVAL_MS} ms after the previous sample; check for the end again;
 * take a sample, record it, ask the policy, carry out its actions. So samples come at least every
 * {@value #MAX_SAMPLE_INTERVAL_MS} ms, and at once when the job reports a new iteration.
 *
 * <p>A refused action is recorded and handed back to the policy, which takes back its effect
 * (and, when refused for good, e.g. an UNSUPPORTED throttle, moves on to the next kind of step).
 *
 * <p>{@link #run()} runs on one thread. {@code request*} may be called from any thread: the
 * requests are queued and carried out by the loop, within about {@value #MAX_SAMPLE_INTERVAL_MS} ms.
 */
public final class MigrationMonitor {

    /** The longest time between two samples. */
    public static final long MAX_SAMPLE_INTERVAL_MS = 500;

    private static final String OPERATOR = "requested by the operator";

    private final MigrationJob job;
    private final MigrationPolicy policy;
    private final LongSupplier clockMs;
    private final ProgressListener listener;
    private final FlightRecorder recorder = new FlightRecorder();
    private final MigrationLifecycle lifecycle = new MigrationLifecycle();
    private final Queue<Action> requests = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean started = new AtomicBoolean();

    // Touched by the loop thread only.
    private PolicyState state;
    private boolean destinationLossHandled;
    private long startMs;

    /**
     * @param clockMs  a monotonic clock in milliseconds (see {@link #systemClock()}); tests pass
     *                 the fake job's time
     * @param listener told about progress after each sample
     */
    public MigrationMonitor(MigrationJob job, CopyMode mode, PolicySettings settings, LongSupplier clockMs,
            ProgressListener listener) {
        this(job, new MigrationPolicy(mode, settings), clockMs, listener);
    }

    /** With the policy given, e.g. AUTO with its {@link io.livemig.agent.core.policy.AutoPlan}. */
    public MigrationMonitor(MigrationJob job, MigrationPolicy policy, LongSupplier clockMs, ProgressListener listener) {
        this.job = Objects.requireNonNull(job, "job");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.state = policy.initialState();
    }

    /** Monotonic milliseconds from {@link System#nanoTime()}. */
    public static LongSupplier systemClock() {
        return () -> System.nanoTime() / 1_000_000;
    }

    /**
     * Runs the loop until the job has ended, then reports. Call once.
     *
     * @throws InterruptedException when the thread is interrupted while waiting; the migration goes
     *                              on, and whether to abort it is the caller's decision
     */
    public MonitorReport run() throws InterruptedException {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a migration monitor runs once");
        }
        startMs = clockMs.getAsLong();
        long lastSampleMs = -MAX_SAMPLE_INTERVAL_MS;
        while (!job.isDone()) {
            checkDestination();
            applyRequests();
            long waitMs = Math.max(0, lastSampleMs + MAX_SAMPLE_INTERVAL_MS - elapsedMs());
            job.awaitChange(Duration.ofMillis(waitMs));
            if (job.isDone()) {
                break;
            }
            lastSampleMs = elapsedMs();
            sampleAndDecide(lastSampleMs);
        }
        return finish();
    }

    /** Aborts the migration, unless post-copy has started (then it is refused and noted). */
    public void requestAbort() {
        requestAbort(OPERATOR);
    }

    /** As {@link #requestAbort()}, with who asked for it and why: the record's escalation says so. */
    public void requestAbort(String reason) {
        requests.add(new Action.Abort(reason));
    }

    /** Switches to post-copy, if the migration was started with the post-copy flag. */
    public void requestPostCopy() {
        requests.add(new Action.StartPostCopy(OPERATOR));
    }

    /** Sets the allowed downtime; AUTO escalates from this value afterwards. */
    public void requestMaxDowntime(long downtimeMs) {
        requests.add(new Action.SetMaxDowntime(downtimeMs, OPERATOR));
    }

    /** Sets the bandwidth limit, 0 for unlimited. */
    public void requestBandwidth(long bandwidthMiBps) {
        requests.add(new Action.SetBandwidth(bandwidthMiBps, OPERATOR));
    }

    public CopyPhase phase() {
        return lifecycle.current();
    }

    /** What has been recorded so far; safe from any thread. */
    public FlightRecord flightRecord() {
        return recorder.snapshot();
    }

    private void sampleAndDecide(long nowMs) {
        Optional<JobSample> sample;
        try {
            sample = job.sample();
        } catch (HypervisorException e) {
            recorder.note(nowMs, "statistics unavailable: " + e.getMessage());
            sample = Optional.empty();
        }
        PolicyState before = state;
        if (sample.isEmpty()) {
            state = apply(policy.tick(state, nowMs), before, nowMs);
            return;
        }
        JobSample s = sample.get();
        if (s.jobType().isActive() && lifecycle.current() == CopyPhase.SETUP) {
            move(copyPhase(), nowMs);
        }
        recorder.sample(nowMs, lifecycle.current(), s);
        PolicyDecision decision = policy.decide(state, s, nowMs);
        state = apply(decision, before, nowMs);
        try {
            listener.onProgress(new JobProgress(nowMs, lifecycle.current(), s, decision.prediction(),
                    state.downtimeMs(), state.throttlePercent(), recorder.escalationCount()));
        } catch (RuntimeException e) {
            // A broken listener must not leave a migration unsteered.
            recorder.note(nowMs, "progress listener failed: " + e);
        }
    }

    /**
     * Failures first: once the destination is lost, the migration is aborted (the guest keeps
     * running on the source); after the switch to post-copy the policy refuses that and notes why.
     */
    private void checkDestination() {
        if (destinationLossHandled) {
            return;
        }
        job.destinationLost().ifPresent(why -> {
            destinationLossHandled = true;
            requests.add(new Action.Abort(why));
        });
    }

    private void applyRequests() {
        Action request;
        while ((request = requests.poll()) != null) {
            long nowMs = elapsedMs();
            PolicyState before = state;
            state = apply(policy.onRequest(state, request, nowMs), before, nowMs);
        }
    }

    private PolicyState apply(PolicyDecision decision, PolicyState before, long nowMs) {
        decision.notes().forEach(note -> recorder.note(nowMs, note));
        PolicyState next = decision.next();
        for (Step step : decision.steps()) {
            Action action = step.action();
            try {
                perform(action);
            } catch (HypervisorException e) {
                recorder.action(nowMs, action, e.reason() + ": " + e.getMessage());
                next = policy.afterFailure(before, next, action, e.reason());
                continue;
            }
            recorder.action(nowMs, action, null);
            if (step.escalation() != null) {
                recorder.escalation(step.escalation());
            }
            if (action instanceof Action.StartPostCopy) {
                moveFromCopy(CopyPhase.POSTCOPY, nowMs);
            } else if (action instanceof Action.SuspendSource) {
                moveFromCopy(CopyPhase.SUSPENDED, nowMs);
            }
        }
        return next;
    }

    private void perform(Action action) throws HypervisorException {
        if (action instanceof Action.SetMaxDowntime a) {
            job.setMaxDowntime(a.downtimeMs());
        } else if (action instanceof Action.SetBandwidth a) {
            job.setBandwidth(a.bandwidthMiBps());
        } else if (action instanceof Action.Throttle a) {
            job.throttle(a.percent());
        } else if (action instanceof Action.StartPostCopy) {
            job.startPostCopy();
        } else if (action instanceof Action.SuspendSource) {
            job.suspendSource();
        } else if (action instanceof Action.Abort) {
            job.abort();
        } else {
            throw new IllegalArgumentException("unknown action " + action);
        }
    }

    private MonitorReport finish() {
        MigrationOutcome outcome = job.outcome();
        long nowMs = elapsedMs();
        Action left;
        while ((left = requests.poll()) != null) {
            recorder.note(nowMs, "request not carried out, the migration had ended: " + left);
        }
        move(switch (outcome.status()) {
            case COMPLETED -> CopyPhase.COMPLETED;
            case FAILED -> CopyPhase.FAILED;
            case CANCELLED -> CopyPhase.CANCELLED;
        }, nowMs);
        Technique used = state.postcopyStarted() ? Technique.POSTCOPY
                : state.suspended() ? Technique.SUSPEND
                : policy.mode() == CopyMode.STOPCOPY ? Technique.STOPCOPY
                : Technique.PRECOPY;
        return MonitorReport.of(policy.mode(), used, outcome, nowMs, recorder.snapshot());
    }

    /** Post-copy or suspend asked for before the first sample: the copy phase comes first. */
    private void moveFromCopy(CopyPhase next, long nowMs) {
        if (lifecycle.current() == CopyPhase.SETUP) {
            move(copyPhase(), nowMs);
        }
        move(next, nowMs);
    }

    private void move(CopyPhase next, long nowMs) {
        try {
            recorder.phase(lifecycle.moveTo(next, nowMs));
        } catch (IllegalStateException e) {
            // The hypervisor reported something the table rules out (e.g. cancelled in post-copy):
            // record it rather than stop monitoring a migration that is still under way.
            recorder.note(nowMs, e.getMessage());
        }
    }

    private CopyPhase copyPhase() {
        return policy.mode() == CopyMode.STOPCOPY ? CopyPhase.STOPCOPY : CopyPhase.PRECOPY;
    }

    private long elapsedMs() {
        return clockMs.getAsLong() - startMs;
    }
}
