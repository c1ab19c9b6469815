package io.livemig.agent.core.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the policy remembers between two samples. Immutable: {@link MigrationPolicy} returns the
 * next state with each decision.
 *
 * @param initialized             the initial settings have been sent
 * @param bytesToTransfer         the most the job has reported to transfer (memory, plus disks
 *                                when they are copied), 0 while unknown; scales the timeout
 * @param iteration               the last memory iteration seen, -1 before the first
 * @param history                 the latest iterations, oldest first, at most {@link #HISTORY_LIMIT}
 * @param downtimeMs              the allowed downtime last set, 0 before it was set
 * @param bandwidthMiBps          the bandwidth limit last set (0 = unlimited), -1 before it was set
 * @param throttlePercent         the CPU throttle last set
 * @param postcopyStarted         post-copy was requested; from then on the guest runs on the
 *                                destination and the migration cannot be aborted
 * @param suspended               the guest was paused on the source
 * @param abortRequested          an abort was sent
 * @param unavailable             kinds the hypervisor refused for good (UNSUPPORTED or an invalid
 *                                request); AUTO skips them
 * @param lastEscalationIteration iteration of the last AUTO escalation, -1 before the first
 * @param lastEscalationAtMs      time of the last AUTO escalation, -1 before the first
 */
public record PolicyState(
        boolean initialized,
        long bytesToTransfer,
        long iteration,
        List<IterationStats> history,
        long downtimeMs,
        long bandwidthMiBps,
        int throttlePercent,
        boolean postcopyStarted,
        boolean suspended,
        boolean abortRequested,
        Set<EscalationKind> unavailable,
        long lastEscalationIteration,
        long lastEscalationAtMs) {

    /** Enough for the predictor's window with room to spare; older passes say nothing about now. */
    public static final int HISTORY_LIMIT = 16;

    public PolicyState {
        history = List.copyOf(history);
        unavailable = unavailable.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(unavailable));
    }

    public static PolicyState initial() {
        return new PolicyState(false, 0, -1, List.of(), 0, -1, 0, false, false, false, Set.of(), -1, -1);
    }

    /** The iterations seen since the last escalation: the ones that show its effect. */
    public List<IterationStats> historySinceLastEscalation() {
        return history.stream().filter(s -> s.iteration() > lastEscalationIteration).toList();
    }

    public boolean isUnavailable(EscalationKind kind) {
        return unavailable.contains(kind);
    }

    /** True once the migration is past the point where steering can change anything. */
    public boolean isFinalStepTaken() {
        return postcopyStarted || suspended || abortRequested;
    }

    PolicyState withInitialized() {
        return new PolicyState(true, bytesToTransfer, iteration, history, downtimeMs, bandwidthMiBps,
                throttlePercent, postcopyStarted, suspended, abortRequested, unavailable, lastEscalationIteration,
                lastEscalationAtMs);
    }

    PolicyState withObservation(long newBytesToTransfer, long newIteration, IterationStats newPass) {
        List<IterationStats> newHistory = history;
        if (newPass != null) {
            List<IterationStats> grown = new ArrayList<>(history);
            grown.add(newPass);
            newHistory = grown.subList(Math.max(0, grown.size() - HISTORY_LIMIT), grown.size());
        }
        return new PolicyState(initialized, newBytesToTransfer, newIteration, newHistory, downtimeMs, bandwidthMiBps,
                throttlePercent, postcopyStarted, suspended, abortRequested, unavailable, lastEscalationIteration,
                lastEscalationAtMs);
    }

    PolicyState withDowntimeMs(long value) {
        return new PolicyState(initialized, bytesToTransfer, iteration, history, value, bandwidthMiBps,
                throttlePercent, postcopyStarted, suspended, abortRequested, unavailable, lastEscalationIteration,
                lastEscalationAtMs);
    }

    PolicyState withBandwidthMiBps(long value) {
        return new PolicyState(initialized, bytesToTransfer, iteration, history, downtimeMs, value,
                throttlePercent, postcopyStarted, suspended, abortRequested, unavailable, lastEscalationIteration,
                lastEscalationAtMs);
    }

    PolicyState withThrottlePercent(int value) {
        return new PolicyState(initialized, bytesToTransfer, iteration, history, downtimeMs, bandwidthMiBps,
                value, postcopyStarted, suspended, abortRequested, unavailable, lastEscalationIteration,
                lastEscalationAtMs);
    }

    PolicyState withPostcopyStarted(boolean value) {
        return new PolicyState(initialized, bytesToTransfer, iteration, history, downtimeMs, bandwidthMiBps,
                throttlePercent, value, suspended, abortRequested, unavailable, lastEscalationIteration,
                lastEscalationAtMs);
    }

    PolicyState withSuspended(boolean value) {
        return new PolicyState(initialized, bytesToTransfer, iteration, history, downtimeMs, bandwidthMiBps,
                throttlePercent, postcopyStarted, value, abortRequested, unavailable, lastEscalationIteration,
                lastEscalationAtMs);
    }

    PolicyState withAbortRequested(boolean value) {
        return new PolicyState(initialized, bytesToTransfer, iteration, history, downtimeMs, bandwidthMiBps,
                throttlePercent, postcopyStarted, suspended, value, unavailable, lastEscalationIteration,
                lastEscalationAtMs);
    }

    PolicyState withUnavailable(EscalationKind kind) {
        EnumSet<EscalationKind> set = EnumSet.noneOf(EscalationKind.class);
        set.addAll(unavailable);
        set.add(Objects.requireNonNull(kind));
        return new PolicyState(initialized, bytesToTransfer, iteration, history, downtimeMs, bandwidthMiBps,
                throttlePercent, postcopyStarted, suspended, abortRequested, set, lastEscalationIteration,
                lastEscalationAtMs);
    }

    PolicyState withLastEscalation(long atIteration, long atMs) {
        return new PolicyState(initialized, bytesToTransfer, iteration, history, downtimeMs, bandwidthMiBps,
                throttlePercent, postcopyStarted, suspended, abortRequested, unavailable, atIteration, atMs);
    }
}
