package io.livemig.agent.core;

/** How a VM was found on one host after its post-copy migration failed. */
public enum PostcopyFailedState {
    /** Paused by libvirt (the source): it must not be resumed, its newest memory is elsewhere. */
    PAUSED,
    /**
     * Running with part of its memory missing (the target): its vCPUs stop at the first page it
     * lacks. libvirt keeps the incoming migration job open for a recovery and refuses to pause it.
     */
    RUNNING
}
