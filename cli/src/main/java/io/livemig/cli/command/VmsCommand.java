package io.livemig.cli.command;

import io.grpc.StatusRuntimeException;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.CallFailures;
import io.livemig.cli.client.ClientTarget;
import io.livemig.cli.client.OrchestratorClient;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.cli.format.Units;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.HostConfig;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.Binding;
import io.livemig.proto.agent.v1.ListVmsRequest;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.proto.orchestrator.v1.ListVmsResponse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "vms", description = {
        "The VMs on every host of the cluster.",
        "With an orchestrator: the running VMs of every reachable host, with their CPU use (averaged over its "
                    + "window) and the capabilities a target must offer. Without: each agent asked directly, with "
                    + "the host resources each VM is bound to."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nSTATE is libvirt's state with its reason where that tells something, e.g.",
            "\"paused (post-copy failed)\": a VM whose post-copy migration failed (see the migration's error).",
            "%nJSON with an orchestrator: {vms: [{name, host, memory_bytes, vcpus,",
            "cpu_utilisation, dirty_rate_bytes_per_s, ram_held_bytes, state, state_reason, requires}]}; without:",
            "an array of what each agent reports. ram_held_bytes: how much of the guest's RAM its host holds,",
            "at least its non-zero memory (what --plan takes before a first migration); 0 when not known.",
            "%nExamples:", "  livemig vms", "  livemig vms --host lab-a --json"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, "2:Bad usage or input (e.g. unknown host).",
            "3:At least one agent is unavailable, or the orchestrator is.", ExitCodes.HELP_REFUSED})
final class VmsCommand implements Callable<Integer> {

    private final AgentChannels channels;

    @Spec
    CommandSpec spec;

    @ParentCommand
    LivemigCommand root;

    @Option(names = "--host", paramLabel = "HOST", description = "Only this host.")
    String onlyHost;

    @Option(names = "--json", description = "Print JSON (see below).")
    boolean json;

    VmsCommand(AgentChannels channels) {
        this.channels = channels;
    }

    @Override
    public Integer call() throws ConfigException {
        ClientTarget route = root.target();
        if (route.orchestrated()) {
            return fromOrchestrator(root.client(channels, route));
        }
        ClusterConfig config = root.cluster.load();
        List<HostConfig> hosts = onlyHost == null ? config.hosts() : List.of(config.requireHost(onlyHost));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> states = new ArrayList<>(); // for the table, by row
        boolean allUp = true;
        boolean refused = false; // by a host's TLS handshake
        for (HostConfig host : hosts) {
            List<Vm> vms;
            try {
                vms = AgentServiceGrpc.newBlockingStub(channels.to(host.agent())).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .listVms(ListVmsRequest.getDefaultInstance()).getVmsList();
            } catch (StatusRuntimeException e) {
                allUp = false;
                refused |= CallFailures.tls(e, host.name()) != null;
                err.println("livemig: " + CallFailures.agent(e, host.name()));
                continue;
            }
            for (Vm vm : vms) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", vm.getName());
                row.put("host", host.name());
                row.put("uuid", vm.getUuid());
                row.put("state", vm.getState().name().replace("VM_STATE_", "").toLowerCase());
                row.put("state_reason", vm.getStateReason());
                states.add(MigrationFormat.vmState(vm.getState(), vm.getStateReason()));
                row.put("memory_bytes", vm.getMemoryBytes());
                row.put("vcpus", vm.getVcpus());
                row.put("ram_held_bytes", vm.getRamHeldBytes());
                List<Map<String, String>> bindings = new ArrayList<>();
                for (Binding b : vm.getBindingsList()) {
                    bindings.add(Map.of("kind", b.getKind(), "device", b.getDevice(), "resource", b.getResource()));
                }
                row.put("bindings", bindings);
                rows.add(row);
            }
        }
        if (json) {
            out.println(MigrationFormat.json(rows));
        } else {
            String format = "%-16s %-8s %-26s %11s %5s  %s%n";
            out.printf(format, "VM", "HOST", "STATE", "MEMORY", "VCPUS", "BINDINGS");
            for (int i = 0; i < rows.size(); i++) {
                Map<String, Object> row = rows.get(i);
                @SuppressWarnings("unchecked")
                List<Map<String, String>> bindings = (List<Map<String, String>>) row.get("bindings");
                out.printf(format, row.get("name"), row.get("host"),
                        states.get(i),
                        Units.mib((Long) row.get("memory_bytes")), row.get("vcpus"),
                        bindings.stream().map(b -> b.get("kind") + " " + b.get("device") + "=" + b.get("resource"))
                                .collect(Collectors.joining(", ")));
            }
        }
        out.flush();
        return refused ? ExitCodes.REFUSED : allUp ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    }

    private int fromOrchestrator(OrchestratorClient client) {
        if (onlyHost != null) {
            List<String> names = client.listHosts().getHostsList().stream()
                    .map(io.livemig.proto.orchestrator.v1.Host::getName).toList();
            if (!names.contains(onlyHost)) {
                throw new IllegalArgumentException("unknown host '" + onlyHost + "' (hosts: " + String.join(", ", names) + ")");
            }
        }
        ListVmsResponse response = client.listVms(onlyHost);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> vms = new ArrayList<>();
            for (io.livemig.proto.orchestrator.v1.Vm vm : response.getVmsList()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", vm.getName());
                row.put("host", vm.getHost());
                row.put("memory_bytes", vm.getMemoryBytes());
                row.put("vcpus", vm.getVcpus());
                row.put("cpu_utilisation", vm.getCpuUtilisation());
                row.put("dirty_rate_bytes_per_s", vm.getDirtyRateBytesPerS());
                row.put("ram_held_bytes", vm.getRamHeldBytes());
                row.put("state", MigrationFormat.enumName(vm.getState().getValueDescriptor()));
                row.put("state_reason", vm.getStateReason());
                row.put("requires", List.copyOf(vm.getRequiresList()));
                vms.add(row);
            }
            out.println(MigrationFormat.json(Map.of("vms", vms)));
        } else {
            String format = "%-16s %-12s %-26s %11s %5s %6s %11s  %s%n";
            out.printf(format, "NAME", "HOST", "STATE", "MEM", "VCPUS", "CPU%", "DIRTY/S", "REQUIRES");
            for (io.livemig.proto.orchestrator.v1.Vm vm : response.getVmsList()) {
                out.printf(format, vm.getName(), vm.getHost(), MigrationFormat.vmState(vm.getState(), vm.getStateReason()),
                        Units.size(vm.getMemoryBytes()), vm.getVcpus(),
                        String.format(Locale.ROOT, "%.1f", vm.getCpuUtilisation() * 100),
                        Units.size(vm.getDirtyRateBytesPerS()), String.join(", ", vm.getRequiresList()));
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
