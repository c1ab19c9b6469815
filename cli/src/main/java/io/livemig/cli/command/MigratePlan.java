package io.livemig.cli.command;

import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.cli.format.MigrationSummary;
import io.livemig.cli.format.Units;
import io.livemig.common.config.HostConfig;
import io.livemig.common.predict.Objective;
import io.livemig.common.predict.Preflight;
import io.livemig.orchestrator.grpc.PlanMessages;
import io.livemig.proto.agent.v1.Compression;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.proto.orchestrator.v1.ModeCost;
import io.livemig.proto.orchestrator.v1.PlanInput;
import io.livemig.proto.orchestrator.v1.PlanRequest;
import io.livemig.proto.orchestrator.v1.PlanResponse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code livemig migrate VM --plan}: pre-flight advice, moving nothing. Through an orchestrator
 * it asks its Plan call; straight against the agents it reads the VM from its source agent and
 * the links from the cluster file, and runs the same predictor here.
 */
final class MigratePlan {

    private MigratePlan() {}

    /** "safe" or "fastest"; anything else is refused in one line. */
    static Objective objective(String name) {
        if (name == null) {
            return Objective.DEFAULT;
        }
        return switch (name) {
            case "safe" -> Objective.SAFE;
            case "fastest" -> Objective.FASTEST;
            default -> throw new IllegalArgumentException("unknown objective '" + name + "'; valid: safe, fastest");
        };
    }

    /** Through the orchestrator: the same resolution (and refusals) as a migration request. */
    static PlanResponse throughOrchestrator(OrchestratorClient client, String vm, String target,
            MigrationOptions options, Objective objective) {
        return client.plan(PlanRequest.newBuilder().setVm(vm).setTarget(target == null ? "" : target)
                .setOptions(options).setObjective(PlanMessages.objective(objective)).build());
    }

    /** Straight against the agents: {@code route} is where the VM runs and goes, as migrate finds them. */
    static PlanResponse direct(AgentRoute route, String vmName, MigrationOptions options, Objective objective) {
        HostConfig source = route.source();
        HostConfig target = route.target();
        Vm vm = route.vm();
        Preflight.Facts facts = new Preflight.Facts(vm.getMemoryBytes(), vm.getDirtyRateBytesPerS(),
                OptionalLong.empty(), source.name(), source.linkMiBps(), target.name(), target.linkMiBps(),
                OptionalLong.empty(),
                vm.getRamHeldBytes() > 0 ? OptionalLong.of(vm.getRamHeldBytes()) : OptionalLong.empty());
        Preflight.Options asked = new Preflight.Options(options.getMaxDowntimeMs(), options.getBandwidthMibps(),
                options.getCompression() == Compression.COMPRESSION_XBZRLE
                        || options.getCompression() == Compression.COMPRESSION_ZSTD,
                options.getParallelConnections(), options.getDisallowPostcopy(), options.getDisallowSuspend());
        return PlanMessages.response(vmName, source.name(), target.name(), null,
                Preflight.advise(facts, asked, objective));
    }

    /** The table and the recommendation, or with {@code json} one object; exit 0. */
    static int print(PlanResponse p, boolean json, PrintWriter out) {
        if (json) {
            Map<String, Object> document = MigrationFormat.fields(p);
            if (!p.hasDecision()) {
                document.put("decision", null);
            }
            out.println(MigrationFormat.json(document));
        } else {
            out.print(table(p));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** What {@code migrate --plan} prints. */
    static String table(PlanResponse p) {
        StringBuilder b = new StringBuilder();
        String nl = System.lineSeparator();
        b.append("plan for ").append(p.getVm()).append(": ").append(p.getSource()).append(" -> ")
                .append(p.getTarget()).append(" (nothing moved)").append(nl);
        if (p.hasDecision() && !p.getDecision().getExplanation().isEmpty()) {
            b.append("target: ").append(MigrationSummary.oneLine(p.getDecision().getExplanation())).append(nl);
        }
        long allowed = allowedDowntime(p);
        b.append(String.format(Locale.ROOT, "%-14s %9s %10s %11s %6s  %s%n", "MODE", "TOTAL", "DOWNTIME", "BYTES",
                "PASSES", "CONVERGES"));
        for (ModeCost m : p.getModesList()) {
            String converges = !m.getConverges() ? "no"
                    : m.getWithinDowntime() ? "yes" : "yes, pause over " + allowed + " ms";
            if (m.getMode() == MigrationMode.MIGRATION_MODE_AUTO && m.getEndsAs() != MigrationMode.MIGRATION_MODE_PRECOPY) {
                converges += " (ends as " + name(m.getEndsAs()) + ")";
            }
            b.append(String.format(Locale.ROOT, "%-14s %9s %10s %11s %6d  %s%n", name(m.getMode()),
                    String.format(Locale.ROOT, "%.1f s", m.getTotalMs() / 1000.0), m.getDowntimeMs() + " ms",
                    Units.size(m.getBytes()), m.getPasses(), converges));
        }
        p.getModesList().stream().filter(m -> m.getMode() == MigrationMode.MIGRATION_MODE_AUTO && m.getStepsCount() > 0)
                .findFirst().ifPresent(m -> b.append("auto's steps: ").append(String.join("; ", m.getStepsList()))
                        .append(nl));
        b.append("recommended: ").append(name(p.getRecommended())).append(" (objective ")
                .append(MigrationFormat.enumName(p.getObjective().getValueDescriptor())).append("): ")
                .append(p.getReason()).append(nl);
        List<String> inputs = new ArrayList<>();
        List<String> estimated = new ArrayList<>();
        for (PlanInput i : p.getInputsList()) {
            inputs.add(i.getName().replace('_', ' ') + " " + value(i) + (i.getEstimated() ? "*" : ""));
            if (i.getEstimated()) {
                estimated.add(i.getName().replace('_', ' ') + ": " + i.getHow());
            }
        }
        b.append("inputs: ").append(String.join(", ", inputs)).append(nl);
        if (!estimated.isEmpty()) {
            b.append("* estimated: ").append(String.join("; ", estimated)).append(nl);
        }
        return b.toString();
    }

    private static long allowedDowntime(PlanResponse p) {
        return p.getInputsList().stream().filter(i -> i.getName().equals("allowed_downtime"))
                .mapToLong(i -> Math.round(i.getValue())).findFirst().orElse(0);
    }

    private static String value(PlanInput i) {
        return switch (i.getUnit()) {
            case "bytes" -> Units.size(Math.round(i.getValue()));
            case "bytes/s" -> Units.mib(Math.round(i.getValue())) + "/s";
            case "ms" -> Math.round(i.getValue()) + " ms";
            default -> String.format(Locale.ROOT, "%.2f", i.getValue());
        };
    }

    /** "pre-copy", "stop-and-copy", "post-copy", "auto". */
    static String name(MigrationMode mode) {
        return switch (mode) {
            case MIGRATION_MODE_PRECOPY -> "pre-copy";
            case MIGRATION_MODE_STOPCOPY -> "stop-and-copy";
            case MIGRATION_MODE_POSTCOPY -> "post-copy";
            case MIGRATION_MODE_AUTO -> "auto";
            default -> MigrationFormat.enumName(mode.getValueDescriptor());
        };
    }
}
