package io.livemig.agent.service;

import io.livemig.agent.core.rebind.BindingRule;
import io.livemig.agent.core.rebind.RebindPlanner;
import io.livemig.agent.core.rebind.ResourceBinding;
import io.livemig.agent.core.rebind.SharedStorage;
import io.livemig.agent.core.rebind.SourceHost;
import io.livemig.agent.core.rebind.TargetHost;
import io.livemig.common.config.HostConfig;
import io.livemig.common.value.CpuSet;
import io.livemig.common.value.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * This host as the rebinding planner sees it, from its cluster-file entry: as the source of its
 * VMs, as the target of incoming ones, and how a binding rule is shown.
 */
final class HostBindings {

    private final HostConfig self;
    private final RebindPlanner planner;

    HostBindings(HostConfig self, RebindPlanner planner) {
        this.self = self;
        this.planner = planner;
    }

    RebindPlanner planner() {
        return planner;
    }

    String migrationAddress() {
        return self.migrationAddress() != null ? self.migrationAddress()
                : HostPort.parse(self.agent()).host();
    }

    SourceHost sourceHost() {
        return new SourceHost(self.name(), storage(self.storage()));
    }

    static SourceHost sourceHostOf(IncomingRequest r) {
        return new SourceHost(r.sourceHost(), storage(r.sourceStorage()));
    }

    private static List<SharedStorage> storage(Map<String, String> byId) {
        return byId.entrySet().stream().map(e -> new SharedStorage(e.getKey(), e.getValue())).toList();
    }

    /** This host as a target, for a VM from a host whose logical networks are named as given. */
    TargetHost targetHostFor(IncomingRequest r) {
        TargetHost.Builder b = baseTarget();
        for (var e : r.sourceNetworks().entrySet()) {
            String local = self.networks().get(e.getKey());
            if (local != null) {
                // A logical network is a bridge or a libvirt network: map both ways of naming it.
                b.mapBridge(e.getValue(), local).mapNetwork(e.getValue(), local);
            }
        }
        return b.build();
    }

    /** This host as the target of its own VMs (to list their bindings). */
    TargetHost targetHost() {
        return baseTarget().build();
    }

    private TargetHost.Builder baseTarget() {
        String[] local = self.networks().values().toArray(String[]::new);
        TargetHost.Builder b = TargetHost.builder(self.name()).bridges(local).networks(local)
                .copyLocalDisks(self.allowDiskCopy())
                .usableCpus(CpuSet.parse(self.cpus() != null ? self.cpus() : "0-" + (Runtime.getRuntime().availableProcessors() - 1)))
                .graphicsListenAddress(self.graphicsListen() != null ? self.graphicsListen() : "127.0.0.1");
        if (self.logDir() != null) {
            b.logDirectory(self.logDir());
        }
        self.storage().forEach(b::sharedStorage);
        return b;
    }

    /** Sizes of the VM's file disks, read here (the agent runs on the source host). */
    Map<String, Long> diskSizes(String domainXml) {
        Map<String, Long> sizes = new HashMap<>();
        for (ResourceBinding binding : planner.bindings(domainXml, sourceHost())) {
            if (binding instanceof ResourceBinding.Disk disk && "file".equals(disk.type()) && disk.source() != null) {
                try {
                    sizes.put(disk.source(), Files.size(Path.of(disk.source())));
                } catch (IOException e) {
                    // not readable from here: the target refuses to copy it, with the reason
                }
            }
        }
        return sizes;
    }

    static String kind(BindingRule rule) {
        return rule.binding().getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    static Incoming.PlanStep step(BindingRule rule) {
        return new Incoming.PlanStep(kind(rule), rule.binding().subject(), rule.action().name().toLowerCase(Locale.ROOT),
                rule.from() == null ? "" : rule.from(), rule.to() == null ? "" : rule.to(),
                rule.reason() == null ? "" : rule.reason());
    }
}
