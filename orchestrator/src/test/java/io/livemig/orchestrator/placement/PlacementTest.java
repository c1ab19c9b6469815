package io.livemig.orchestrator.placement;

import static io.livemig.orchestrator.placement.Clusters.GIB;
import static io.livemig.orchestrator.placement.Clusters.host;
import static io.livemig.orchestrator.placement.Clusters.up;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class PlacementTest {
    private final Placement placement = new Placement();
    private static final PlacementSettings SETTINGS = PlacementSettings.DEFAULT; // 512 MiB headroom
    private static final HostLoad SOURCE =
            host("src", HostAvailability.UP, 16, 0.8, 64, 8, Set.of("net:prod"), "skylake");
    private static final VmLoad VM = new VmLoad("vm1", "src", 4 * GIB, 2, 0.5, 0,
            Set.of("net:prod"));

    static Stream<Arguments> feasibility() {
        Set<String> prod = Set.of("net:prod", "storage:ceph");
        long justEnough = 4 * GIB + 512L * 1024 * 1024;
        return Stream.of(
                Arguments.of("up, roomy, same family",
                        host("t", HostAvailability.UP, 16, 0.1, 64, 32, prod, "skylake"), null),
                Arguments.of("down",
                        host("t", HostAvailability.DOWN, 16, 0.1, 64, 32, prod, "skylake"), RejectReason.HOST_DOWN),
                Arguments.of("draining",
                        host("t", HostAvailability.DRAINING, 16, 0.1, 64, 32, prod, "skylake"),
                        RejectReason.HOST_DRAINING),
                Arguments.of("maintenance",
                        host("t", HostAvailability.MAINTENANCE, 16, 0.1, 64, 32, prod, "skylake"),
                        RejectReason.HOST_IN_MAINTENANCE),
                Arguments.of("one byte short of memory + headroom",
                        new HostLoad("t", HostAvailability.UP, 16, 0.1, 64 * GIB, justEnough - 1, 0, 0, prod,
                                "skylake"), RejectReason.NOT_ENOUGH_MEMORY),
                Arguments.of("exactly memory + headroom",
                        new HostLoad("t", HostAvailability.UP, 16, 0.1, 64 * GIB, justEnough, 0, 0, prod,
                                "skylake"), null),
                Arguments.of("missing capability",
                        host("t", HostAvailability.UP, 16, 0.1, 64, 32, Set.of("storage:ceph"), "skylake"),
                        RejectReason.MISSING_CAPABILITY),
                Arguments.of("incompatible CPU family",
                        host("t", HostAvailability.UP, 16, 0.1, 64, 32, prod, "epyc"), RejectReason.INCOMPATIBLE_CPU),
                Arguments.of("down wins over every later check",
                        host("t", HostAvailability.DOWN, 16, 0.1, 64, 0, Set.of(), "epyc"), RejectReason.HOST_DOWN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("feasibility")
    void feasibilityChecksExplainTheRejection(String name, HostLoad target, RejectReason expected) {
        TargetChoice d = placement.place(VM, List.of(SOURCE, target), PlacementPolicy.BALANCE, SETTINGS);

        HostRejection self = d.rejections().stream().filter(r -> r.host().equals("src")).findFirst()
                .orElseThrow();
        assertEquals(RejectReason.CURRENT_HOST, self.reason());
        if (expected == null) {
            assertEquals(Optional.of("t"), d.chosenHost());
            assertEquals(1, d.candidates().size());
        } else {
            assertEquals(Optional.empty(), d.chosenHost());
            HostRejection r = d.rejections().stream().filter(x -> x.host().equals("t")).findFirst()
                    .orElseThrow();
            assertEquals(expected, r.reason());
            assertTrue(r.explanation().startsWith("Host t ") && r.explanation().endsWith("."),
                    r.explanation());
            assertTrue(d.whyUnplaceable().contains(expected.name().toLowerCase()), d.whyUnplaceable());
        }
    }

    /**
     * Memory-only weights. Loads after moving the 10 GiB VM off src (0.9 -> 0.8):
     * a-small 0.30 -> 0.80, b-big 0.46 -> 0.47, c-mid 0.40 -> 0.50. LEAST_LOADED takes the lowest
     * target (b-big); BALANCE the lowest stddev (c-mid: 0.1807 vs a 0.1862, b 0.1876).
     */
    static List<HostLoad> policyCluster() {
        return List.of(
                up("src", 0, 100, 10),
                up("a-small", 0, 20, 14),
                up("b-big", 0, 1000, 540),
                up("c-mid", 0, 100, 60));
    }

    @ParameterizedTest(name = "{0} after ''{1}'' -> {2}")
    @CsvSource({
            "BALANCE,      '',      c-mid",
            "LEAST_LOADED, '',      b-big",
            "ROUND_ROBIN,  '',      a-small",
            "ROUND_ROBIN,  a-small, b-big",
            "ROUND_ROBIN,  b-big,   c-mid",
            "ROUND_ROBIN,  c-mid,   a-small",
    })
    void eachPolicyMakesItsOwnChoice(PlacementPolicy policy, String previous, String expected) {
        VmLoad vm = Clusters.vm("vm", "src", 10, 2, 0.5, 0);
        PlacementSettings memoryOnly = new PlacementSettings(0, 1, 512L * 1024 * 1024);

        TargetChoice d = placement.place(vm, policyCluster(), policy, memoryOnly, previous);

        assertEquals(Optional.of(expected), d.chosenHost());
        assertEquals(3, d.candidates().size());
        assertEquals(expected, d.candidates().get(0).host(), "candidates are listed best first");
    }

    @ParameterizedTest
    @EnumSource(PlacementPolicy.class)
    void defaultRoundRobinAndScoresAreExplained(PlacementPolicy policy) {
        VmLoad vm = Clusters.vm("vm", "src", 10, 2, 0.5, 0);
        TargetChoice d = placement.place(vm, policyCluster(), policy, SETTINGS);
        assertEquals(4, d.candidates().size() + d.rejections().size(), "every host is accounted for");
        for (int i = 1; i < d.candidates().size(); i++) {
            assertTrue(d.candidates().get(i - 1).score() <= d.candidates().get(i).score());
        }
    }

    @ParameterizedTest(name = "{0}, shuffle seed {1}")
    @MethodSource("policiesAndSeeds")
    void identicalHostsTieBreakByName(PlacementPolicy policy, int seed) {
        List<HostLoad> hosts = new ArrayList<>(List.of(
                up("src", 0.9, 64, 8), up("h-c", 0.2, 64, 32), up("h-a", 0.2, 64, 32),
                up("h-b", 0.2, 64, 32), up("h-d", 0.2, 64, 32)));
        Collections.shuffle(hosts, new Random(seed));
        VmLoad vm = Clusters.vm("vm", "src", 4, 2, 0.5, 0);

        TargetChoice d = placement.place(vm, hosts, policy, SETTINGS);

        assertEquals(Optional.of("h-a"), d.chosenHost());
        assertEquals(List.of("h-a", "h-b", "h-c", "h-d"),
                d.candidates().stream().map(TargetCandidate::host).toList());
    }

    static Stream<Arguments> policiesAndSeeds() {
        return Stream.of(PlacementPolicy.values())
                .flatMap(p -> Stream.of(1, 2, 3).map(seed -> Arguments.of(p, seed)));
    }

    @ParameterizedTest
    @EnumSource(PlacementPolicy.class)
    void noFeasibleHostGivesNoChoiceAndAReason(PlacementPolicy policy) {
        List<HostLoad> hosts = List.of(SOURCE,
                host("d", HostAvailability.DOWN, 16, 0, 64, 64, Set.of("net:prod"), "skylake"),
                host("m", HostAvailability.UP, 16, 0, 64, 1, Set.of("net:prod"), "skylake"));

        TargetChoice d = placement.place(VM, hosts, policy, SETTINGS);

        assertEquals(Optional.empty(), d.chosenHost());
        assertEquals(List.of(), d.candidates());
        assertEquals(List.of("d", "m", "src"), d.rejections().stream().map(HostRejection::host).toList());
    }
}
