package io.livemig.cli.command;

import io.livemig.cli.log.LogLevels;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** -v, -vv: more of livemig's own log on stderr; given before or after the subcommand's name. */
final class LogOptions {

    @Option(names = "-v", scope = ScopeType.INHERIT,
            description = "More log on stderr: -v for debug, -vv for trace (agent and orchestrator log at info "
                    + "by default, other commands only warnings). Default: $" + LogLevels.ENV + ".")
    boolean[] verbose = new boolean[0];

    int verbosity() {
        return verbose == null ? 0 : verbose.length;
    }
}
