package io.livemig.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.StatusRuntimeException;
import io.livemig.agent.config.ClusterConfig;
import io.livemig.agent.config.ConfigException;
import io.livemig.agent.config.HostConfig;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.GetHostInfoRequest;
import io.livemig.proto.agent.v1.HostInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "hosts", description = "The cluster's hosts, as their agents report them: state, capacity, load.",
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nExamples:", "  livemig hosts", "  livemig --cluster lab.yaml hosts --json"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE, "3:At least one agent is unavailable."})
final class HostsCommand implements Callable<Integer> {

    private final AgentChannels channels;

    @Spec
    CommandSpec spec;

    @ParentCommand
    LivemigCommand root;

    @Option(names = "--json", description = "Print a JSON array.")
    boolean json;

    HostsCommand(AgentChannels channels) {
        this.channels = channels;
    }

    @Override
    public Integer call() throws ConfigException, com.fasterxml.jackson.core.JsonProcessingException {
        ClusterConfig config = root.cluster.load();
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean allUp = true;
        for (HostConfig host : config.hosts()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", host.name());
            row.put("agent", host.agent());
            try {
                HostInfo info = AgentServiceGrpc.newBlockingStub(channels.to(host.agent()))
                        .withDeadlineAfter(5, TimeUnit.SECONDS).getHostInfo(GetHostInfoRequest.getDefaultInstance());
                row.put("state", "up");
                row.put("cpus", info.getCpus());
                row.put("memory_total_bytes", info.getMemoryTotalBytes());
                row.put("memory_free_bytes", info.getMemoryFreeBytes());
                row.put("memory_reserved_bytes", info.getMemoryReservedBytes());
                row.put("running_vms", info.getRunningVms());
                row.put("migrations_outgoing", info.getMigrationsOutgoing());
                row.put("migrations_incoming", info.getMigrationsIncoming());
                row.put("virt_type", info.getVirtType().name().replace("VIRT_TYPE_", "").toLowerCase());
                row.put("hypervisor", info.getHypervisorType() + " " + info.getHypervisorVersion());
                row.put("libvirt_version", info.getLibvirtVersion());
            } catch (StatusRuntimeException e) {
                allUp = false;
                row.put("state", "down");
                row.put("error", e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            }
            rows.add(row);
        }
        if (json) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(rows));
        } else {
            out.printf("%-10s %-22s %-5s %5s %12s %12s %6s %4s %4s %s%n",
                    "HOST", "AGENT", "STATE", "CPUS", "MEM FREE", "MEM TOTAL", "VMS", "OUT", "IN", "VIRT");
            for (Map<String, Object> row : rows) {
                if ("up".equals(row.get("state"))) {
                    out.printf("%-10s %-22s %-5s %5s %12s %12s %6s %4s %4s %s%n", row.get("name"), row.get("agent"), "up",
                            row.get("cpus"), Units.mib((Long) row.get("memory_free_bytes")),
                            Units.mib((Long) row.get("memory_total_bytes")), row.get("running_vms"),
                            row.get("migrations_outgoing"), row.get("migrations_incoming"), row.get("virt_type"));
                } else {
                    out.printf("%-10s %-22s %-5s %s%n", row.get("name"), row.get("agent"), "down", row.get("error"));
                }
            }
        }
        out.flush();
        return allUp ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    }
}
