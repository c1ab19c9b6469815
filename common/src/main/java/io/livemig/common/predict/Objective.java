package io.livemig.common.predict;

/** What a recommendation of a mode optimises for. */
public enum Objective {
    /**
     * Pre-copy whenever it is predicted to converge within the allowed downtime; post-copy only
     * when it is not. A failure of the source or the link during post-copy loses the guest (its
     * memory is split between the hosts), and the guest runs slower while it pulls pages, so
     * post-copy is taken only when pre-copy cannot do the job. The default: it is what AUTO does
     * today, and being wrong costs the least.
     */
    SAFE,
    /**
     * The mode with the shortest predicted total time whose downtime stays within the allowed
     * maximum; pre-copy, when it is within {@link Prediction#NEAR_TIE} of that (a near tie the
     * prediction cannot tell apart goes to the mode that cannot lose the guest).
     */
    FASTEST;

    /** The objective used when none is given. */
    public static final Objective DEFAULT = SAFE;
}
