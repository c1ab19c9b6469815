package io.livemig.cli.command;

import io.livemig.cli.client.OrchestratorClient;
import io.livemig.common.config.ConfigException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "drain",
        description = {"Empty a host through the orchestrator.",
            "Marks it draining (no VM may arrive) and queues the moves of all its VMs to the hosts placement "
                    + "chooses. --dry-run only plans (and records) the moves. 'livemig host-state HOST up' takes "
                    + "it back."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nJSON: as 'livemig rebalance --json'; unplaced lists the VMs no host can take,",
            "with the reason.",
            "%nExamples:", "  livemig drain lab-a --dry-run", "  livemig drain lab-a --wait"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {RoundOptions.HELP_PLANNED, RoundOptions.HELP_WAIT_FAILED,
            "2:Bad usage or input (unknown host, no orchestrator configured).",
            ExitCodes.HELP_ORCHESTRATOR_UNAVAILABLE, ExitCodes.HELP_REFUSED})
final class DrainCommand implements Callable<Integer> {

    /** The orchestrator's client and the writers. */
    @Mixin
    OrchestratorAccess orchestrator;

    @Parameters(index = "0", paramLabel = "HOST", description = "The host to empty, by its name in the cluster file.")
    String host;

    @Option(names = "--dry-run", description = "Plan and record the moves; change nothing.")
    boolean dryRun;

    /** --wait, --json. */
    @Mixin
    RoundOptions round;

    @Override
    public Integer call() throws ConfigException {
        OrchestratorClient client = orchestrator.client();
        return RoundReport.print(client.drain(host, dryRun), dryRun, round, client, orchestrator);
    }
}
