package io.livemig.orchestrator.model;

/** A guest's run state as libvirt names it; UNKNOWN when the agent did not say. */
public enum GuestState {
    UNKNOWN,
    RUNNING,
    BLOCKED,
    PAUSED,
    SHUTTING_DOWN,
    SHUT_OFF,
    CRASHED,
    PM_SUSPENDED
}
