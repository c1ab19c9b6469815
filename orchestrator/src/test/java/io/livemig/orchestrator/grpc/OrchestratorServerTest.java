package io.livemig.orchestrator.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OrchestratorServerTest {

    @Test
    void everyOrchestratorMethodIsClassified() {
        Set<String> methods = OrchestratorServiceGrpc.getServiceDescriptor().getMethods().stream()
                .map(m -> m.getBareMethodName()).collect(Collectors.toSet());
        assertEquals(methods, OrchestratorServer.METHODS.keySet());
    }

    @Test
    void onlyTheAllowListChangesThingsAndEveryoneReads() {
        var policy = OrchestratorServer.policy(List.of("operator"));
        String service = OrchestratorServiceGrpc.SERVICE_NAME;
        for (String change : List.of("Migrate", "Abort", "Rebalance", "Drain", "SetHostState")) {
            assertTrue(policy.refusal("operator", service, change).isEmpty(), change);
            assertEquals("identity 'lab-a' may not call " + change + " on the orchestrator",
                    policy.refusal("lab-a", service, change).orElseThrow());
        }
        for (String read : List.of("ListHosts", "ListVms", "Watch", "History", "PlanRebalance", "Plan", "Rounds")) {
            assertTrue(policy.refusal("intruder", service, read).isEmpty(), read);
        }
    }
}
