package io.livemig.agent.core;

import java.util.List;

/**
 * A domain's state with libvirt's reason for it (virDomainGetState), in the words virsh uses:
 * "paused (post-copy failed)", "shut off (crashed)".
 *
 * @param state  libvirt's virDomainState
 * @param reason libvirt's raw reason code for that state (virDomainRunningReason,
 *               virDomainPausedReason, virDomainShutoffReason...), 0 when unknown
 */
public record DomainStatus(DomainState state, int reason) {

    /** virDomainRunningReason VIR_DOMAIN_RUNNING_CRASHED. */
    public static final int RUNNING_CRASHED = 9;
    /** virDomainRunningReason VIR_DOMAIN_RUNNING_POSTCOPY. */
    public static final int RUNNING_POSTCOPY = 10;
    /** virDomainRunningReason VIR_DOMAIN_RUNNING_POSTCOPY_FAILED. */
    public static final int RUNNING_POSTCOPY_FAILED = 11;
    /** virDomainPausedReason VIR_DOMAIN_PAUSED_MIGRATION: arriving, or stopped for the switch-over. */
    public static final int PAUSED_MIGRATION = 2;
    /** virDomainPausedReason VIR_DOMAIN_PAUSED_STARTING_UP: QEMU starting, e.g. to receive a migration. */
    public static final int PAUSED_STARTING_UP = 11;
    /** virDomainPausedReason VIR_DOMAIN_PAUSED_POSTCOPY. */
    public static final int PAUSED_POSTCOPY = 12;
    /** virDomainPausedReason VIR_DOMAIN_PAUSED_POSTCOPY_FAILED. */
    public static final int PAUSED_POSTCOPY_FAILED = 13;
    /** virDomainShutoffReason VIR_DOMAIN_SHUTOFF_CRASHED. */
    public static final int SHUTOFF_CRASHED = 3;

    private static final List<String> RUNNING = List.of("unknown", "booted", "migrated", "restored", "from snapshot",
            "unpaused", "migration canceled", "save canceled", "event wakeup", "crashed", "post-copy",
            "post-copy failed");
    private static final List<String> PAUSED = List.of("unknown", "user", "migrating", "saving", "dumping",
            "I/O error", "watchdog", "from snapshot", "shutting down", "creating snapshot", "crashed", "starting up",
            "post-copy", "post-copy failed", "api error");
    private static final List<String> SHUTDOWN = List.of("unknown", "user");
    private static final List<String> SHUT_OFF = List.of("unknown", "shutdown", "destroyed", "crashed", "migrated",
            "saved", "failed", "from snapshot", "daemon");
    private static final List<String> CRASHED = List.of("unknown", "panicked");

    public DomainStatus {
        if (state == null) {
            throw new IllegalArgumentException("state is required");
        }
    }

    /** The state as virsh names it: "running", "idle", "paused", "in shutdown", "shut off"... */
    public String stateText() {
        return switch (state) {
            case NO_STATE -> "no state";
            case RUNNING -> "running";
            case BLOCKED -> "idle";
            case PAUSED -> "paused";
            case SHUTTING_DOWN -> "in shutdown";
            case SHUT_OFF -> "shut off";
            case CRASHED -> "crashed";
            case PM_SUSPENDED -> "pmsuspended";
        };
    }

    /** libvirt's reason as virsh names it ("post-copy failed", "crashed"); "unknown" when it has none. */
    public String reasonText() {
        List<String> names = switch (state) {
            case RUNNING -> RUNNING;
            case PAUSED -> PAUSED;
            case SHUTTING_DOWN -> SHUTDOWN;
            case SHUT_OFF -> SHUT_OFF;
            case CRASHED -> CRASHED;
            default -> List.of("unknown");
        };
        return reason >= 0 && reason < names.size() ? names.get(reason) : "unknown";
    }

    /**
     * The state with its reason where the reason tells something: "paused (post-copy failed)",
     * "shut off (crashed)", "running (post-copy)". A VM running as usual (booted, migrated,
     * unpaused...) is just "running", and an unknown reason is left out.
     */
    public String describe() {
        String why = reasonText();
        boolean plain = why.equals("unknown") || state == DomainState.RUNNING && reason != RUNNING_POSTCOPY
                && reason != RUNNING_POSTCOPY_FAILED && reason != RUNNING_CRASHED;
        return plain ? stateText() : stateText() + " (" + why + ")";
    }

    /**
     * The reason where it tells something, as {@link #describe()} shows it in parentheses: empty
     * for a VM running as usual and for an unknown reason.
     */
    public String notableReason() {
        String text = describe();
        int open = text.indexOf(" (");
        return open < 0 ? "" : text.substring(open + 2, text.length() - 1);
    }

    /** Active: QEMU runs for it (running, idle, paused, in shutdown, pmsuspended). */
    public boolean active() {
        return state != DomainState.SHUT_OFF && state != DomainState.CRASHED && state != DomainState.NO_STATE;
    }

    /** In one of libvirt's post-copy states (still copying, or failed), running or paused. */
    public boolean postcopy() {
        return state == DomainState.RUNNING && (reason == RUNNING_POSTCOPY || reason == RUNNING_POSTCOPY_FAILED)
                || state == DomainState.PAUSED && (reason == PAUSED_POSTCOPY || reason == PAUSED_POSTCOPY_FAILED);
    }

    /** libvirt's "post-copy failed", running or paused. */
    public boolean postcopyFailed() {
        return state == DomainState.RUNNING && reason == RUNNING_POSTCOPY_FAILED
                || state == DomainState.PAUSED && reason == PAUSED_POSTCOPY_FAILED;
    }

    /**
     * Paused for a migration (arriving, or stopped for the switch-over) or in post-copy: libvirt
     * holds a migration job on the VM, and a query that needs a job of its own (its live XML, its
     * statistics) waits until that job ends, which may be minutes.
     */
    public boolean inMigration() {
        return postcopy() || state == DomainState.PAUSED && reason == PAUSED_MIGRATION;
    }

    /**
     * libvirt holds a job on the VM that a query needing its own job waits for: {@link
     * #inMigration()}, or QEMU still starting (a VM about to receive a migration is "paused
     * (starting up)" until libvirt's prepare step has its QEMU listening).
     */
    public boolean jobHeld() {
        return inMigration() || state == DomainState.PAUSED && reason == PAUSED_STARTING_UP;
    }
}
