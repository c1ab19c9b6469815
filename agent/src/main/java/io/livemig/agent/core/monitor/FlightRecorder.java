package io.livemig.agent.core.monitor;

import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.monitor.FlightRecord.ActionRecord;
import io.livemig.agent.core.monitor.FlightRecord.Note;
import io.livemig.agent.core.monitor.FlightRecord.RecordedSample;
import io.livemig.agent.core.policy.Action;
import io.livemig.agent.core.policy.CopyPhase;
import io.livemig.agent.core.policy.EscalationStep;
import io.livemig.agent.core.policy.MigrationLifecycle.Transition;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects what happens during one migration. The monitor's loop writes; any thread may take a
 * {@link #snapshot()}. Keeps every sample: at one per 500 ms that is about 7 200 small records an
 * hour, cheap next to what a migration that long costs.
 */
public final class FlightRecorder {

    private final List<RecordedSample> samples = new ArrayList<>();
    private final List<EscalationStep> escalations = new ArrayList<>();
    private final List<ActionRecord> actions = new ArrayList<>();
    private final List<Transition> phases = new ArrayList<>();
    private final List<Note> notes = new ArrayList<>();

    public synchronized void sample(long atElapsedMs, CopyPhase phase, JobSample sample) {
        samples.add(new RecordedSample(atElapsedMs, phase, sample));
    }

    public synchronized void escalation(EscalationStep escalation) {
        escalations.add(escalation);
    }

    /** @param error why it failed, null when it was applied */
    public synchronized void action(long atElapsedMs, Action action, String error) {
        actions.add(new ActionRecord(atElapsedMs, action, error));
    }

    public synchronized void phase(Transition transition) {
        phases.add(transition);
    }

    public synchronized void note(long atElapsedMs, String text) {
        notes.add(new Note(atElapsedMs, text));
    }

    public synchronized int escalationCount() {
        return escalations.size();
    }

    public synchronized FlightRecord snapshot() {
        return new FlightRecord(samples, escalations, actions, phases, notes);
    }
}
