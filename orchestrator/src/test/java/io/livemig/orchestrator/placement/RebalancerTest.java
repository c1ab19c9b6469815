package io.livemig.orchestrator.placement;

import static io.livemig.orchestrator.placement.Clusters.GIB;
import static io.livemig.orchestrator.placement.Clusters.hostsFor;
import static io.livemig.orchestrator.placement.Clusters.vm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RebalancerTest {
    private static final long NOW_MS = 1_000_000_000L;
    private static final List<String> HOSTS = List.of("h1", "h2", "h3", "h4");
    private final Rebalancer rebalancer = new Rebalancer();

    /** h1 runs eight busy VMs (load 0.7), h2 and h3 one light VM each (0.0625), h4 is empty. */
    static List<VmLoad> overloadedVms() {
        List<VmLoad> vms = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            vms.add(vm("v" + i, "h1", 4, 2, 0.9, 100));
        }
        vms.add(vm("w2", "h2", 4, 2, 0.5, 100));
        vms.add(vm("w3", "h3", 4, 2, 0.5, 100));
        return vms;
    }

    static List<VmLoad> balancedVms() {
        List<VmLoad> vms = new ArrayList<>();
        for (String h : HOSTS) {
            vms.add(vm(h + "-a", h, 8, 4, 0.6, 50));
            vms.add(vm(h + "-b", h, 4, 2, 0.3, 10));
        }
        return vms;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 5, 100})
    void balancedClusterNeedsNoMoves(int k) {
        List<VmLoad> vms = balancedVms();
        Plan p = rebalancer.plan(hostsFor(HOSTS, vms), vms,
                RebalanceSettings.DEFAULT.withMaxMovesPerRound(k), Map.of(), NOW_MS);

        assertEquals(List.of(), p.moves());
        assertEquals(0, p.spreadBefore(), 1e-12);
        assertTrue(p.summary().contains("within the threshold"), p.summary());
    }

    @ParameterizedTest(name = "K = {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void overloadedHostShedsAtMostKMovesToTheLeastLoaded(int k) {
        List<VmLoad> vms = overloadedVms();
        List<HostLoad> hosts = hostsFor(HOSTS, vms);
        RebalanceSettings s = RebalanceSettings.DEFAULT.withMaxMovesPerRound(k);

        Plan p = rebalancer.plan(hosts, vms, s, Map.of(), NOW_MS);

        assertEquals(k, p.moves().size(), p.summary());
        assertEquals("h4", p.moves().get(0).to(), "the first move goes to the empty host");
        assertTrue(p.spreadAfter() < p.spreadBefore(), p.summary());
        assertEquals(Spread.of(hosts, s.placement()), p.spreadBefore(), 1e-12);
        double expectedAfter = p.spreadBefore();
        for (PlannedMove m : p.moves()) {
            assertEquals("h1", m.from());
            assertTrue(m.gain() >= s.minGain(), m.reason());
            expectedAfter -= m.gain();
        }
        assertEquals(expectedAfter, p.spreadAfter(), 1e-9, "gains add up to the spread change");
        assertEquals(p.moves().size(), p.moves().stream().map(PlannedMove::vm).distinct().count());
    }

    @ParameterizedTest(name = "moved {0} ms ago -> moves: {1}")
    @CsvSource({
            "1000,    false",
            "599999,  false",
            "600000,  true",
            "3600000, true",
    })
    void recentlyMovedVmsAreLeftAloneDuringCooldown(long ageMs, boolean expectMoves) {
        List<VmLoad> vms = overloadedVms();
        Map<String, Long> lastMoved = new HashMap<>();
        for (int i = 1; i <= 8; i++) {
            lastMoved.put("v" + i, NOW_MS - ageMs);
        }

        Plan p = rebalancer.plan(hostsFor(HOSTS, vms), vms, RebalanceSettings.DEFAULT, lastMoved,
                NOW_MS);

        assertEquals(expectMoves, !p.moves().isEmpty(), p.summary());
        if (!expectMoves) {
            // With h1's VMs cooling down, the next loaded hosts' VMs cannot gain enough either.
            assertTrue(p.summary().contains("cooldown"), p.summary());
            assertEquals(p.spreadBefore(), p.spreadAfter(), 1e-12);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v5", "v8"})
    void aCoolingVmIsSkippedButOthersMove(String cooling) {
        List<VmLoad> vms = overloadedVms();
        Plan p = rebalancer.plan(hostsFor(HOSTS, vms), vms, RebalanceSettings.DEFAULT,
                Map.of(cooling, NOW_MS - 1), NOW_MS);

        assertTrue(!p.moves().isEmpty());
        p.moves().forEach(m -> assertNotEquals(cooling, m.vm()));
    }

    @ParameterizedTest(name = "minGain {0} -> moves: {1}")
    @CsvSource({
            "0.0,   true",
            "0.002, true",
            "0.05,  true",
            "0.5,   false",
    })
    void movesBelowTheMinimumGainAreNotPlanned(double minGain, boolean expectMoves) {
        List<VmLoad> vms = overloadedVms();
        Plan p = rebalancer.plan(hostsFor(HOSTS, vms), vms,
                RebalanceSettings.DEFAULT.withMinGain(minGain), Map.of(), NOW_MS);

        assertEquals(expectMoves, !p.moves().isEmpty(), p.summary());
        p.moves().forEach(m -> assertTrue(m.gain() >= minGain));
    }

    @ParameterizedTest(name = "quiet VM {0}")
    @ValueSource(strings = {"v1", "v4", "v8"})
    void theCheapestEquivalentVmMovesFirst(String quiet) {
        List<VmLoad> vms = new ArrayList<>();
        for (VmLoad v : overloadedVms()) {
            long dirty = v.name().equals(quiet) ? 0 : 800L * 1024 * 1024;
            vms.add(new VmLoad(v.name(), v.host(), v.memoryBytes(), v.vcpus(), v.cpuUtilisation(),
                    v.host().equals("h1") ? dirty : v.dirtyRateBytesPerSec(), Set.of()));
        }
        Plan p = rebalancer.plan(hostsFor(HOSTS, vms), vms, RebalanceSettings.DEFAULT, Map.of(),
                NOW_MS);

        assertEquals(quiet, p.moves().get(0).vm(), p.moves().get(0).reason());
    }

    @ParameterizedTest
    @EnumSource(PlacementPolicy.class)
    void drainMovesEveryVmOffTheHost(PlacementPolicy policy) {
        List<VmLoad> vms = overloadedVms();
        Plan p = rebalancer.drain("h1", hostsFor(HOSTS, vms), vms, policy, RebalanceSettings.DEFAULT);

        assertEquals(List.of(), p.unplaced());
        assertEquals(8, p.moves().size(), p.summary());
        for (PlannedMove m : p.moves()) {
            assertEquals("h1", m.from());
            assertTrue(Set.of("h2", "h3", "h4").contains(m.to()), m.to());
        }
    }

    static Stream<Arguments> undrainable() {
        // h1 is drained; h2 has room for one 4 GiB VM (plus headroom) only, h3 is down.
        HostLoad h1 = new HostLoad("h1", HostAvailability.UP, 16, 0.5, 64 * GIB, 40 * GIB, 24 * GIB, 3,
                Set.of(), "x86");
        HostLoad h2 = new HostLoad("h2", HostAvailability.UP, 16, 0.1, 64 * GIB, 6 * GIB, 58 * GIB, 1,
                Set.of(), "x86");
        HostLoad h3 = new HostLoad("h3", HostAvailability.DOWN, 16, 0, 64 * GIB, 64 * GIB, 0, 0, Set.of(),
                "x86");
        HostLoad h4 = new HostLoad("h4", HostAvailability.UP, 16, 0, 64 * GIB, 64 * GIB, 0, 0, Set.of(),
                "arm");
        VmLoad a = vm("a", "h1", 4, 2, 0.5, 0);
        VmLoad b = vm("b", "h1", 4, 2, 0.5, 0);
        VmLoad gpu = new VmLoad("g", "h1", 2 * GIB, 2, 0.5, 0, Set.of("gpu"));
        return Stream.of(
                Arguments.of("second VM finds no memory", List.of(h1, h2, h3), List.of(a, b), 1,
                        "not_enough_memory"),
                Arguments.of("the down host is counted", List.of(h1, h2, h3), List.of(a, b), 1,
                        "host_down"),
                Arguments.of("capability nobody offers", List.of(h1, h2, h3), List.of(gpu), 0,
                        "missing_capability"),
                Arguments.of("only other free host has another CPU family", List.of(h1, h3, h4),
                        List.of(a), 0, "incompatible_cpu"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("undrainable")
    void drainExplainsWhatCannotMove(String name, List<HostLoad> hosts, List<VmLoad> vms,
            int expectedMoves, String reasonPart) {
        Plan p = rebalancer.drain("h1", hosts, vms, PlacementPolicy.BALANCE,
                RebalanceSettings.DEFAULT);

        assertEquals(expectedMoves, p.moves().size());
        assertEquals(vms.size() - expectedMoves, p.unplaced().size());
        Unplaced u = p.unplaced().get(0);
        assertTrue(u.reason().contains(reasonPart), u.reason());
        assertTrue(p.summary().contains("cannot be emptied"), p.summary());
    }
}
