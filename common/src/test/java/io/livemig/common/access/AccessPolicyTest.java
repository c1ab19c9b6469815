package io.livemig.common.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livemig.common.access.AccessPolicy.Access;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessPolicyTest {

    private static final String SERVICE = "livemig.agent.v1.AgentService";
    private static final AccessPolicy POLICY = new AccessPolicy("agent lab-a", SERVICE,
            Map.of("GetHostInfo", Access.READ, "PrepareIncoming", Access.INCOMING, "StartMigration", Access.CONTROL),
            Set.of("orchestrator", "operator"), Set.of("lab-a", "lab-b"));

    @ParameterizedTest(name = "{0} {1}/{2}: {3}")
    @CsvSource({
        "orchestrator, " + SERVICE + ", StartMigration, true",
        "operator,     " + SERVICE + ", StartMigration, true",
        "operator,     " + SERVICE + ", PrepareIncoming, true",
        "lab-b,        " + SERVICE + ", PrepareIncoming, true",
        "lab-b,        " + SERVICE + ", StartMigration, false",
        "lab-b,        " + SERVICE + ", GetHostInfo, true",
        "intruder,     " + SERVICE + ", GetHostInfo, true",
        "intruder,     " + SERVICE + ", StartMigration, false",
        "intruder,     " + SERVICE + ", PrepareIncoming, false",
        // not in the table: closed to everyone, the allow list too
        "operator,     " + SERVICE + ", NewRpc, false",
        // other services (health, reflection): open to every identity
        "intruder,     grpc.health.v1.Health, Check, true",
        "intruder,     grpc.reflection.v1.ServerReflection, ServerReflectionInfo, true",
    })
    void decides(String identity, String service, String method, boolean allowed) {
        assertEquals(allowed, POLICY.refusal(identity, service, method).isEmpty());
    }

    @Test
    void aRefusalIsOneLineNamingIdentityMethodAndServer() {
        assertEquals(Optional.of("identity 'x' may not call StartMigration on agent lab-a"),
                POLICY.refusal("x", SERVICE, "StartMigration"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "CN=lab-a|lab-a",
        "CN=operator,O=livemig|operator",
        "O=livemig,CN=inner|inner",
        "O=livemig|",
        "not a name|",
    })
    void theIdentityIsTheCommonName(String subject, String identity) {
        assertEquals(Optional.ofNullable(identity), Identities.commonName(subject));
    }
}
