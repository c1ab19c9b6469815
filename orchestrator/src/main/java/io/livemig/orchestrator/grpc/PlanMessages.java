package io.livemig.orchestrator.grpc;

import io.livemig.common.predict.MigrationMode;
import io.livemig.common.predict.ModePrediction;
import io.livemig.common.predict.Objective;
import io.livemig.common.predict.Preflight;
import io.livemig.proto.orchestrator.v1.ModeCost;
import io.livemig.proto.orchestrator.v1.PlacementDecision;
import io.livemig.proto.orchestrator.v1.PlanInput;
import io.livemig.proto.orchestrator.v1.PlanObjective;
import io.livemig.proto.orchestrator.v1.PlanResponse;
import java.util.Optional;

/**
 * Pre-flight advice as {@link PlanResponse} messages: what the orchestrator's Plan answers, and
 * what the command builds itself when it works straight against the agents.
 */
public final class PlanMessages {

    private PlanMessages() {}

    /** The response for {@code advice}; {@code decision} null when no placement was involved. */
    public static PlanResponse response(String vm, String source, String target, PlacementDecision decision,
            Preflight.Advice advice) {
        long allowed = advice.prediction().inputs().allowedDowntimeMs();
        PlanResponse.Builder b = PlanResponse.newBuilder().setVm(vm).setSource(source).setTarget(target)
                .setRecommended(mode(advice.recommendation().mode())).setReason(advice.recommendation().reason())
                .setObjective(objective(advice.recommendation().objective()));
        if (decision != null) {
            b.setDecision(decision);
        }
        for (ModePrediction m : advice.prediction().modes()) {
            b.addModes(ModeCost.newBuilder().setMode(mode(m.mode())).setTotalMs(m.totalMs())
                    .setDowntimeMs(m.downtimeMs()).setBytes(m.bytes()).setPasses(m.passes())
                    .setConverges(m.converges()).setWithinDowntime(m.within(allowed)).setEndsAs(mode(m.endsAs()))
                    .addAllSteps(m.steps()).setFormula(m.formula()));
        }
        for (Preflight.Input i : advice.inputs()) {
            b.addInputs(PlanInput.newBuilder().setName(i.name()).setValue(i.value()).setUnit(i.unit())
                    .setEstimated(i.estimated()).setHow(i.how()));
        }
        return b.build();
    }

    /** The predictor's mode as the agent's protocol names it. */
    public static io.livemig.proto.agent.v1.MigrationMode mode(MigrationMode m) {
        return switch (m) {
            case PRECOPY -> io.livemig.proto.agent.v1.MigrationMode.MIGRATION_MODE_PRECOPY;
            case STOP_AND_COPY -> io.livemig.proto.agent.v1.MigrationMode.MIGRATION_MODE_STOPCOPY;
            case POSTCOPY -> io.livemig.proto.agent.v1.MigrationMode.MIGRATION_MODE_POSTCOPY;
            case AUTO -> io.livemig.proto.agent.v1.MigrationMode.MIGRATION_MODE_AUTO;
        };
    }

    public static PlanObjective objective(Objective o) {
        return o == Objective.FASTEST ? PlanObjective.PLAN_OBJECTIVE_FASTEST : PlanObjective.PLAN_OBJECTIVE_SAFE;
    }

    /** The objective asked for; unspecified is the default, an unknown number is refused (empty). */
    public static Optional<Objective> objective(PlanObjective o) {
        return switch (o) {
            case PLAN_OBJECTIVE_UNSPECIFIED -> Optional.of(Objective.DEFAULT);
            case PLAN_OBJECTIVE_SAFE -> Optional.of(Objective.SAFE);
            case PLAN_OBJECTIVE_FASTEST -> Optional.of(Objective.FASTEST);
            default -> Optional.empty();
        };
    }
}
