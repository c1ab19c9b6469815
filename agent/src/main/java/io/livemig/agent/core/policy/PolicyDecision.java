package io.livemig.agent.core.policy;

import java.util.List;
import java.util.Objects;

/**
 * What the policy decided for one sample: the actions to carry out, in order, and the state to
 * pass to the next call.
 *
 * @param next       the policy state after these actions (assuming they succeed; see
 *                   {@link MigrationPolicy#afterFailure})
 * @param steps      the actions, each with its escalation record when it is one
 * @param prediction the convergence prediction this decision used, or null when none was needed
 * @param notes      things worth logging that are not actions (e.g. a refused operator request)
 */
public record PolicyDecision(PolicyState next, List<Step> steps, Prediction prediction, List<String> notes) {

    /**
     * One action, and its {@link EscalationStep} when it is a step beyond the initial settings (null
     * for the initial settings and operator changes of downtime or bandwidth).
     */
    public record Step(Action action, EscalationStep escalation) {
        public Step {
            Objects.requireNonNull(action, "action");
        }
    }

    public PolicyDecision {
        Objects.requireNonNull(next, "next");
        steps = List.copyOf(steps);
        notes = List.copyOf(notes);
    }

    public static PolicyDecision none(PolicyState next) {
        return new PolicyDecision(next, List.of(), null, List.of());
    }

    public List<Action> actions() {
        return steps.stream().map(Step::action).toList();
    }

    public List<EscalationStep> escalations() {
        return steps.stream().map(Step::escalation).filter(Objects::nonNull).toList();
    }
}
