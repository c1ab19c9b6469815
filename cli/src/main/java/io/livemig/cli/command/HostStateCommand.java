package io.livemig.cli.command;

import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.common.config.ConfigException;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.proto.orchestrator.v1.Host;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "host-state",
        description = {"Set a host's administrative state with the orchestrator.",
            "up: accepts VMs; draining: its VMs should leave ('livemig drain' also moves them); maintenance: never a "
                    + "target. Down is decided by health checks, not set. Prints the host's new state."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nExamples:", "  livemig host-state lab-c maintenance", "  livemig host-state lab-c up"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, "2:Bad usage or input (unknown host or state, no orchestrator configured).",
            ExitCodes.HELP_ORCHESTRATOR_UNAVAILABLE, ExitCodes.HELP_REFUSED})
final class HostStateCommand implements Callable<Integer> {

    /** The orchestrator's client and the writers. */
    @Mixin
    OrchestratorAccess orchestrator;

    @Parameters(index = "0", paramLabel = "HOST", description = "The host, by its name in the cluster file.")
    String host;

    @Parameters(index = "1", paramLabel = "STATE", converter = HostStateOption.class,
            completionCandidates = HostStateOption.class, description = "up, draining or maintenance.")
    HostAvailability state;

    @Option(names = "--json", description = "Print the host as one JSON object: name, agent, state, state_reason.")
    boolean json;

    @Override
    public Integer call() throws ConfigException {
        OrchestratorClient client = orchestrator.client();
        Host h = client.setHostState(host, state);
        PrintWriter out = orchestrator.out();
        String newState = MigrationFormat.hostState(h.getState());
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("name", h.getName());
            doc.put("agent", h.getAgent());
            doc.put("state", newState);
            doc.put("state_reason", h.getStateReason());
            out.println(MigrationFormat.json(doc));
        } else {
            out.println(h.getName() + " " + newState + (h.getStateReason().isEmpty() ? "" : " (" + h.getStateReason() + ")"));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
