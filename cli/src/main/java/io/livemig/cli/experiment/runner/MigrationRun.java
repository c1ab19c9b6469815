package io.livemig.cli.experiment.runner;

import io.livemig.cli.experiment.RunResult;
import java.util.List;

/** What one migration reported, whichever way it ran. */
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
        String error) {

    static MigrationRun failed(String mode, String error) {
        return new MigrationRun("failed", mode, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(), error);
    }
}
