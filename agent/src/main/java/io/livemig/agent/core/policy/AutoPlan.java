package io.livemig.agent.core.policy;

import java.util.Objects;

/**
 * What AUTO decided before the start, from the predicted cost of each mode under the caller's
 * objective: whether to switch to post-copy as soon as the first pass is done instead of waiting
 * for pre-copy to show that it will not converge. Either way, AUTO still corrects itself pass by
 * pass from what it measures (the escalation ladder).
 *
 * @param postcopyFirst switch to post-copy after the first full pass
 * @param objective     the objective the plan followed, as a word ("safe", "fastest")
 * @param reason        one line with the predicted figures the choice rests on
 */
public record AutoPlan(boolean postcopyFirst, String objective, String reason) {

    /** No plan: pre-copy first, escalating when it will not converge (AUTO without a prediction). */
    public static final AutoPlan PRECOPY_FIRST = new AutoPlan(false, "", "");

    public AutoPlan {
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(reason, "reason");
    }
}
