package io.livemig.cli.command;

import picocli.CommandLine.Option;

/**
 * --wait and --json of the commands that ask the orchestrator for a round of moves (rebalance,
 * drain): both print the round the same way ({@link RoundReport}), so they take the same options.
 */
final class RoundOptions {

    /** The exit codes both list in their help, before the usage line that differs. */
    static final String HELP_PLANNED = "0:Planned, or queued (with --wait: every migration succeeded).";
    static final String HELP_WAIT_FAILED = "1:With --wait: at least one migration failed or was aborted.";

    @Option(names = "--wait",
            description = "Follow every queued migration to its end. Ctrl-C only stops waiting; the migrations go on.")
    boolean await;

    @Option(names = "--json", description = "Print one JSON object (see below).")
    boolean json;
}
