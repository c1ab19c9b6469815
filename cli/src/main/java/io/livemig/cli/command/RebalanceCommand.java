package io.livemig.cli.command;

import io.livemig.cli.client.OrchestratorClient;
import io.livemig.common.config.ConfigException;
import io.livemig.proto.orchestrator.v1.RebalanceResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "rebalance",
        description = {"Ask the orchestrator for a rebalance round.",
            "It plans moves that lower the load spread (the standard deviation of host loads), records the round and "
                    + "queues the moves as migrations. --dry-run records the plan and moves nothing; --plan only "
                    + "shows it (nothing recorded)."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nJSON: {round_id, dry_run, spread_before, spread_after, summary, moves: [{vm,",
            "from, to, reason, gain, estimated_cost_bytes}], migration_ids, unplaced,",
            "results}; results holds, with --wait, each migration's final object (as",
            "'migrate --json'), and is empty otherwise.",
            "%nExamples:", "  livemig rebalance --dry-run", "  livemig rebalance --wait", "  livemig rebalance --json"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {RoundOptions.HELP_PLANNED, RoundOptions.HELP_WAIT_FAILED,
            ExitCodes.HELP_ORCHESTRATOR_USAGE, ExitCodes.HELP_ORCHESTRATOR_UNAVAILABLE, ExitCodes.HELP_REFUSED})
final class RebalanceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** The orchestrator's client and the writers. */
    @Mixin
    OrchestratorAccess orchestrator;

    @Option(names = "--dry-run", description = "Plan and record the round, move nothing.")
    boolean dryRun;

    @Option(names = "--plan", description = "Only show the plan for the current loads; nothing is recorded or moved.")
    boolean planOnly;

    /** --wait, --json. */
    @Mixin
    RoundOptions round;

    @Override
    public Integer call() throws ConfigException {
        if (planOnly && (dryRun || round.await)) {
            throw new ParameterException(spec.commandLine(), "--plan cannot be combined with --dry-run or --wait");
        }
        OrchestratorClient client = orchestrator.client();
        RebalanceResponse response = planOnly ? client.planRebalance() : client.rebalance(dryRun);
        return RoundReport.print(response, dryRun || planOnly, round, client, orchestrator);
    }
}
