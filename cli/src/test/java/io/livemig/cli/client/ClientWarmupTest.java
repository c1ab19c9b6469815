package io.livemig.cli.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientWarmupTest {

    @Test
    void commandsThatCallAnOrchestratorOrAnAgentGetTheWarmUp() {
        assertTrue(ClientWarmup.wanted("hosts"));
        assertTrue(ClientWarmup.wanted("--orchestrator", "10.0.0.1:7080", "migrate", "web1", "--to", "b"));
        assertTrue(ClientWarmup.wanted("--cluster", "c.yaml", "vms"));
    }

    @Test
    void helpVersionAndTheLongRunningCommandsDoNot() {
        assertFalse(ClientWarmup.wanted("--version"));
        assertFalse(ClientWarmup.wanted("migrate", "--help"));
        assertFalse(ClientWarmup.wanted("agent", "--config", "agent.yaml"));
        assertFalse(ClientWarmup.wanted("orchestrator", "--config", "orchestrator.yaml"));
        assertFalse(ClientWarmup.wanted("experiment", "run", "plan.yaml"));
    }
}
