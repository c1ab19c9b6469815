package io.livemig.cli.command;

import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.cli.format.MigrationSummary;
import io.livemig.common.input.Inputs;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "direct-migrate",
        description = {
            "Migrate a running VM live from one libvirt host to another, driven from this machine.",
            "The VM ends up defined on the destination and undefined on the source "
                    + "(libvirt flags LIVE|PERSIST_DEST|UNDEFINE_SOURCE).",
            "Progress goes to stderr, one line per poll; the result goes to stdout.",
        },
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersionProvider.class,
        footer = {"%nExamples:",
            "  livemig direct-migrate web1 --from qemu+tcp://10.213.77.11/system --to qemu+tcp://10.213.77.12/system",
            "  livemig direct-migrate web1 --from qemu:///system --to qemu+tls://kvm2/system \\",
            "      --migrate-uri tcp:10.0.1.12 --bandwidth 500 --json"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_MIGRATION_FAILED, ExitCodes.HELP_USAGE,
            ExitCodes.HELP_UNAVAILABLE})
final class DirectMigrateCommand implements Callable<Integer> {

    private final Hypervisor hypervisor;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "VM", description = "Name of the libvirt domain on the source host.")
    String vmName;

    @Option(names = "--from", required = true, paramLabel = "URI",
            description = "libvirt URI of the source host, e.g. qemu+tcp://10.213.77.11/system.")
    String fromUri;

    @Option(names = "--to", required = true, paramLabel = "URI",
            description = "libvirt URI of the destination host, e.g. qemu+tcp://10.213.77.12/system.")
    String toUri;

    @Option(names = "--migrate-uri", paramLabel = "tcp:HOST[:PORT]",
            description = "Where the source sends the VM's memory. Default: tcp:<host of --to>, "
                    + "because the name the destination advertises may not resolve.")
    String migrateUri;

    @Option(names = "--bandwidth", paramLabel = "MiB/s", defaultValue = "0",
            description = "Limit the migration's bandwidth; 0 (default) leaves it to libvirt.")
    long bandwidthMiBps;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    DirectMigrateCommand(Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    @Override
    @SuppressWarnings("try") // AbortOnExit works by being open, not by being called
    public Integer call() throws HypervisorException {
        Refuse.ifPresent(Inputs.vmName(vmName));
        Refuse.ifPresent(Inputs.SET_BANDWIDTH_MIBPS.named("--bandwidth").check(bandwidthMiBps));
        MigrationRequest request = MigrationRequest.liveMove(vmName, fromUri, toUri, migrateUri)
                .withBandwidthMiBps(bandwidthMiBps);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        MigrationOutcome result;
        try (AbortOnExit abort = AbortOnExit.install(Thread.currentThread())) {
            result = hypervisor.migrate(request, sample -> {
                err.println(MigrationSummary.progressLine(sample));
                err.flush();
            });
        }
        if (json) {
            out.println(MigrationSummary.json(request, result));
        } else if (result.succeeded()) {
            out.println(MigrationSummary.summary(request, result));
        }
        out.flush();
        if (!result.succeeded()) {
            err.println("livemig: " + MigrationSummary.failure(request, result));
            err.flush();
            return ExitCodes.MIGRATION_FAILED;
        }
        return ExitCodes.OK;
    }
}
