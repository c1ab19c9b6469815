package io.livemig.cli.command;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.CallFailures;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.HostConfig;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.agent.v1.ListVmsRequest;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.proto.agent.v1.VmState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a migration straight through the agents ({@code --cluster}) goes: the one host the VM
 * runs on, found by asking every agent, and the target named by {@code --to}; {@code vm} is how
 * the source's agent listed it.
 */
record AgentRoute(HostConfig source, HostConfig target, Vm vm) {

    /**
     * The VM's host and {@code targetHost} from the cluster file; refused when the VM runs on no
     * host, on several, or on the target already.
     */
    static AgentRoute locate(AgentChannels channels, ClusterConfig config, String vmName, String targetHost)
            throws ConfigException {
        HostConfig target = config.requireHost(targetHost);
        Listed found = whereRuns(channels, config, vmName);
        if (found.host().name().equals(target.name())) {
            throw new IllegalArgumentException("VM '" + vmName + "' already runs on " + target.name());
        }
        return new AgentRoute(found.host(), target, found.vm());
    }

    /** A VM as the agent of {@code host} listed it. */
    private record Listed(HostConfig host, Vm vm) {}

    /** The one host the VM runs on, asking every agent. */
    private static Listed whereRuns(AgentChannels channels, ClusterConfig config, String vmName) {
        List<Listed> running = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        StatusRuntimeException firstFailure = null;
        for (HostConfig host : config.hosts()) {
            try {
                List<Vm> vms = AgentServiceGrpc.newBlockingStub(channels.to(host.agent()))
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .listVms(ListVmsRequest.newBuilder().setActiveOnly(true).build()).getVmsList();
                vms.stream().filter(vm -> vm.getName().equals(vmName) && vm.getState() != VmState.VM_STATE_SHUT_OFF)
                        .findFirst().ifPresent(vm -> running.add(new Listed(host, vm)));
            } catch (StatusRuntimeException e) {
                unreachable.add(host.name());
                if (firstFailure == null) {
                    Status status = e.getStatus();
                    String detail = CallFailures.detail(status);
                    // A refused handshake names the agent, as in vms and hosts (the cause stays: exit code 4).
                    String tls = CallFailures.tls(e, "the agent of " + host.name());
                    firstFailure = status.withDescription(tls != null ? CallFailures.TLS_FAILED + tls
                            : "cannot reach the agent of " + host.name() + " at " + host.agent()
                                    + (detail.isEmpty() ? "" : ": " + detail)).asRuntimeException();
                }
            }
        }
        if (running.size() == 1) {
            return running.get(0);
        }
        if (running.isEmpty() && firstFailure != null && unreachable.size() == config.hosts().size()) {
            // No agent answered: whether the VM exists is unknown; say why (unavailable, or refused).
            throw firstFailure;
        }
        if (running.isEmpty()) {
            String note = unreachable.isEmpty() ? "" : " (unreachable: " + String.join(", ", unreachable) + ")";
            throw new IllegalArgumentException("VM '" + vmName + "' runs on no host of the cluster" + note);
        }
        throw new IllegalArgumentException("VM '" + vmName + "' runs on several hosts: "
                + String.join(", ", running.stream().map(l -> l.host().name()).toList()));
    }
}
