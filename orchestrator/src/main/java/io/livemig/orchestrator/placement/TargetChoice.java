package io.livemig.orchestrator.placement;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of placing one VM, explainable: which host was chosen (empty when none is
 * feasible), every feasible candidate with its score (best first) and every rejected host with
 * the reason.
 */
public record TargetChoice(
        String vm,
        PlacementPolicy policy,
        Optional<String> chosenHost,
        List<TargetCandidate> candidates,
        List<HostRejection> rejections) {

    public TargetChoice {
        candidates = List.copyOf(candidates);
        rejections = List.copyOf(rejections);
    }

    /** One sentence on why no host is feasible, counting rejections per reason. */
    public String whyUnplaceable() {
        if (chosenHost.isPresent()) {
            return "placed on " + chosenHost.get();
        }
        if (rejections.isEmpty()) {
            return "no host is known";
        }
        var counts = new java.util.EnumMap<RejectReason, Integer>(RejectReason.class);
        for (HostRejection r : rejections) {
            counts.merge(r.reason(), 1, Integer::sum);
        }
        var parts = new java.util.ArrayList<String>();
        counts.forEach((reason, n) -> parts.add(n + " " + reason.name().toLowerCase()));
        String example = rejections.stream()
                .filter(r -> r.reason() != RejectReason.CURRENT_HOST)
                .findFirst().orElse(rejections.get(0)).explanation();
        return "no feasible host (" + String.join(", ", parts) + "); e.g. " + example;
    }
}
