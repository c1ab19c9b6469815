package io.livemig.orchestrator.service;

import io.livemig.orchestrator.model.AgentProgress;
import io.livemig.orchestrator.model.AgentResult;
import io.livemig.orchestrator.workflow.AgentOutcome;
import io.livemig.orchestrator.workflow.Figures;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What a source agent reports at a migration's end, as the history keeps it. */
final class AgentReports {

    private AgentReports() {
    }

    /** An end the agent reports; one it cannot name (still "running" in a result) counts as failed. */
    static RecordState endState(RecordState reported) {
        return reported == RecordState.SUCCEEDED || reported == RecordState.ABORTED ? reported : RecordState.FAILED;
    }

    static Figures figures(AgentResult r) {
        List<String> escalations = r.escalations().stream()
                .map(e -> String.format(Locale.ROOT, "%.1f s %s %s: %s", e.atMs() / 1000.0, e.kind(),
                        e.value(), e.reason()))
                .toList();
        return new Figures(r.totalMs(), r.downtimeMs(), r.setupMs(), r.memoryBytes(),
                r.bytesTransferred(), (int) r.iterations(), (int) r.postcopyRequests(),
                Optional.of(r.modeUsed() == null ? TransferMode.AUTO : r.modeUsed()), escalations, r.phases());
    }

    /** What the reconciler needs of what the agent still knows. */
    static AgentOutcome outcome(AgentProgress p) {
        if (p.running()) {
            return AgentOutcome.running();
        }
        AgentResult r = p.result();
        String status = switch (endState(r.state())) {
            case SUCCEEDED -> "succeeded";
            case ABORTED -> "aborted";
            default -> "failed";
        };
        return new AgentOutcome(status, figures(r), r.error());
    }
}
