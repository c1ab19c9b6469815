package io.livemig.agent.core.monitor;

import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.monitor.FlightRecord.RecordedSample;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.EscalationStep;
import java.util.List;
import java.util.Objects;

/**
 * How one monitored migration went. Figures libvirt did not report are null.
 *
 * @param status           how it ended
 * @param modeRequested    the mode asked for
 * @param modeUsed         the technique in force at the end (AUTO that switched reports POSTCOPY)
 * @param totalTimeMs      from the start of the job to its end, by libvirt or else the monitor
 * @param downtimeMs       time the guest was paused, measured by the hypervisor
 * @param setupTimeMs      time before the first pass over memory
 * @param bytesTransferred bytes sent, including memory sent more than once
 * @param memoryBytes      guest memory size
 * @param iterations       passes over memory as libvirt counts them
 * @param postcopyRequests pages the destination requested during post-copy
 * @param error            why it failed or was cancelled, null on success
 * @param monitoredMs      how long the monitor ran, by its own clock
 * @param flight           samples, escalations, actions, phase changes and notes
 */
public record MonitorReport(
        OutcomeStatus status,
        CopyMode modeRequested,
        Technique modeUsed,
        long totalTimeMs,
        Long downtimeMs,
        Long setupTimeMs,
        Long bytesTransferred,
        Long memoryBytes,
        Long iterations,
        Long postcopyRequests,
        String error,
        long monitoredMs,
        FlightRecord flight) {

    public MonitorReport {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(modeRequested, "modeRequested");
        Objects.requireNonNull(modeUsed, "modeUsed");
        Objects.requireNonNull(flight, "flight");
    }

    static MonitorReport of(CopyMode requested, Technique used, MigrationOutcome result, long monitoredMs,
            FlightRecord flight) {
        return new MonitorReport(result.status(), requested, used, result.totalTimeMs(), result.downtimeMs(),
                result.setupTimeMs(), result.bytesTransferred(), result.memoryBytes(), result.iterations(),
                result.postcopyRequests(), result.error(), monitoredMs, flight);
    }

    public List<EscalationStep> escalations() {
        return flight.escalations();
    }

    public List<RecordedSample> samples() {
        return flight.samples();
    }

    public boolean succeeded() {
        return status == OutcomeStatus.COMPLETED;
    }
}
