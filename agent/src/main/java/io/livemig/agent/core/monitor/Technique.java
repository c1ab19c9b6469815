package io.livemig.agent.core.monitor;

/**
 * The technique in force at the end of a migration: how its memory went over, or was going over
 * when it failed. An AUTO migration that had to switch to post-copy reports POSTCOPY.
 */
public enum Technique {
    /** Live pre-copy to the end (possibly with raised downtime or throttling). */
    PRECOPY,
    /** Switched to post-copy. */
    POSTCOPY,
    /** The guest was paused on the source to finish the copy. */
    SUSPEND,
    /** Non-live from the start. */
    STOPCOPY
}
