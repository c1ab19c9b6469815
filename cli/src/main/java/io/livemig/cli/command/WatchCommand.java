package io.livemig.cli.command;

import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.common.config.ConfigException;
import io.livemig.proto.orchestrator.v1.Migration;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "watch",
        description = {"Follow an orchestrator migration to its end and print its result.",
            "It prints what 'migrate' prints after queueing one (progress on a terminal, then the summary line or, "
                    + "with --json, the same object). Ctrl-C only stops watching; 'livemig abort ID' aborts."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nExamples:", "  livemig watch m-000042", "  livemig watch m-000042 --json"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {"0:The migration succeeded.", ExitCodes.HELP_MIGRATION_FAILED,
            "2:Bad usage or input (unknown migration, no orchestrator configured).",
            ExitCodes.HELP_ORCHESTRATOR_UNAVAILABLE, ExitCodes.HELP_REFUSED})
final class WatchCommand implements Callable<Integer> {

    /** The orchestrator's client and the writers. */
    @Mixin
    OrchestratorAccess orchestrator;

    /** ID. */
    @Mixin
    MigrationIdParameter migration;

    @Option(names = "--json", description = "Print one JSON object with the result at the end (as 'migrate --json').")
    boolean json;

    @Override
    public Integer call() throws ConfigException {
        String id = migration.checked();
        OrchestratorClient client = orchestrator.client();
        PrintWriter out = orchestrator.out();
        PrintWriter err = orchestrator.err();
        Migration last = new MigrationFollower(client, err, !json, orchestrator.terminal() && !json).follow(id);
        out.println(json ? MigrationFormat.json(MigrationFormat.result(last, null)) : MigrationFormat.summary(last));
        out.flush();
        return ExitCodes.of(last);
    }
}
