package io.livemig.cli.command;

import io.livemig.agent.core.Hypervisor;
import io.livemig.cli.client.AgentChannels;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;

/**
 * Makes the subcommands that need more than picocli's no-argument constructor: the hypervisor of
 * direct migrations, the agent (and orchestrator) channels, and whether stderr is a terminal.
 * Tests pass fakes through {@code io.livemig.cli.Main#commandLine}.
 */
public final class CommandFactory implements IFactory {

    private final IFactory defaults = CommandLine.defaultFactory();
    private final Supplier<? extends Hypervisor> hypervisor;
    private final AgentChannels channels;
    private final boolean terminal;

    /** {@code hypervisor}: asked only when direct-migrate is made, so that other runs load no libvirt classes. */
    public CommandFactory(Supplier<? extends Hypervisor> hypervisor, AgentChannels channels, boolean terminal) {
        this.hypervisor = hypervisor;
        this.channels = channels;
        this.terminal = terminal;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        if (cls == DirectMigrateCommand.class) {
            return cls.cast(new DirectMigrateCommand(hypervisor.get()));
        }
        if (cls == HostsCommand.class) {
            return cls.cast(new HostsCommand(channels));
        }
        if (cls == VmsCommand.class) {
            return cls.cast(new VmsCommand(channels));
        }
        if (cls == ExperimentCommand.Run.class) {
            return cls.cast(new ExperimentCommand.Run(channels));
        }
        if (cls == MigrateCommand.class) {
            return cls.cast(new MigrateCommand(channels, terminal));
        }
        if (cls == OrchestratorAccess.class) {
            return cls.cast(new OrchestratorAccess(channels, terminal));
        }
        return defaults.create(cls);
    }
}
