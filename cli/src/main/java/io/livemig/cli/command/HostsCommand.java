package io.livemig.cli.command;

import io.grpc.StatusRuntimeException;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.CallFailures;
import io.livemig.cli.client.ClientTarget;
import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.cli.format.MigrationSummary;
import io.livemig.cli.format.Units;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.HostConfig;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.GetHostInfoRequest;
import io.livemig.proto.agent.v1.HostInfo;
import io.livemig.proto.orchestrator.v1.Host;
import io.livemig.proto.orchestrator.v1.HostState;
import io.livemig.proto.orchestrator.v1.ListHostsResponse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "hosts", description = {
        "The cluster's hosts: state, capacity, load.",
        "With an orchestrator: its view (state up, down, draining or maintenance; CPU and load averaged over its "
                    + "window; the load spread it balances), and a last line when it cannot write its history. "
                    + "Without: each agent asked directly."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nJSON with an orchestrator: {spread, hosts: [{name, agent, state, state_reason,",
            "cpus, cpu_utilisation, memory_total_bytes, memory_free_bytes,",
            "memory_committed_bytes, vm_count, load, samples, migrations_outgoing,",
            "migrations_incoming}], orchestrator: {history_writable, history_problem,",
            "unwritten_records}}; without: an array of what each agent reports.",
            "%nExamples:", "  livemig hosts", "  livemig --orchestrator 10.213.77.1:7080 hosts --json",
            "  livemig --cluster lab.yaml hosts --json"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE,
            "3:At least one agent is unavailable (host down), or the orchestrator is, or cannot write its history.",
            ExitCodes.HELP_REFUSED})
final class HostsCommand implements Callable<Integer> {

    private final AgentChannels channels;

    @Spec
    CommandSpec spec;

    @ParentCommand
    LivemigCommand root;

    @Option(names = "--json", description = "Print JSON (see below).")
    boolean json;

    HostsCommand(AgentChannels channels) {
        this.channels = channels;
    }

    @Override
    public Integer call() throws ConfigException {
        ClientTarget route = root.target();
        if (route.orchestrated()) {
            return fromOrchestrator(root.client(channels, route));
        }
        ClusterConfig config = root.cluster.load();
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean allUp = true;
        boolean refused = false; // by a host's TLS handshake
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
                refused |= CallFailures.tls(e, host.name()) != null;
                row.put("error", CallFailures.agent(e, host.name()));
            }
            rows.add(row);
        }
        if (json) {
            out.println(MigrationFormat.json(rows));
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
        return refused ? ExitCodes.REFUSED : allUp ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    }

    private int fromOrchestrator(OrchestratorClient client) {
        ListHostsResponse response = client.listHosts();
        PrintWriter out = spec.commandLine().getOut();
        boolean anyDown = response.getHostsList().stream().anyMatch(h -> h.getState() == HostState.HOST_STATE_DOWN);
        boolean historyWritable = response.getHistoryProblem().isEmpty() && response.getUnwrittenRecords() == 0;
        if (json) {
            List<Map<String, Object>> hosts = new ArrayList<>();
            for (Host h : response.getHostsList()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", h.getName());
                row.put("agent", h.getAgent());
                row.put("state", MigrationFormat.hostState(h.getState()));
                row.put("state_reason", h.getStateReason());
                row.put("cpus", h.getCpus());
                row.put("cpu_utilisation", h.getCpuUtilisation());
                row.put("memory_total_bytes", h.getMemoryTotalBytes());
                row.put("memory_free_bytes", h.getMemoryFreeBytes());
                row.put("memory_committed_bytes", h.getMemoryCommittedBytes());
                row.put("vm_count", h.getVmCount());
                row.put("load", h.getLoad());
                row.put("samples", h.getSamples());
                row.put("migrations_outgoing", h.getMigrationsOutgoing());
                row.put("migrations_incoming", h.getMigrationsIncoming());
                hosts.add(row);
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("spread", response.getSpread());
            doc.put("hosts", hosts);
            Map<String, Object> orchestrator = new LinkedHashMap<>();
            orchestrator.put("history_writable", historyWritable);
            orchestrator.put("history_problem", response.getHistoryProblem().isEmpty() ? null
                    : response.getHistoryProblem());
            orchestrator.put("unwritten_records", response.getUnwrittenRecords());
            doc.put("orchestrator", orchestrator);
            out.println(MigrationFormat.json(doc));
        } else {
            String format = "%-12s %-11s %4s %6s %21s %11s %4s %6s%s%n";
            out.printf(format, "NAME", "STATE", "CPUS", "CPU%", "MEM FREE/TOTAL", "COMMITTED", "VMS", "LOAD", "");
            for (Host h : response.getHostsList()) {
                out.printf(Locale.ROOT, format, h.getName(), MigrationFormat.hostState(h.getState()), h.getCpus(),
                        String.format(Locale.ROOT, "%.1f", h.getCpuUtilisation() * 100),
                        Units.size(h.getMemoryFreeBytes()) + "/" + Units.size(h.getMemoryTotalBytes()),
                        Units.size(h.getMemoryCommittedBytes()), h.getVmCount(),
                        String.format(Locale.ROOT, "%.3f", h.getLoad()),
                        h.getState() == HostState.HOST_STATE_UP || h.getStateReason().isEmpty() ? ""
                                : "  " + MigrationSummary.oneLine(h.getStateReason()));
            }
            out.printf(Locale.ROOT, "spread %.3f%n", response.getSpread());
            if (!historyWritable) {
                out.println(historyLine(response));
            }
        }
        out.flush();
        return anyDown || !historyWritable ? ExitCodes.UNAVAILABLE : ExitCodes.OK;
    }

    /** "orchestrator: history not writable: REASON; N records waiting in memory". */
    static String historyLine(ListHostsResponse response) {
        int waiting = response.getUnwrittenRecords();
        String problem = response.getHistoryProblem().isEmpty() ? "records wait to be written"
                : MigrationSummary.oneLine(response.getHistoryProblem());
        return "orchestrator: history not writable: " + problem + "; " + waiting + (waiting == 1 ? " record" : " records")
                + " waiting in memory";
    }
}
