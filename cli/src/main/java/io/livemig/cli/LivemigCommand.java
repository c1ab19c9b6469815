package io.livemig.cli;

import picocli.CommandLine.Command;

/** The top-level command; it only groups the subcommands. */
@Command(
        name = "livemig",
        description = "Live migration of libvirt/QEMU virtual machines.",
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersionProvider.class,
        subcommands = {VersionCommand.class, AgentCommand.class, HostsCommand.class, VmsCommand.class, MigrateCommand.class,
            DirectMigrateCommand.class},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_MIGRATION_FAILED, ExitCodes.HELP_USAGE,
            ExitCodes.HELP_UNAVAILABLE})
final class LivemigCommand {

    /** --cluster, given before or after the subcommand's name. */
    @picocli.CommandLine.Mixin
    ClusterOptions cluster = new ClusterOptions();
}
