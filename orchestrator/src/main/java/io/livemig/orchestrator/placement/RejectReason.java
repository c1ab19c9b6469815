package io.livemig.orchestrator.placement;

/** Why a host cannot take a VM, in the order the checks run. */
public enum RejectReason {
    HOST_DOWN,
    HOST_IN_MAINTENANCE,
    HOST_DRAINING,
    CURRENT_HOST,
    NOT_ENOUGH_MEMORY,
    MISSING_CAPABILITY,
    INCOMPATIBLE_CPU
}
