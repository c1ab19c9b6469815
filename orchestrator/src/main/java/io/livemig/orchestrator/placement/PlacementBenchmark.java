package io.livemig.orchestrator.placement;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Times placement and rebalance planning on seeded synthetic clusters of 100, 1,000 and 10,000
 * hosts (10 VMs each) and compares the plan with a greedy baseline measured in the same run:
 * K times, move the biggest VM of the most loaded host to the least loaded feasible host.
 * Besides time, it prints the spread and the highest host load after the moves, and the bytes
 * the moves would send ({@link RebalanceSettings#estimatedCostBytes}), because the planner
 * trades some spread for cheaper migrations.
 *
 * <p>Not a test: run it by hand with {@code java -cp orchestrator/target/classes
 * io.livemig.orchestrator.placement.PlacementBenchmark}.
 */
public final class PlacementBenchmark {
    private static final long GIB = 1024L * 1024 * 1024;
    private static final int WARMUP = 3;
    private static final int RUNS = 5;
    private static final int K = 10;

    private PlacementBenchmark() {}

    public static void main(String[] args) {
        // The stddev gain of one move shrinks like 1/hosts, so a fixed minGain that suits 100 hosts
        // would forbid every move on 10,000; the benchmark asks only for a strict improvement.
        RebalanceSettings settings = new RebalanceSettings(0.0, 1e-9, K, 600_000L,
                1_250_000_000L, 5, PlacementSettings.DEFAULT);
        PlacementSettings ps = settings.placement();
        System.out.printf("K=%d moves, %d warm-up + %d timed runs, median times; loads are weighted"
                + " 0.5 CPU + 0.5 memory; spread = stddev of UP-host load%n", K, WARMUP, RUNS);
        System.out.printf("%7s %7s | %8s %8s | %9s %9s | %8s %5s %8s %7s %7s | %8s %5s %8s %7s %7s%n",
                "hosts", "vms", "spread0", "maxLoad0", "placeBAL", "placeLL",
                "planMs", "moves", "spread", "maxLoad", "sendGiB",
                "greedyMs", "moves", "spread", "maxLoad", "sendGiB");
        for (int n : new int[] {100, 1_000, 10_000}) {
            Random random = new Random(42 + n);
            List<HostLoad> hosts = new ArrayList<>();
            List<VmLoad> vms = new ArrayList<>();
            synthesise(n, random, hosts, vms);

            VmLoad probe = biggestVmOf(mostLoaded(hosts, ps, Set.of()).name(), vms, Set.of());
            Placement placement = new Placement();
            Rebalancer rebalancer = new Rebalancer();
            Timed<TargetChoice> bal = time(() ->
                    placement.place(probe, hosts, PlacementPolicy.BALANCE, ps));
            Timed<TargetChoice> ll = time(() ->
                    placement.place(probe, hosts, PlacementPolicy.LEAST_LOADED, ps));
            Timed<Plan> plan = time(() -> rebalancer.plan(hosts, vms, settings, Map.of(), 0L));
            Timed<Greedy> greedy = time(() -> greedy(hosts, vms, settings));

            System.out.printf(
                    "%7d %7d | %8.4f %8.4f | %7.3fms %7.3fms | %8.2f %5d %8.5f %7.4f %7.1f"
                            + " | %8.2f %5d %8.5f %7.4f %7.1f%n",
                    n, vms.size(), Spread.of(hosts, ps), maxLoad(hosts, ps), bal.ms, ll.ms,
                    plan.ms, plan.value.moves().size(), plan.value.spreadAfter(),
                    maxLoad(apply(hosts, vms, plan.value.moves()), ps),
                    plan.value.moves().stream().mapToDouble(PlannedMove::estimatedCostBytes).sum() / GIB,
                    greedy.ms, greedy.value.moves, greedy.value.spreadAfter, greedy.value.maxLoadAfter,
                    greedy.value.sendBytes / GIB);
            if (bal.value.chosenHost().isEmpty() || ll.value.chosenHost().isEmpty()) {
                System.out.println("  (probe VM unplaceable: " + bal.value.whyUnplaceable() + ")");
            }
        }
    }

    /**
     * Two CPU families, every host on net:prod, 80% with storage:ceph, 5% with a GPU. A tenth of
     * the hosts run busy VMs, so that there is something to rebalance.
     */
    private static void synthesise(int n, Random r, List<HostLoad> hosts, List<VmLoad> vms) {
        long[] vmGib = {2, 4, 8, 16, 32};
        int[] vcpus = {1, 2, 4, 8};
        for (int i = 0; i < n; i++) {
            String name = String.format("host-%05d", i);
            Set<String> caps = new HashSet<>(Set.of("net:prod"));
            if (r.nextDouble() < 0.8) {
                caps.add("storage:ceph");
            }
            if (r.nextDouble() < 0.05) {
                caps.add("gpu");
            }
            boolean hot = r.nextDouble() < 0.1;
            HostLoad h = new HostLoad(name, HostAvailability.UP, r.nextBoolean() ? 32 : 64, 0.02,
                    (r.nextBoolean() ? 256 : 512) * GIB, 0, 0, 0, caps, r.nextBoolean() ? "icelake" : "zen3");
            h = new HostLoad(h.name(), h.state(), h.cpus(), h.cpuUtilisation(), h.memoryTotalBytes(),
                    h.memoryTotalBytes() - 8 * GIB, 8 * GIB, 0, caps, h.cpuFamily());
            for (int v = 0; v < 10; v++) {
                Set<String> req = new HashSet<>(Set.of("net:prod"));
                if (caps.contains("storage:ceph") && r.nextBoolean()) {
                    req.add("storage:ceph");
                }
                VmLoad vm = new VmLoad(name + "-vm" + v, name,
                        vmGib[r.nextInt(hot ? 5 : 4)] * GIB, vcpus[r.nextInt(4)],
                        hot ? 0.7 + 0.3 * r.nextDouble() : 0.05 + 0.4 * r.nextDouble(),
                        (long) (r.nextDouble() * 500) * 1024 * 1024, req);
                if (h.memoryFreeBytes() - vm.memoryBytes() < 4 * GIB) {
                    continue;
                }
                h = h.withVmAdded(vm);
                vms.add(vm);
            }
            hosts.add(h);
        }
    }

    record Greedy(int moves, double spreadAfter, double maxLoadAfter, double sendBytes) {}

    /** The baseline: biggest VM of the most loaded host to the least loaded feasible host. */
    static Greedy greedy(List<HostLoad> input, List<VmLoad> vmsIn, RebalanceSettings s) {
        PlacementSettings ps = s.placement();
        double sendBytes = 0;
        List<HostLoad> hosts = new ArrayList<>(input);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            index.put(hosts.get(i).name(), i);
        }
        List<VmLoad> vms = new ArrayList<>(vmsIn);
        Set<String> moved = new HashSet<>();
        Set<String> exhausted = new HashSet<>();
        int moves = 0;
        while (moves < K && exhausted.size() < hosts.size()) {
            HostLoad from = mostLoaded(hosts, ps, exhausted);
            VmLoad vm = biggestVmOf(from.name(), vms, moved);
            if (vm == null) {
                exhausted.add(from.name());
                continue;
            }
            HostLoad to = null;
            for (HostLoad h : hosts) {
                if (Placement.check(vm, h, from.cpuFamily(), ps).isEmpty()
                        && (to == null || ps.load(h) < ps.load(to))) {
                    to = h;
                }
            }
            moved.add(vm.name());
            if (to == null) {
                continue;
            }
            hosts.set(index.get(from.name()), from.withVmRemoved(vm));
            hosts.set(index.get(to.name()), to.withVmAdded(vm));
            vms.set(vms.indexOf(vm), vm.onHost(to.name()));
            sendBytes += s.estimatedCostBytes(vm);
            moves++;
        }
        return new Greedy(moves, Spread.of(hosts, ps), maxLoad(hosts, ps), sendBytes);
    }

    private static HostLoad mostLoaded(List<HostLoad> hosts, PlacementSettings ps, Set<String> skip) {
        HostLoad best = null;
        for (HostLoad h : hosts) {
            if (!skip.contains(h.name()) && (best == null || ps.load(h) > ps.load(best))) {
                best = h;
            }
        }
        return best;
    }

    private static VmLoad biggestVmOf(String host, List<VmLoad> vms, Set<String> skip) {
        VmLoad best = null;
        for (VmLoad v : vms) {
            if (v.host().equals(host) && !skip.contains(v.name())
                    && (best == null || v.memoryBytes() > best.memoryBytes())) {
                best = v;
            }
        }
        return best;
    }

    private static List<HostLoad> apply(List<HostLoad> input, List<VmLoad> vms, List<PlannedMove> moves) {
        Map<String, HostLoad> byName = new HashMap<>();
        input.forEach(h -> byName.put(h.name(), h));
        Map<String, VmLoad> vmByName = new HashMap<>();
        vms.forEach(v -> vmByName.put(v.name(), v));
        for (PlannedMove m : moves) {
            VmLoad v = vmByName.get(m.vm());
            byName.put(m.from(), byName.get(m.from()).withVmRemoved(v));
            byName.put(m.to(), byName.get(m.to()).withVmAdded(v));
        }
        return new ArrayList<>(byName.values());
    }

    private static double maxLoad(List<HostLoad> hosts, PlacementSettings ps) {
        return hosts.stream().mapToDouble(ps::load).max().orElse(0);
    }

    record Timed<T>(T value, double ms) {}

    private static <T> Timed<T> time(Supplier<T> work) {
        T value = null;
        for (int i = 0; i < WARMUP; i++) {
            value = work.get();
        }
        double[] ms = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            value = work.get();
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return new Timed<>(value, ms[RUNS / 2]);
    }
}
