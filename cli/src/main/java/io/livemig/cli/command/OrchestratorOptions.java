package io.livemig.cli.command;

import io.livemig.cli.client.ClientTarget;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** --orchestrator, given before or after the subcommand's name; {@link ClientTarget} decides if it is used. */
final class OrchestratorOptions {

    @Option(names = "--orchestrator", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            description = "Send client commands to this orchestrator. Default: $" + ClientTarget.ENV
                    + ", then /etc/livemig/client.yaml; --cluster and $LIVEMIG_CLUSTER win over both "
                    + "(see 'livemig --help').")
    String address;
}
