package io.livemig.agent.core.policy;

/** The steps the policy takes, in the order AUTO escalates through them. */
public enum EscalationKind {
    /** Allow a longer final pause so that the remaining bytes fit into it. */
    RAISE_DOWNTIME,
    /** Slow the guest's vCPUs so that it dirties memory more slowly. */
    THROTTLE,
    /** Run the guest on the destination and fetch the rest on demand. */
    POSTCOPY,
    /** Pause the guest on the source so that nothing is dirtied again. */
    SUSPEND,
    /** Give up: the guest keeps running on the source. */
    ABORT;

    /** The kind of step an action is; null for {@link Action.SetBandwidth}, which is no escalation. */
    public static EscalationKind of(Action action) {
        if (action instanceof Action.SetMaxDowntime) {
            return RAISE_DOWNTIME;
        } else if (action instanceof Action.Throttle) {
            return THROTTLE;
        } else if (action instanceof Action.StartPostCopy) {
            return POSTCOPY;
        } else if (action instanceof Action.SuspendSource) {
            return SUSPEND;
        } else if (action instanceof Action.Abort) {
            return ABORT;
        }
        return null;
    }
}
