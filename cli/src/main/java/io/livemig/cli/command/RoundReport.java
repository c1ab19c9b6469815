package io.livemig.cli.command;

import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.cli.format.MigrationSummary;
import io.livemig.proto.orchestrator.v1.Migration;
import io.livemig.proto.orchestrator.v1.Move;
import io.livemig.proto.orchestrator.v1.RebalanceResponse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The output of a rebalance or drain round, shared by both commands: the plan, the queued
 * migrations and, with --wait, each one's result.
 */
final class RoundReport {

    private RoundReport() {
    }

    /**
     * Prints the round and (with --wait) follows its migrations one after the other;
     * exit code 1 when one of them failed or was aborted.
     */
    static int print(RebalanceResponse round, boolean dryRun, RoundOptions options, OrchestratorClient client,
            OrchestratorAccess orchestrator) {
        PrintWriter out = orchestrator.out();
        PrintWriter err = orchestrator.err();
        boolean terminal = orchestrator.terminal();
        boolean json = options.json;
        if (!json) {
            out.println(headline(round, dryRun));
            for (Move m : round.getMovesList()) {
                out.println("  " + m.getVm() + ": " + m.getFrom() + " -> " + m.getTo()
                        + (m.getReason().isEmpty() ? "" : " (" + MigrationSummary.oneLine(m.getReason()) + ")"));
            }
            for (String u : round.getUnplacedList()) {
                out.println("  unplaced: " + MigrationSummary.oneLine(u));
            }
            if (!round.getMigrationIdsList().isEmpty()) {
                out.println("migrations: " + String.join(", ", round.getMigrationIdsList()));
            }
            if (!round.getSummary().isEmpty()) {
                out.println(MigrationSummary.oneLine(round.getSummary()));
            }
            out.flush();
        }
        List<Migration> results = new ArrayList<>();
        if (options.await) {
            MigrationFollower follower = new MigrationFollower(client, err, !json, terminal && !json);
            for (String id : round.getMigrationIdsList()) {
                Migration last = follower.follow(id);
                results.add(last);
                if (!json) {
                    out.println(MigrationFormat.summary(last));
                    out.flush();
                }
            }
        }
        if (json) {
            out.println(MigrationFormat.json(json(round, dryRun, results)));
            out.flush();
        }
        return results.stream().anyMatch(m -> ExitCodes.of(m) != ExitCodes.OK)
                ? ExitCodes.MIGRATION_FAILED : ExitCodes.OK;
    }

    private static String headline(RebalanceResponse round, boolean dryRun) {
        String what = round.getRoundId().isEmpty() ? "plan (not recorded)" : "round " + round.getRoundId();
        int n = round.getMovesCount();
        return String.format(Locale.ROOT, "%s%s: spread %.3f -> %.3f, %d %s", what, dryRun ? " (dry run)" : "",
                round.getSpreadBefore(), round.getSpreadAfter(), n, n == 1 ? "move" : "moves");
    }

    static Map<String, Object> json(RebalanceResponse round, boolean dryRun, List<Migration> results) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("round_id", round.getRoundId().isEmpty() ? null : round.getRoundId());
        doc.put("dry_run", dryRun);
        doc.put("spread_before", round.getSpreadBefore());
        doc.put("spread_after", round.getSpreadAfter());
        doc.put("summary", round.getSummary());
        List<Map<String, Object>> moves = new ArrayList<>();
        for (Move m : round.getMovesList()) {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("vm", m.getVm());
            mm.put("from", m.getFrom());
            mm.put("to", m.getTo());
            mm.put("reason", m.getReason());
            mm.put("gain", m.getGain());
            mm.put("estimated_cost_bytes", m.getEstimatedCostBytes());
            moves.add(mm);
        }
        doc.put("moves", moves);
        doc.put("migration_ids", List.copyOf(round.getMigrationIdsList()));
        doc.put("unplaced", List.copyOf(round.getUnplacedList()));
        List<Map<String, Object>> finals = new ArrayList<>();
        results.forEach(m -> finals.add(MigrationFormat.result(m, null)));
        doc.put("results", finals);
        return doc;
    }
}
