package io.livemig.orchestrator.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans migrations that even out the load of a cluster, or empty one host. Pure: it returns a
 * {@link Plan} and runs nothing.
 *
 * <p>Rebalancing runs while the {@link Spread} (population stddev of the weighted load of the UP
 * hosts) is above {@code spreadThreshold}, at most {@code maxMovesPerRound} times. Each step
 * looks at the {@code maxSourceHosts} most loaded UP hosts, most loaded first; for each of their
 * VMs (not already moved in this plan, not within the cooldown) it finds the BALANCE placement
 * and its gain = spread now - spread after. Moves with a gain below {@code minGain} are dropped;
 * among the rest of the most loaded host that has any, the one with the highest gain per
 * estimated byte sent ({@link RebalanceSettings#estimatedCostBytes}) is taken, so that small,
 * quiet VMs are preferred to big busy ones that would do the same good. The step is applied to
 * a working copy of the cluster before the next one is planned.
 */
public final class Rebalancer {
    private final Placement placement = new Placement();

    public Plan plan(List<HostLoad> hosts, List<VmLoad> vms, RebalanceSettings s,
            Map<String, Long> lastMovedAtMs, long nowMs) {
        PlacementSettings ps = s.placement();
        Cluster cluster = new Cluster(hosts, vms);
        double before = Spread.of(cluster.hosts, ps);
        if (before <= s.spreadThreshold()) {
            return new Plan(List.of(), List.of(), before, before, String.format(
                    "Spread %.4f is within the threshold %.4f; nothing to do.", before, s.spreadThreshold()));
        }
        List<PlannedMove> moves = new ArrayList<>();
        Set<String> moved = new HashSet<>();
        int coolingDown = 0;
        String stop = null;
        for (int step = 0; step < s.maxMovesPerRound(); step++) {
            double now = Spread.of(cluster.hosts, ps);
            if (now <= s.spreadThreshold()) {
                stop = String.format("spread %.4f reached the threshold %.4f", now, s.spreadThreshold());
                break;
            }
            List<HostLoad> sources = cluster.hosts.stream()
                    .filter(h -> h.state() == HostAvailability.UP)
                    .sorted(Comparator.comparingDouble((HostLoad h) -> -ps.load(h))
                            .thenComparing(HostLoad::name))
                    .limit(s.maxSourceHosts())
                    .toList();
            Step best = null;
            coolingDown = 0;
            for (HostLoad source : sources) {
                for (VmLoad vm : cluster.vmsOn(source.name())) {
                    if (moved.contains(vm.name())) {
                        continue;
                    }
                    Long last = lastMovedAtMs.get(vm.name());
                    if (last != null && nowMs - last < s.cooldownMs()) {
                        coolingDown++;
                        continue;
                    }
                    Placement.Evaluation e =
                            placement.evaluate(vm, cluster.hosts, PlacementPolicy.BALANCE, ps, "", false);
                    if (e.best().isEmpty()) {
                        continue;
                    }
                    double gain = now - e.spreadAfter();
                    if (gain < s.minGain()) {
                        continue;
                    }
                    double cost = s.estimatedCostBytes(vm);
                    Step candidate = new Step(vm, source, e.best().get(), gain, cost, now, e.spreadAfter());
                    if (best == null || candidate.value() > best.value()
                            || (candidate.value() == best.value() && vm.name().compareTo(best.vm.name()) < 0)) {
                        best = candidate;
                    }
                }
                if (best != null) {
                    break;
                }
            }
            if (best == null) {
                stop = String.format("no move of a VM on the %d most loaded hosts lowers the spread by"
                        + " at least %.4f%s", sources.size(), s.minGain(),
                        coolingDown > 0 ? " (" + coolingDown + " VMs skipped for cooldown)" : "");
                break;
            }
            HostLoad target = cluster.host(best.target.host());
            String reason = String.format(
                    "%s is among the most loaded hosts (load %.3f); moving %s (%d MiB, about %d MiB to"
                            + " send) to %s (load %.3f -> %.3f) lowers the spread %.4f -> %.4f.",
                    best.source.name(), ps.load(best.source), best.vm.name(),
                    Placement.mib(best.vm.memoryBytes()), (long) (best.cost / (1024 * 1024)),
                    target.name(), ps.load(target), best.target.projectedHostLoad(),
                    best.spreadBefore, best.spreadAfter);
            moves.add(new PlannedMove(best.vm.name(), best.source.name(), target.name(), reason, best.gain,
                    best.cost));
            moved.add(best.vm.name());
            cluster.move(best.vm, target.name());
        }
        double after = Spread.of(cluster.hosts, ps);
        if (stop == null) {
            stop = "reached the limit of " + s.maxMovesPerRound() + " moves";
        }
        return new Plan(moves, List.of(), before, after, String.format(
                "Spread %.4f -> %.4f with %d moves; stopped because %s.", before, after, moves.size(),
                stop));
    }

    /**
     * Plans moving every VM off {@code host} with {@code policy}, biggest VM first (the big ones
     * are the hardest to fit, so they get the pick of the free memory). Cooldown and the move
     * limit do not apply: the host must be emptied. The host is treated as DRAINING, so it is
     * neither a target nor part of the spread. VMs that fit nowhere are listed as unplaced with
     * the reasons.
     */
    public Plan drain(String host, List<HostLoad> hosts, List<VmLoad> vms, PlacementPolicy policy,
            RebalanceSettings s) {
        PlacementSettings ps = s.placement();
        Cluster cluster = new Cluster(hosts, vms);
        HostLoad drained = cluster.host(host);
        if (drained == null) {
            throw new IllegalArgumentException("unknown host: " + host);
        }
        if (drained.state() == HostAvailability.UP) {
            cluster.replace(new HostLoad(drained.name(), HostAvailability.DRAINING, drained.cpus(),
                    drained.cpuUtilisation(), drained.memoryTotalBytes(), drained.memoryFreeBytes(),
                    drained.memoryCommittedBytes(), drained.vmCount(), drained.capabilities(),
                    drained.cpuFamily()));
        }
        double before = Spread.of(cluster.hosts, ps);
        List<VmLoad> toMove = new ArrayList<>(cluster.vmsOn(host));
        toMove.sort(Comparator.comparingLong((VmLoad v) -> -v.memoryBytes())
                .thenComparing(VmLoad::name));
        List<PlannedMove> moves = new ArrayList<>();
        List<Unplaced> unplaced = new ArrayList<>();
        String previous = "";
        for (VmLoad vm : toMove) {
            double now = Spread.of(cluster.hosts, ps);
            TargetChoice d = placement.place(vm, cluster.hosts, policy, ps, previous);
            if (d.chosenHost().isEmpty()) {
                unplaced.add(new Unplaced(vm.name(), host, d.whyUnplaceable()));
                continue;
            }
            String to = d.chosenHost().get();
            TargetCandidate c = d.candidates().get(0);
            cluster.move(vm, to);
            double after = Spread.of(cluster.hosts, ps);
            moves.add(new PlannedMove(vm.name(), host, to, String.format(
                    "Draining %s: %s is the %s choice among %d feasible hosts (score %.4f).",
                    host, to, policy, d.candidates().size(), c.score()), now - after,
                    s.estimatedCostBytes(vm)));
            previous = to;
        }
        double after = Spread.of(cluster.hosts, ps);
        String summary = unplaced.isEmpty()
                ? String.format("All %d VMs of %s can move.", moves.size(), host)
                : String.format("%d of %d VMs of %s cannot move; the host cannot be emptied.",
                        unplaced.size(), toMove.size(), host);
        return new Plan(moves, unplaced, before, after, summary);
    }

    private record Step(VmLoad vm, HostLoad source, TargetCandidate target, double gain, double cost,
            double spreadBefore, double spreadAfter) {
        double value() {
            return gain / cost;
        }
    }

    /** A mutable working copy of the cluster, private to one planning call. */
    private static final class Cluster {
        final List<HostLoad> hosts;
        final Map<String, Integer> index = new HashMap<>();
        final Map<String, List<VmLoad>> vmsByHost = new HashMap<>();

        Cluster(List<HostLoad> hosts, List<VmLoad> vms) {
            this.hosts = new ArrayList<>(hosts);
            for (int i = 0; i < this.hosts.size(); i++) {
                if (index.put(this.hosts.get(i).name(), i) != null) {
                    throw new IllegalArgumentException("duplicate host: " + this.hosts.get(i).name());
                }
            }
            for (VmLoad vm : vms) {
                vmsByHost.computeIfAbsent(vm.host(), k -> new ArrayList<>()).add(vm);
            }
            // Deterministic regardless of input order.
            vmsByHost.values().forEach(l -> l.sort(Comparator.comparing(VmLoad::name)));
        }

        HostLoad host(String name) {
            Integer i = index.get(name);
            return i == null ? null : hosts.get(i);
        }

        List<VmLoad> vmsOn(String host) {
            return vmsByHost.getOrDefault(host, List.of());
        }

        void replace(HostLoad h) {
            hosts.set(index.get(h.name()), h);
        }

        void move(VmLoad vm, String to) {
            HostLoad from = host(vm.host());
            if (from != null) {
                replace(from.withVmRemoved(vm));
            }
            replace(host(to).withVmAdded(vm));
            vmsByHost.get(vm.host()).remove(vm);
            List<VmLoad> dest = vmsByHost.computeIfAbsent(to, k -> new ArrayList<>());
            dest.add(vm.onHost(to));
            dest.sort(Comparator.comparing(VmLoad::name));
        }
    }
}
