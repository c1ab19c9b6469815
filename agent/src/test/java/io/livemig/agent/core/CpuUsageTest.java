package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuUsageTest {

    private static final long S = 1_000_000_000L;

    private static VmInfo vm(String name, String uuid, int vcpus, long cpuNs) {
        return new VmInfo(name, uuid, DomainState.RUNNING, 256L << 20, vcpus, cpuNs);
    }

    @ParameterizedTest(name = "{0} vCPU(s), {1} s of CPU in 10 s -> {2} of the VM, {3} of a 4-CPU host")
    @CsvSource({
        "1, 0,  0.0,  0.0",
        "1, 5,  0.5,  0.125",
        "1, 10, 1.0,  0.25",
        "2, 10, 0.5,  0.25",
        "4, 40, 1.0,  1.0",
        "1, 20, 1.0,  0.5",   // a guest cannot use more than its vCPUs (emulator threads): clamped
    })
    void utilisationOfOneGuest(int vcpus, long cpuSeconds, double vmUse, double hostUse) {
        var before = CpuUsage.Reading.of(0, List.of(vm("a", "u-a", vcpus, 100 * S)));
        var after = CpuUsage.Reading.of(10 * S, List.of(vm("a", "u-a", vcpus, (100 + cpuSeconds) * S)));
        CpuUsage.Utilisation u = CpuUsage.between(before, after, 4);
        assertEquals(vmUse, u.vm("a"), 1e-9);
        assertEquals(Math.min(hostUse, 1.0), u.host(), 1e-9);
    }

    @Test
    void guestsAddUpAndNewcomersCountAsIdle() {
        var before = CpuUsage.Reading.of(0, List.of(vm("a", "u-a", 1, 0), vm("b", "u-b", 1, 0)));
        var after = CpuUsage.Reading.of(2 * S, List.of(vm("a", "u-a", 1, S), vm("b", "u-b", 1, 2 * S),
                vm("c", "u-c", 1, 50 * S)));
        CpuUsage.Utilisation u = CpuUsage.between(before, after, 2);
        assertEquals(0.5, u.vm("a"), 1e-9);
        assertEquals(1.0, u.vm("b"), 1e-9);
        assertEquals(0.0, u.vm("c"), 1e-9);
        assertEquals(0.75, u.host(), 1e-9);
    }

    @Test
    void aRestartedGuestWithTheSameNameIsNotMatched() {
        var before = CpuUsage.Reading.of(0, List.of(vm("a", "u-old", 1, 90 * S)));
        var after = CpuUsage.Reading.of(S, List.of(vm("a", "u-new", 1, S / 2)));
        assertEquals(0.0, CpuUsage.between(before, after, 1).vm("a"), 1e-9);
    }

    @Test
    void noIntervalNoUtilisation() {
        var r = CpuUsage.Reading.of(5, List.of(vm("a", "u-a", 1, S)));
        assertEquals(CpuUsage.Utilisation.NONE, CpuUsage.between(r, r, 2));
    }
}
