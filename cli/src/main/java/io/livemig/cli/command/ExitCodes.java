package io.livemig.cli.command;

import io.livemig.proto.orchestrator.v1.Migration;
import io.livemig.proto.orchestrator.v1.MigrationState;

/** The process exit codes of livemig, as listed in the usage help and in docs/errors.md. */
public final class ExitCodes {

    static final int OK = 0;
    /** The migration ran and failed or was cancelled; the VM stays on the source. */
    public static final int MIGRATION_FAILED = 1;
    /** Bad usage or input: missing or invalid options, unknown VM or host, VM not running, no orchestrator. */
    public static final int USAGE = 2;
    /** A host, its agent or libvirt daemon, or the orchestrator cannot be reached (or libvirt is missing here). */
    public static final int UNAVAILABLE = 3;
    /** The server refused this client: TLS handshake failed (untrusted or expired certificate), or PERMISSION_DENIED. */
    public static final int REFUSED = 4;

    // Usage-help lines ("code:description") for picocli's exitCodeList; constants so that
    // annotations can use them.
    static final String HELP_HEADING = "%nExit codes:%n";
    static final String HELP_OK = "0:Success.";
    static final String HELP_MIGRATION_FAILED = "1:The migration failed or was cancelled; the VM stays on the source.";
    static final String HELP_USAGE = "2:Bad usage or input (missing or invalid option, unknown VM or host, VM not running, no orchestrator for a command that needs one).";
    static final String HELP_UNAVAILABLE = "3:A host, its agent or libvirt daemon, or the orchestrator is unavailable.";
    static final String HELP_ORCHESTRATOR_USAGE = "2:Bad usage or input (no orchestrator configured).";
    static final String HELP_ORCHESTRATOR_UNAVAILABLE = "3:The orchestrator is unavailable.";
    // The servers (agent, orchestrator).
    static final String HELP_STOPPED = "0:Stopped.";
    static final String HELP_BAD_SERVER_CONFIG = "2:Bad configuration file (no tls section and not insecure, TLS files "
            + "missing...)";
    static final String HELP_CANNOT_LISTEN = "3:Cannot listen on the configured address.";
    static final String HELP_REFUSED = "4:Refused: the TLS handshake failed (an untrusted, expired or wrong "
            + "certificate), or this certificate's identity may not make the call (not in the server's allow list).";

    private ExitCodes() {
    }

    /** 1 when the migration failed or was aborted; 0 when it succeeded or is still on its way. */
    static int of(Migration m) {
        return m.getState() == MigrationState.MIGRATION_STATE_FAILED || m.getState() == MigrationState.MIGRATION_STATE_ABORTED
                ? MIGRATION_FAILED : OK;
    }
}
