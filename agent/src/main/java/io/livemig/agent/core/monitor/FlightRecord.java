package io.livemig.agent.core.monitor;

import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.policy.Action;
import io.livemig.agent.core.policy.CopyPhase;
import io.livemig.agent.core.policy.EscalationStep;
import io.livemig.agent.core.policy.MigrationLifecycle.Transition;
import java.util.List;
import java.util.Objects;

/**
 * An immutable snapshot of a {@link FlightRecorder}: everything seen and done during one
 * migration, oldest first. Times are milliseconds since the migration started.
 *
 * @param samples     every sample taken, with the phase it was taken in
 * @param escalations every escalation that the hypervisor accepted
 * @param actions     every action tried, applied or not
 * @param phases      every phase change
 * @param notes       things worth knowing that are neither (refused requests, unreadable statistics)
 */
public record FlightRecord(
        List<RecordedSample> samples,
        List<EscalationStep> escalations,
        List<ActionRecord> actions,
        List<Transition> phases,
        List<Note> notes) {

    public FlightRecord {
        samples = List.copyOf(samples);
        escalations = List.copyOf(escalations);
        actions = List.copyOf(actions);
        phases = List.copyOf(phases);
        notes = List.copyOf(notes);
    }

    /** One sample and the phase it was taken in. */
    public record RecordedSample(long atElapsedMs, CopyPhase phase, JobSample sample) {
        public RecordedSample {
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(sample, "sample");
        }
    }

    /**
     * One action tried on the job.
     *
     * @param error why the hypervisor refused it, null when it was applied
     */
    public record ActionRecord(long atElapsedMs, Action action, String error) {
        public ActionRecord {
            Objects.requireNonNull(action, "action");
        }

        public boolean applied() {
            return error == null;
        }
    }

    /** A remark with its time. */
    public record Note(long atElapsedMs, String text) {
        public Note {
            Objects.requireNonNull(text, "text");
        }
    }

    /** The actions the hypervisor accepted, in order. */
    public List<Action> appliedActions() {
        return actions.stream().filter(ActionRecord::applied).map(ActionRecord::action).toList();
    }
}
