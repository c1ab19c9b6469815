package io.livemig.orchestrator.service;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.HostConfig;
import io.livemig.orchestrator.model.GuestVm;
import io.livemig.orchestrator.model.HostReport;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.orchestrator.placement.HostLoad;
import io.livemig.orchestrator.placement.PlacementSettings;
import io.livemig.orchestrator.placement.Spread;
import io.livemig.orchestrator.placement.VmLoad;
import io.livemig.orchestrator.service.Orchestrator.HostView;
import io.livemig.orchestrator.service.Orchestrator.VmView;
import io.livemig.orchestrator.service.OrchestratorException.Code;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's hosts as the orchestrator follows them: asks their agents for the host and its
 * running VMs, keeps each host's {@link HostTracker} (up or down, samples), and turns the samples
 * into the loads placement works with. Thread-safe.
 */
final class HostMonitor {

    /** Host up/down lines are the orchestrator's, whichever class notices. */
    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);

    private final Map<String, HostTracker> hosts = new LinkedHashMap<>();
    private final Agents agents;
    private final PlacementSettings placementSettings;
    private final ChangeSignal signal;

    HostMonitor(ClusterConfig cluster, int loadWindow, Agents agents, PlacementSettings placementSettings,
            ChangeSignal signal) {
        this.agents = agents;
        this.placementSettings = placementSettings;
        this.signal = signal;
        for (HostConfig host : cluster.hosts()) {
            hosts.put(host.name(), new HostTracker(host, loadWindow));
        }
    }

    /** Asks every agent for its host and running VMs once; a failure counts against its health. */
    void pollAll() {
        for (HostTracker host : hosts.values()) {
            poll(host);
        }
        signal.changed();
    }

    /**
     * Polls these hosts of the cluster file at the same time, the first on the calling thread and
     * each other on one of {@code executor}'s; returns once every one has answered or failed.
     */
    void pollTogether(List<String> names, Executor executor) {
        List<HostTracker> trackers = names.stream().distinct().map(hosts::get).filter(Objects::nonNull).toList();
        List<CompletableFuture<Void>> others = trackers.stream().skip(1)
                .map(t -> CompletableFuture.runAsync(() -> poll(t), executor)).toList();
        if (!trackers.isEmpty()) {
            poll(trackers.get(0));
        }
        others.forEach(CompletableFuture::join);
    }

    private void poll(HostTracker host) {
        HostAvailability before = host.state();
        try {
            HostReport info = agents.hostReport(host.config());
            List<GuestVm> vms = agents.runningVms(host.config());
            host.recordSample(info, vms);
        } catch (AgentCallException e) {
            host.recordFailure(e.getMessage());
        }
        HostAvailability after = host.state();
        if ((before == HostAvailability.DOWN) != (after == HostAvailability.DOWN)) {
            if (after == HostAvailability.DOWN) {
                LOG.warn("host {} is down: {}", host.config().name(), host.stateReason());
            } else {
                LOG.info("host {} is {}", host.config().name(), after.name().toLowerCase(Locale.ROOT));
            }
        }
    }

    List<HostView> hosts() {
        List<HostView> views = new ArrayList<>();
        for (HostTracker t : hosts.values()) {
            HostLoad load = t.load(Capabilities.offered(t.config()));
            HostTracker.Sample latest = t.latest();
            views.add(new HostView(t.config(), t.state(), t.stateReason(), load,
                    latest == null ? null : latest.info(), t.sampleCount(),
                    load == null ? 0 : placementSettings.load(load)));
        }
        return views;
    }

    /** The load spread of the hosts that count (up, draining). */
    double spread() {
        return Spread.of(hostLoads(), placementSettings);
    }

    List<VmView> vms() {
        List<VmView> views = new ArrayList<>();
        for (HostTracker t : hosts.values()) {
            Map<String, Double> cpu = t.vmCpu();
            Map<String, Long> dirty = t.vmDirtyRate();
            for (GuestVm vm : t.vms()) {
                double c = cpu.getOrDefault(vm.name(), 0.0);
                long d = dirty.getOrDefault(vm.name(), 0L);
                views.add(new VmView(vm, t.config().name(), c, vmLoad(vm, t.config(), c, d)));
            }
        }
        return views;
    }

    private static VmLoad vmLoad(GuestVm vm, HostConfig host, double cpu, long dirtyRateBytesPerSec) {
        return new VmLoad(vm.name(), host.name(), Math.max(1, vm.memoryBytes()), Math.max(1, vm.vcpus()),
                Math.max(0, Math.min(1, cpu)), dirtyRateBytesPerSec, Capabilities.required(vm.bindings(), host));
    }

    /** The loads of the hosts reached at least once. */
    List<HostLoad> hostLoads() {
        List<HostLoad> loads = new ArrayList<>();
        for (HostTracker t : hosts.values()) {
            HostLoad load = t.load(Capabilities.offered(t.config()));
            if (load != null) {
                loads.add(load);
            }
        }
        return loads;
    }

    List<VmLoad> vmLoads() {
        return vms().stream().map(VmView::load).toList();
    }

    /** The VM's view; the hosts are asked again first when it is not known (it may have started since). */
    VmView findVm(String vmName) throws OrchestratorException {
        Optional<VmView> vm = vms().stream().filter(v -> v.vm().name().equals(vmName)).findFirst();
        if (vm.isEmpty()) {
            pollAll();
            vm = vms().stream().filter(v -> v.vm().name().equals(vmName)).findFirst();
        }
        VmView found = vm.orElseThrow(() -> new OrchestratorException(Code.NOT_FOUND, "no running VM '" + vmName
                + "' on any reachable host"));
        HostTracker source = hosts.get(found.host());
        if (source != null && source.state() == HostAvailability.DOWN) {
            // Its agent would not start the migration: say so now, as a client straight to the agents is told.
            throw new OrchestratorException(Code.UNAVAILABLE, "VM '" + vmName + "' was last seen on " + found.host()
                    + ", which is down (" + source.stateReason() + ")");
        }
        return found;
    }

    Optional<String> whereRuns(String vm) {
        return vms().stream().filter(v -> v.vm().name().equals(vm)).map(VmView::host).findFirst();
    }

    HostView setState(String host, HostAvailability state) throws OrchestratorException {
        HostTracker t = known(host);
        if (state == HostAvailability.DOWN) {
            throw new OrchestratorException(Code.INVALID_ARGUMENT, "down is decided by health checks; set up, draining "
                    + "or maintenance");
        }
        t.setAdminState(state);
        signal.changed();
        return hosts().stream().filter(h -> h.config().name().equals(host)).findFirst().orElseThrow();
    }

    /** The tracker of a host whose name has been checked already (where the request came in), or NOT_FOUND. */
    HostTracker known(String host) throws OrchestratorException {
        HostTracker t = hosts.get(host);
        if (t == null) {
            throw new OrchestratorException(Code.NOT_FOUND, "no host '" + host + "' in the cluster (hosts: "
                    + String.join(", ", hosts.keySet()) + ")");
        }
        return t;
    }
}
