package io.livemig.agent.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.policy.Action;
import io.livemig.agent.core.policy.CopyPhase;
import io.livemig.agent.core.policy.EscalationKind;
import io.livemig.agent.core.policy.EscalationStep;
import io.livemig.agent.core.policy.MigrationLifecycle.Transition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlightRecorderTest {

    @Test
    void snapshotsDoNotChangeAfterwards() {
        FlightRecorder recorder = new FlightRecorder();
        recorder.sample(10, CopyPhase.PRECOPY, JobStats.sample(2, Map.of("memory_iteration", 1L)));
        recorder.action(10, new Action.SetMaxDowntime(300, "initial"), null);
        FlightRecord before = recorder.snapshot();

        recorder.sample(510, CopyPhase.PRECOPY, JobStats.sample(2, Map.of("memory_iteration", 2L)));
        recorder.action(510, new Action.Throttle(20, "r"), "UNSUPPORTED: no");
        recorder.escalation(new EscalationStep(EscalationKind.THROTTLE, 510, 2, "r", 20, null));
        recorder.phase(new Transition(CopyPhase.SETUP, CopyPhase.PRECOPY, 10));
        recorder.note(510, "n");

        assertEquals(1, before.samples().size());
        assertEquals(1, before.actions().size());
        assertEquals(List.of(), before.escalations());
        FlightRecord after = recorder.snapshot();
        assertEquals(2, after.samples().size());
        assertEquals(1, recorder.escalationCount());
        assertEquals(1, after.phases().size());
        assertEquals(1, after.notes().size());
        assertEquals(List.of(new Action.SetMaxDowntime(300, "initial")), after.appliedActions());
        assertFalse(after.actions().get(1).applied());
        assertTrue(after.actions().get(0).applied());
        assertThrows(UnsupportedOperationException.class, () -> after.samples().clear());
    }
}
