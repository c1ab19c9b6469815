package io.livemig.cli;

/** The process exit codes of livemig, as listed in the usage help. */
final class ExitCodes {

    static final int OK = 0;
    /** The migration ran and failed or was cancelled; the VM stays on the source. */
    static final int MIGRATION_FAILED = 1;
    /** Bad usage or input: missing or invalid options, unknown VM, VM not running. */
    static final int USAGE = 2;
    /** A host or its libvirt daemon cannot be reached (or libvirt is missing here). */
    static final int UNAVAILABLE = 3;

    // Usage-help lines ("code:description") for picocli's exitCodeList; constants so that
    // annotations can use them.
    static final String HELP_HEADING = "%nExit codes:%n";
    static final String HELP_OK = "0:Success.";
    static final String HELP_MIGRATION_FAILED = "1:The migration failed or was cancelled; the VM stays on the source.";
    static final String HELP_USAGE = "2:Bad usage or input (missing or invalid option, unknown VM, VM not running).";
    static final String HELP_UNAVAILABLE = "3:A host or its libvirt daemon is unavailable.";

    private ExitCodes() {
    }
}
