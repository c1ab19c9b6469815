package io.livemig.cli.command;

import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.OrchestratorClient;
import io.livemig.common.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What the commands that only make sense with an orchestrator (watch, abort, history, rebalance,
 * drain, host-state) need besides their options: its client, refused in one line without one,
 * their writers and whether stderr is a terminal. {@link CommandFactory} makes it with the
 * channels of this run.
 */
@Command // picocli takes a class as a mixin only when it carries one of its annotations
final class OrchestratorAccess {

    private final AgentChannels channels;
    private final boolean terminal;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    OrchestratorAccess(AgentChannels channels, boolean terminal) {
        this.channels = channels;
        this.terminal = terminal;
    }

    /** The orchestrator's client, or a one-line refusal naming the command. */
    OrchestratorClient client() throws ConfigException {
        LivemigCommand root = (LivemigCommand) command.root().userObject();
        return root.requireOrchestrator(channels, command.name());
    }

    boolean terminal() {
        return terminal;
    }

    PrintWriter out() {
        return command.commandLine().getOut();
    }

    PrintWriter err() {
        return command.commandLine().getErr();
    }
}
