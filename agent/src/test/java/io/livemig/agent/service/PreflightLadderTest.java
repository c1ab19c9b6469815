package io.livemig.agent.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.PolicySettings;
import io.livemig.common.predict.AutoLadder;
import io.livemig.common.predict.Preflight;
import org.junit.jupiter.api.Test;

/** The pre-flight advice predicts AUTO with the steps this agent takes: the two must stay the same. */
class PreflightLadderTest {

    @Test
    void theAdvicesLadderIsTheAgentsPolicy() {
        PolicySettings p = PolicyInputs.settings(new MigrationOptionsValue(CopyMode.AUTO, 0, 0, 0, false, null, 0,
                true, true), 0);
        AutoLadder ladder = Preflight.AGENT_LADDER;
        assertEquals(p.maxDowntimeMs(), Preflight.DEFAULT_MAX_DOWNTIME_MS);
        assertEquals(p.downtimeCapMs(), ladder.downtimeCapMs());
        assertEquals(p.downtimeSteps(), ladder.downtimeSteps());
        assertEquals(p.escalationDwellIterations(), ladder.dwellPasses());
        assertEquals(p.throttleAllowed() ? p.maxThrottlePercent() / p.throttleStepPercent() : 0, ladder.throttleSteps());
        assertEquals(p.nonConvergenceRatio(), ladder.nonConvergenceRatio());
        assertEquals(p.suspendAllowed(), ladder.suspendAllowed());
    }
}
