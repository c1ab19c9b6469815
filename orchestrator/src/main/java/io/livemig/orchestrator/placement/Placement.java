package io.livemig.orchestrator.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Chooses a host for one VM. Pure: the same inputs give the same decision, and nothing is read
 * from outside the arguments.
 *
 * <p>Feasibility comes first, one check at a time, and the first failed check is the host's
 * rejection reason: the host must be UP (not down, in maintenance or draining), must not be the
 * VM's current host, must keep {@code memoryHeadroomBytes} free after receiving the VM's memory,
 * must offer every capability the VM requires, and must have the same CPU family as the VM's
 * current host (live migration cannot cross CPU families; a VM not yet placed has no constraint).
 *
 * <p>Feasible hosts are then scored, lower being better, on the projected state after the move:
 * the target gains the VM's memory and CPU demand ({@code cpuUtilisation * vcpus}) and the
 * current host loses them.
 *
 * <ul>
 *   <li>{@code BALANCE}: the {@link Spread} (stddev of weighted UP-host load) after the move.
 *   <li>{@code LEAST_LOADED}: the target's weighted load after the move.
 *   <li>{@code ROUND_ROBIN}: 0 for hosts named after the previously chosen host, 1 for the rest,
 *       so that with the name tie-break the order is a rotation.
 * </ul>
 *
 * Ties are broken by host name, so the choice never depends on the order of the input list.
 */
public final class Placement {

    /** Places {@code vm} under {@code policy}; a ROUND_ROBIN rotation starts at the first name. */
    public TargetChoice place(
            VmLoad vm, List<HostLoad> hosts, PlacementPolicy policy, PlacementSettings settings) {
        return place(vm, hosts, policy, settings, "");
    }

    /**
     * Places {@code vm}; {@code previousHost} is the host ROUND_ROBIN chose last time (the
     * caller keeps it, so that this class stays free of state). Ignored by the other policies.
     */
    public TargetChoice place(VmLoad vm, List<HostLoad> hosts, PlacementPolicy policy,
            PlacementSettings settings, String previousHost) {
        Evaluation e = evaluate(vm, hosts, policy, settings, previousHost, true);
        List<TargetCandidate> candidates = new ArrayList<>(e.candidates());
        candidates.sort(BY_SCORE_THEN_NAME);
        List<HostRejection> rejections = new ArrayList<>(e.rejections());
        rejections.sort(Comparator.comparing(HostRejection::host));
        return new TargetChoice(vm.name(), policy, e.best().map(TargetCandidate::host), candidates, rejections);
    }

    /**
     * The first failed feasibility check of {@code host} for {@code vm}, or empty when it could
     * take the VM. {@code sourceCpuFamily} is the CPU family of the VM's current host, or null
     * when the VM is not placed or its host is unknown.
     */
    public static Optional<HostRejection> check(
            VmLoad vm, HostLoad host, String sourceCpuFamily, PlacementSettings settings) {
        String name = host.name();
        switch (host.state()) {
            case DOWN:
                return reject(name, RejectReason.HOST_DOWN, "Host " + name + " is down.");
            case MAINTENANCE:
                return reject(name, RejectReason.HOST_IN_MAINTENANCE,
                        "Host " + name + " is in maintenance and takes no VMs.");
            case DRAINING:
                return reject(name, RejectReason.HOST_DRAINING,
                        "Host " + name + " is draining and takes no new VMs.");
            case UP:
                break;
        }
        if (name.equals(vm.host())) {
            return reject(name, RejectReason.CURRENT_HOST,
                    "VM " + vm.name() + " already runs on " + name + ".");
        }
        long needed = vm.memoryBytes() + settings.memoryHeadroomBytes();
        if (host.memoryFreeBytes() < needed) {
            return reject(name, RejectReason.NOT_ENOUGH_MEMORY, String.format(
                    "Host %s has %d MiB free but needs %d MiB (%d MiB for the VM + %d MiB headroom).",
                    name, mib(host.memoryFreeBytes()), mib(needed), mib(vm.memoryBytes()),
                    mib(settings.memoryHeadroomBytes())));
        }
        if (!host.capabilities().containsAll(vm.requiredCapabilities())) {
            Set<String> missing = new TreeSet<>(vm.requiredCapabilities());
            missing.removeAll(host.capabilities());
            return reject(name, RejectReason.MISSING_CAPABILITY,
                    "Host " + name + " lacks required capabilities " + missing + ".");
        }
        if (sourceCpuFamily != null && !sourceCpuFamily.equals(host.cpuFamily())) {
            return reject(name, RejectReason.INCOMPATIBLE_CPU, String.format(
                    "Host %s has CPU family '%s' but the VM runs on '%s'; live migration needs the same.",
                    name, host.cpuFamily(), sourceCpuFamily));
        }
        return Optional.empty();
    }

    static final Comparator<TargetCandidate> BY_SCORE_THEN_NAME =
            Comparator.comparingDouble(TargetCandidate::score).thenComparing(TargetCandidate::host);

    /** The best candidate, the spread after moving there, and (if explained) all the details. */
    record Evaluation(Optional<TargetCandidate> best, double spreadAfter, List<TargetCandidate> candidates,
            List<HostRejection> rejections) {}

    /**
     * One pass over the hosts. With {@code explain} false no lists are built, which is what the
     * rebalancer wants when it scores thousands of (VM, host) pairs.
     */
    Evaluation evaluate(VmLoad vm, List<HostLoad> hosts, PlacementPolicy policy,
            PlacementSettings settings, String previousHost, boolean explain) {
        HostLoad source = null;
        if (!vm.host().isEmpty()) {
            for (HostLoad h : hosts) {
                if (h.name().equals(vm.host())) {
                    source = h;
                    break;
                }
            }
        }
        Spread.Stats stats = Spread.Stats.of(hosts, settings);
        // The source's share of the spread after the move is the same for every target.
        Spread.Stats withoutVm = stats;
        if (source != null && source.state() == HostAvailability.UP) {
            withoutVm = stats.replace(settings.load(source), settings.load(source.withVmRemoved(vm)));
        }
        String sourceFamily = source == null ? null : source.cpuFamily();

        List<TargetCandidate> candidates = explain ? new ArrayList<>() : List.of();
        List<HostRejection> rejections = explain ? new ArrayList<>() : List.of();
        TargetCandidate best = null;
        double bestSpread = withoutVm.stddev();
        for (HostLoad h : hosts) {
            Optional<HostRejection> rejection = check(vm, h, sourceFamily, settings);
            if (rejection.isPresent()) {
                if (explain) {
                    rejections.add(rejection.get());
                }
                continue;
            }
            double before = settings.load(h);
            double after = settings.load(h.withVmAdded(vm));
            double spreadAfter = withoutVm.replace(before, after).stddev();
            double score = switch (policy) {
                case BALANCE -> spreadAfter;
                case LEAST_LOADED -> after;
                case ROUND_ROBIN -> h.name().compareTo(previousHost) > 0 ? 0 : 1;
            };
            TargetCandidate c = new TargetCandidate(h.name(), score, after);
            if (explain) {
                candidates.add(c);
            }
            if (best == null || BY_SCORE_THEN_NAME.compare(c, best) < 0) {
                best = c;
                bestSpread = spreadAfter;
            }
        }
        return new Evaluation(Optional.ofNullable(best), bestSpread, candidates, rejections);
    }

    private static Optional<HostRejection> reject(String host, RejectReason reason, String why) {
        return Optional.of(new HostRejection(host, reason, why));
    }

    static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }
}
