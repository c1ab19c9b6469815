package io.livemig.agent.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class PolicySettingsTest {

    private static final long MIB = 1L << 20;

    @Test
    void defaults() {
        PolicySettings s = PolicySettings.defaults();
        assertEquals(300, s.maxDowntimeMs());
        assertEquals(2000, s.downtimeCapMs());
        assertEquals(5, s.downtimeSteps());
        assertEquals(2, s.escalationDwellIterations());
        assertEquals(2000, s.escalationDwellMs());
        assertTrue(s.throttleAllowed());
        assertEquals(20, s.throttleStepPercent());
        assertEquals(80, s.maxThrottlePercent());
        assertTrue(s.postcopyAllowed());
        assertTrue(s.suspendAllowed());
        assertEquals(120, s.completionTimeoutSecPerGiB());
        assertEquals(60, s.completionTimeoutMinSec());
        assertEquals(2, s.postcopyAfterIterations());
        assertEquals(0.9, s.nonConvergenceRatio());
        assertEquals(3, s.stallIterations());
        assertEquals(10, s.minShrinkPercent());
        assertEquals(0, s.bandwidthMiBps());
        assertNull(s.compression());
        assertEquals(1, s.parallelConnections());
        assertEquals(0, s.linkMiBps());
        assertEquals(128, s.compressBelowLinkMiBps());
    }

    @Test
    void toBuilderKeepsEveryKnob() {
        PolicySettings s = PolicySettings.builder().maxDowntimeMs(100).downtimeCapMs(900).throttleAllowed(false)
                .linkMiBps(40).parallelConnections(4).nonConvergenceRatio(0.8).build();
        assertEquals(s, s.toBuilder().build());
    }

    // Nova scales the completion timeout by the GiB to transfer; so does this, with a floor.
    @ParameterizedTest(name = "{0} MiB at {1} s/GiB, min {2} s -> {3} ms")
    @CsvSource({
            "0, 120, 60, 60000",
            "256, 120, 60, 60000",
            "512, 120, 60, 60000",
            "768, 120, 60, 90000",
            "1024, 120, 60, 120000",
            "4096, 120, 60, 480000",
            "65536, 120, 60, 7680000",
            "1024, 800, 0, 800000",
            "1024, 0, 60, 0"})
    void completionTimeoutScalesWithSize(long mib, long secPerGiB, long minSec, long expectedMs) {
        PolicySettings s = PolicySettings.builder().completionTimeoutSecPerGiB(secPerGiB)
                .completionTimeoutMinSec(minSec).build();
        assertEquals(expectedMs, s.completionTimeoutMs(mib * MIB));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("maxDowntimeMs", b -> b.maxDowntimeMs(0)),
                bad("downtimeCapMs", b -> b.maxDowntimeMs(500).downtimeCapMs(400)),
                bad("downtimeSteps", b -> b.downtimeSteps(0)),
                bad("escalationDwellIterations", b -> b.escalationDwellIterations(0)),
                bad("escalationDwellMs", b -> b.escalationDwellMs(-1)),
                bad("throttleStepPercent", b -> b.throttleStepPercent(0)),
                bad("throttleStepPercent", b -> b.throttleStepPercent(100)),
                bad("maxThrottlePercent", b -> b.maxThrottlePercent(100)),
                bad("completionTimeoutSecPerGiB", b -> b.completionTimeoutSecPerGiB(-1)),
                bad("completionTimeoutMinSec", b -> b.completionTimeoutMinSec(-5)),
                bad("postcopyAfterIterations", b -> b.postcopyAfterIterations(0)),
                bad("nonConvergenceRatio", b -> b.nonConvergenceRatio(0)),
                bad("nonConvergenceRatio", b -> b.nonConvergenceRatio(Double.NaN)),
                bad("stallIterations", b -> b.stallIterations(1)),
                bad("minShrinkPercent", b -> b.minShrinkPercent(101)),
                bad("bandwidthMiBps", b -> b.bandwidthMiBps(-1)),
                bad("parallelConnections", b -> b.parallelConnections(-1)),
                bad("linkMiBps", b -> b.linkMiBps(-1)),
                bad("compressBelowLinkMiBps", b -> b.compressBelowLinkMiBps(-1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsInvalidKnobsNamingThem(String knob, UnaryOperator<PolicySettings.Builder> change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> change.apply(PolicySettings.builder()).build());
        assertTrue(e.getMessage().startsWith(knob), e.getMessage());
    }

    private static Arguments bad(String knob, UnaryOperator<PolicySettings.Builder> change) {
        return Arguments.of(knob, change);
    }
}
