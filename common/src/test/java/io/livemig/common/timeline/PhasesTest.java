package io.livemig.common.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PhasesTest {

    private static Phase orch(String name, long start, long duration) {
        return new Phase(name, "orchestrator", start, duration);
    }

    private static Phase agent(String name, long start, long duration) {
        return new Phase(name, "agent", start, duration);
    }

    @Test
    void theAgentsPhasesReplaceItsSpanAndTheRestIsNamed() {
        List<Phase> outer = List.of(orch("request", 0, 2), orch("placement", 2, 10), orch("agent", 12, 5000),
                orch("result", 5012, 30));
        List<Phase> inner = List.of(agent("vm_check", 0, 5), agent("target_prepare", 5, 400), agent("job", 405, 4500));

        List<Phase> joined = Phases.splice(outer, "agent", inner, "agent_calls");

        assertEquals(List.of(orch("request", 0, 2), orch("placement", 2, 10), agent("vm_check", 12, 5),
                agent("target_prepare", 17, 400), agent("job", 417, 4500), orch("agent_calls", 4917, 95),
                orch("result", 5012, 30)), joined);
        assertEquals(Phases.totalMs(outer), Phases.totalMs(joined), "the sum stays the orchestrator's");
    }

    @Test
    void innerPhasesLongerThanTheSpanLeaveNoNegativeRest() {
        List<Phase> joined = Phases.splice(List.of(orch("agent", 0, 100)), "agent", List.of(agent("job", 0, 103)),
                "agent_calls");

        assertEquals(List.of(agent("job", 0, 103), orch("agent_calls", 103, 0)), joined);
    }

    @Test
    void withoutThePlaceholderNothingChanges() {
        List<Phase> outer = List.of(orch("request", 0, 2), orch("placement", 2, 10));

        assertEquals(outer, Phases.splice(outer, "agent", List.of(agent("job", 0, 1)), "agent_calls"));
    }

    @Test
    void endToEndKeepsDurationsAndOrder() {
        List<Phase> laid = Phases.endToEnd(List.of(new Phase("client_start", "cli", 0, 900), orch("request", 0, 2),
                new Phase("rpc", "cli", 77, 40)));

        assertEquals(List.of(new Phase("client_start", "cli", 0, 900), orch("request", 900, 2),
                new Phase("rpc", "cli", 902, 40)), laid);
    }

    @Test
    void aCallerSeesItsOwnPhasesThenTheCalleesThenWhatItWaitedBeyondThem() {
        List<Phase> callee = List.of(orch("request", 0, 2), agent("job", 2, 4000), orch("result", 4002, 30));

        List<Phase> seen = Phases.seenFrom(List.of(new Phase("client_start", "cli", 0, 850)), callee, 4300, "rpc",
                "cli");

        assertEquals(List.of(new Phase("client_start", "cli", 0, 850), orch("request", 850, 2), agent("job", 852, 4000),
                orch("result", 4852, 30), new Phase("rpc", "cli", 4882, 268)), seen);
        assertEquals(850 + 4300, Phases.totalMs(seen), "the caller's own time and its wait, nothing more");
    }

    @Test
    void splitTakesTheHeadAndKeepsTheRest() {
        List<Phase> phases = List.of(agent("target_prepare", 0, 400), agent("job", 400, 2000), agent("finish", 2400, 9));

        assertEquals(List.of(agent("target_prepare", 0, 400), agent("job_setup", 400, 120), agent("job", 520, 1880),
                agent("finish", 2400, 9)), Phases.split(phases, "job", "job_setup", 120, "job"));
        assertEquals(agent("job_setup", 400, 2000), Phases.split(phases, "job", "job_setup", 9999, "job").get(1),
                "a head longer than the phase takes all of it");
    }

    @Test
    void splitLastTakesTheTailAndKeepsTheHead() {
        List<Phase> phases = List.of(agent("job_setup", 0, 100), agent("job", 100, 2000), agent("finish", 2100, 9));

        assertEquals(List.of(agent("job_setup", 0, 100), agent("job", 100, 400), agent("source_cleanup", 500, 1600),
                agent("finish", 2100, 9)), Phases.splitLast(phases, "job", "job", 1600, "source_cleanup"));
        assertEquals(List.of(agent("job", 100, 0), agent("source_cleanup", 100, 2000)),
                Phases.splitLast(phases, "job", "job", 9999, "source_cleanup").subList(1, 3),
                "a tail longer than the phase takes all of it");
    }
}
