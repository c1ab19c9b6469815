package io.livemig.cli.command;

import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.OrchestratorClient;
import io.livemig.common.config.ConfigException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

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

    private final AgentChannels channels;
    private final boolean terminal;

    @Spec
    CommandSpec spec;

    @ParentCommand
    LivemigCommand root;

    @Parameters(index = "0", paramLabel = "HOST", description = "The host to empty, by its name in the cluster file.")
    String host;

    @Option(names = "--dry-run", description = "Plan and record the moves; change nothing.")
    boolean dryRun;

    /** --wait, --json. */
    @Mixin
    RoundOptions round;

    DrainCommand(AgentChannels channels, boolean terminal) {
        this.channels = channels;
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws ConfigException {
        OrchestratorClient client = root.requireOrchestrator(channels, "drain");
        return RoundReport.print(client.drain(host, dryRun), dryRun, round, terminal, client, spec.commandLine());
    }
}
