package io.livemig.orchestrator.placement;

/** How {@link Placement} ranks the feasible hosts. Every score is "lower is better". */
public enum PlacementPolicy {
    /** Minimise the standard deviation of the weighted load of the UP hosts after the move. */
    BALANCE,
    /** Minimise the target's own weighted load after the move. */
    LEAST_LOADED,
    /** Take the first feasible host, in name order, after the previously chosen one. */
    ROUND_ROBIN
}
