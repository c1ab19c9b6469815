package io.livemig.cli.command;

import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.cli.format.MigrationSummary;
import io.livemig.proto.orchestrator.v1.Migration;
import io.livemig.proto.orchestrator.v1.MigrationState;
import io.livemig.proto.orchestrator.v1.MigrationUpdate;
import java.io.PrintWriter;

/**
 * Follows an orchestrator migration to its end (Watch), telling people on stderr why it waits
 * while queued and, on a terminal, drawing the agent's progress line as direct mode does; and,
 * whatever the output, warning on stderr when the orchestrator could not write the end to its
 * history.
 */
final class MigrationFollower {

    private final OrchestratorClient client;
    private final PrintWriter err;
    private final boolean talk;
    private final boolean draw;

    /**
     * @param talk print "queued: ..." lines (not with --json)
     * @param draw draw the progress line in place (stderr is a terminal, not with --json)
     */
    MigrationFollower(OrchestratorClient client, PrintWriter err, boolean talk, boolean draw) {
        this.client = client;
        this.err = err;
        this.talk = talk;
        this.draw = draw;
    }

    /** The migration's final record; its warning, if any, is printed already. */
    Migration follow(String id) {
        String[] lastWaiting = {""};
        boolean[] drawn = {false};
        Migration last = client.watch(id, (MigrationUpdate update) -> {
            Migration m = update.getMigration();
            if (talk && m.getState() == MigrationState.MIGRATION_STATE_PLANNED && !m.getWaitingFor().isEmpty()
                    && !m.getWaitingFor().equals(lastWaiting[0])) {
                lastWaiting[0] = m.getWaitingFor();
                err.println("queued: " + m.getWaitingFor());
                err.flush();
            }
            if (draw && m.getState() == MigrationState.MIGRATION_STATE_RUNNING && update.hasProgress()
                    && update.getProgress().hasSnapshot() && !update.getProgress().hasResult()) {
                err.print("\r" + MigrationFormat.progressLine(update.getProgress().getSnapshot()) + "   ");
                err.flush();
                drawn[0] = true;
            }
        });
        if (drawn[0]) {
            err.println();
            err.flush();
        }
        warn(err, last);
        return last;
    }

    /**
     * One line on stderr when this version of the record is not in the orchestrator's history yet
     * (its disk full...): the result stands, and the exit code is the migration's.
     */
    static void warn(PrintWriter err, Migration m) {
        if (!m.getWarning().isEmpty()) {
            err.println("livemig: warning: migration " + m.getId() + ": " + MigrationSummary.oneLine(m.getWarning()));
            err.flush();
        }
    }
}
