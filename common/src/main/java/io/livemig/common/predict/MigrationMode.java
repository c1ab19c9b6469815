package io.livemig.common.predict;

/** The ways a VM's memory can be moved, as the predictor tells them apart. */
public enum MigrationMode {
    /** Live: copy memory while the guest runs, re-send what it dirties, pause it for the rest. */
    PRECOPY,
    /** Not live: pause the guest, copy its memory once, resume it on the destination. */
    STOP_AND_COPY,
    /** Live: one pre-copy pass, then the guest runs on the destination and pulls the rest. */
    POSTCOPY,
    /** Pre-copy that escalates by itself when it will not converge (the agent's policy). */
    AUTO
}
