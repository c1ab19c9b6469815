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

@Command(name = "abort",
        description = {"Abort an orchestrator migration; the VM stays on the source.",
            "A queued one is aborted at once, a running one through its source agent. Prints the migration's state "
                    + "after the call; a running one ends shortly after ('livemig watch ID' follows it)."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nExamples:", "  livemig abort m-000042", "  livemig abort m-000042 --json"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {"0:Aborted, or the abort was handed to the source agent.",
            "2:Bad usage or input (unknown migration, already ended, no orchestrator configured).",
            "3:The orchestrator or the source agent is unavailable.", ExitCodes.HELP_REFUSED})
final class AbortCommand implements Callable<Integer> {

    /** The orchestrator's client and the writers. */
    @Mixin
    OrchestratorAccess orchestrator;

    /** ID. */
    @Mixin
    MigrationIdParameter migration;

    @Option(names = "--json", description = "Print the migration as one JSON object (as 'migrate --json').")
    boolean json;

    @Override
    public Integer call() throws ConfigException {
        String id = migration.checked();
        OrchestratorClient client = orchestrator.client();
        Migration m = client.abort(id);
        PrintWriter out = orchestrator.out();
        if (json) {
            out.println(MigrationFormat.json(MigrationFormat.result(m, null)));
        } else if (MigrationFormat.isFinal(m.getState())) {
            out.println(m.getId() + " " + MigrationFormat.state(m.getState()) + ": " + m.getVm() + " stays on "
                    + m.getSource());
        } else {
            out.println(m.getId() + " " + MigrationFormat.state(m.getState()) + ": abort requested from "
                    + m.getSource() + "'s agent");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
