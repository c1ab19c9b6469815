package io.livemig.cli.command;

import io.livemig.orchestrator.workflow.RecordState;
import java.util.List;

/** history --state: requested, planned, running, succeeded, failed or aborted, the orchestrator's {@link RecordState}. */
final class HistoryStateOption extends EnumOption<RecordState> {

    HistoryStateOption() {
        super(List.of(RecordState.REQUESTED, RecordState.PLANNED, RecordState.RUNNING, RecordState.SUCCEEDED,
                RecordState.FAILED, RecordState.ABORTED));
    }
}
