package io.livemig.cli;

import io.livemig.agent.config.AgentConfig;
import io.livemig.agent.config.ConfigException;
import io.livemig.agent.core.monitor.MigrationMonitor;
import io.livemig.agent.grpc.AgentServer;
import io.livemig.agent.grpc.GrpcPeerAgents;
import io.livemig.agent.libvirt.LibvirtHypervisor;
import io.livemig.agent.service.HostAgent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "agent", description = "Serve this host's agent (gRPC): host facts, VMs, migrations in and out.",
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nThe configuration file (YAML):",
            "  host: lab-a                      # this host's name in the cluster file",
            "  listen: 10.213.77.11:7070        # where to serve",
            "  libvirt_uri: qemu:///system      # this host's own libvirt",
            "  cluster: /etc/livemig/cluster.yaml",
            "%nExamples:", "  livemig agent --config /etc/livemig/agent.yaml"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {"0:Stopped.", ExitCodes.HELP_USAGE, "3:Cannot listen on the configured address."})
final class AgentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The agent's configuration file.")
    Path configFile;

    @Override
    public Integer call() throws ConfigException, InterruptedException {
        AgentConfig.Loaded config = AgentConfig.load(configFile);
        PrintWriter err = spec.commandLine().getErr();
        GrpcPeerAgents peers = new GrpcPeerAgents();
        HostAgent agent = new HostAgent(new LibvirtHypervisor(), config.agent().libvirtUri(), config.self(), peers,
                MigrationMonitor.systemClock());
        AgentServer server;
        try {
            server = AgentServer.listen(config.agent().listenHost(), config.agent().listenPort(), agent);
        } catch (java.io.IOException e) {
            err.println("livemig agent: cannot listen on " + config.agent().listen() + ": " + e.getMessage());
            err.flush();
            return ExitCodes.UNAVAILABLE;
        }
        err.println("livemig agent: host " + config.self().name() + " serving on " + config.agent().listen()
                + ", libvirt " + config.agent().libvirtUri());
        err.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            peers.close();
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "livemig-agent-stop"));
        server.awaitTermination();
        return ExitCodes.OK;
    }
}
