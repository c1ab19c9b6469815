package io.livemig.agent.core.rebind;

import java.util.Objects;

/**
 * The decision for one binding.
 *
 * @param binding what the domain XML binds to the source host
 * @param action  what happens to it
 * @param from    the source's value (bridge, path, address, cpuset, device), "" when it has none
 * @param to      the value on the target; equal to {@code from} for KEEP, the same path for COPY,
 *                {@code null} for REFUSE
 * @param reason  why, for an operator
 */
public record BindingRule(ResourceBinding binding, RebindAction action, String from, String to, String reason) {

    public BindingRule {
        Objects.requireNonNull(binding, "binding");
        Objects.requireNonNull(action, "action");
        from = from == null ? "" : from;
        Objects.requireNonNull(reason, "reason");
        if ((action == RebindAction.REFUSE) != (to == null)) {
            throw new IllegalArgumentException("a rule has no target value exactly when it refuses: " + action + " to=" + to);
        }
    }

    /** One line, e.g. {@code MAP interface 52:54:00:4c:4d:64: br0 -> br-lab (bridge mapping of lab-b)}. */
    public String describe() {
        String change = action == RebindAction.REFUSE ? from : from.equals(to) ? from : from + " -> " + to;
        return action + " " + binding.subject() + (change.isEmpty() ? "" : ": " + change) + " (" + reason + ")";
    }
}
