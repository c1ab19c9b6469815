package io.livemig.orchestrator.placement;

/**
 * A feasible host with its score under the policy used (lower is better) and its own weighted
 * load after the move.
 */
public record TargetCandidate(String host, double score, double projectedHostLoad) {}
