package io.livemig.cli.command;

import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.client.ProtoChoices;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.common.config.ConfigException;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.proto.orchestrator.v1.HistoryRequest;
import io.livemig.proto.orchestrator.v1.HistoryResponse;
import io.livemig.proto.orchestrator.v1.Migration;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "history", description = "The orchestrator's migrations, newest first, from its durable history.",
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nJSON: {migrations: [{id, vm, source, target, mode_requested, state, origin,",
            "reason, agent_migration_id, requested_at_ms, started_at_ms, ended_at_ms,",
            "mode_used, total_ms, downtime_ms, setup_ms, memory_bytes, bytes_transferred,",
            "iterations, postcopy_requests, escalations, error, waiting_for, phases,",
            "warning}]}; times in ms since the epoch, null when not reached. A migration",
            "the orchestrator could not write to its history yet (its disk full) is shown",
            "as it knows it, with a warning line on stderr.",
            "%nExamples:", "  livemig history", "  livemig history --vm web1 --state failed --limit 5 --json"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_ORCHESTRATOR_USAGE,
            ExitCodes.HELP_ORCHESTRATOR_UNAVAILABLE, ExitCodes.HELP_REFUSED})
final class HistoryCommand implements Callable<Integer> {

    /** The orchestrator's client and the writers. */
    @Mixin
    OrchestratorAccess orchestrator;

    @Option(names = "--vm", paramLabel = "VM", description = "Only this VM's migrations.")
    String vm;

    @Option(names = "--host", paramLabel = "HOST", description = "Only migrations from or to this host.")
    String host;

    @Option(names = "--state", paramLabel = "STATE", converter = HistoryStateOption.class,
            completionCandidates = HistoryStateOption.class,
            description = "Only migrations in this state: requested, planned, running, succeeded, failed or aborted.")
    RecordState state;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N migrations (${bundle:range.limit}, default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print JSON (see below).")
    boolean json;

    @Override
    public Integer call() throws ConfigException {
        OptionRanges.check(OptionRanges.LIMIT, limit);
        OrchestratorClient client = orchestrator.client();
        HistoryRequest.Builder request = HistoryRequest.newBuilder().setLimit(limit);
        if (vm != null) {
            request.setVm(vm);
        }
        if (host != null) {
            request.setHost(host);
        }
        if (state != null) {
            request.setState(ProtoChoices.of(state));
        }
        HistoryResponse response = client.history(request.build());
        PrintWriter out = orchestrator.out();
        if (json) {
            List<Map<String, Object>> migrations = new ArrayList<>();
            response.getMigrationsList().forEach(m -> migrations.add(MigrationFormat.fields(m)));
            out.println(MigrationFormat.json(Map.of("migrations", migrations)));
        } else {
            String format = "%-9s %-16s %-10s %-10s %-9s %-18s %9s %9s %-18s %s%n";
            out.printf(format, "ID", "VM", "SOURCE", "TARGET", "STATE", "MODE", "TOTAL", "DOWNTIME", "ORIGIN", "ERROR");
            for (Migration m : response.getMigrationsList()) {
                boolean ran = !m.getModeUsed().isEmpty();
                out.printf(format, m.getId(), m.getVm(), m.getSource(), m.getTarget(), MigrationFormat.state(m.getState()),
                        m.getModeRequested() + "/" + (ran ? m.getModeUsed() : "-"),
                        ran ? m.getTotalMs() + " ms" : "-", ran ? m.getDowntimeMs() + " ms" : "-", m.getOrigin(),
                        MigrationFormat.shorten(m.getError(), 60));
            }
        }
        out.flush();
        response.getMigrationsList().forEach(m -> MigrationFollower.warn(orchestrator.err(), m));
        return ExitCodes.OK;
    }
}
