package io.livemig.orchestrator.placement;

/** Administrative and health state of a host, as far as placement is concerned. */
public enum HostAvailability {
    /** Healthy and accepting VMs. */
    UP,
    /** Unreachable or failed; never a target and excluded from the load spread. */
    DOWN,
    /** Being emptied; its VMs should leave and none may arrive. */
    DRAINING,
    /** Taken out of service by an operator; never a target. */
    MAINTENANCE
}
