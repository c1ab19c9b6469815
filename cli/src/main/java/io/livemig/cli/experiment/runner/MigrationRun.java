package io.livemig.cli.experiment.runner;

import io.livemig.cli.experiment.RunResult;
import java.util.List;

/**
 * What one migration reported, whichever way it ran, and how it was asked for ({@code command},
 * {@code downtimeCommand}, {@code maxDowntimeApplied}, {@code bytesField}: see {@link RunResult}).
 */
record MigrationRun(
        String status,
        String modeUsed,
        long totalMs,
        long downtimeMs,
        long setupMs,
        long bytesTransferred,
        long memoryBytes,
        long iterations,
        long postcopyRequests,
        List<RunResult.Sample> samples,
        List<String> escalations,
        String error,
        List<String> command,
        List<String> downtimeCommand,
        String maxDowntimeApplied,
        String bytesField) {

    static MigrationRun failed(String mode, String error) {
        return failed(mode, error, List.of(), List.of(), "");
    }

    /** Failed after {@code command} was (or was about to be) run. */
    static MigrationRun failed(String mode, String error, List<String> command, List<String> downtimeCommand,
            String maxDowntimeApplied) {
        return new MigrationRun("failed", mode, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(), error, command,
                downtimeCommand, maxDowntimeApplied, "");
    }
}
