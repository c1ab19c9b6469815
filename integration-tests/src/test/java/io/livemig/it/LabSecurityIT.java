package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lab runs with mutual TLS, as a real deployment does: only the operator's certificate may
 * move VMs; a certificate from the same CA that no configuration allows may read but not move;
 * a client without a certificate gets nothing. The guest stays where it is after every refusal.
 */
@RequiresRoot
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabSecurityIT {

    private static final Path LAB_DIR = Path.of("/var/lib/livemig-lab");
    private static final Path PKI = LAB_DIR.resolve("pki");
    private static final Duration CALL = Duration.ofMinutes(2);
    private static final String VM = "sec-1";

    private static Lab lab;

    @BeforeAll
    static void startLab() {
        Lab.Up up = Lab.upForTests(2);
        if (up == null) {
            return; // every test is skipped by @RequiresRoot, with the reason
        }
        lab = up.lab();
        Lab.Result created = lab.run(Duration.ofMinutes(3), "vm", "create", VM, "--host", "lab-a", "--mem", "128",
                "--dirty-mib", "16", "--dirty-rate", "4");
        assertTrue(created.ok(), created::describe);
    }

    @AfterAll
    static void stopLab() {
        Lab.downAfterTests(lab, VM);
    }

    private static Lab.Result as(String identity, String... args) {
        List<String> all = new ArrayList<>(List.of("--ca", PKI.resolve("ca.pem").toString(),
                "--cert", PKI.resolve(identity + ".pem").toString(), "--key", PKI.resolve(identity + ".key").toString()));
        all.addAll(List.of(args));
        return lab.livemig(CALL, all.toArray(String[]::new));
    }

    private static void assertStillOnLabA() {
        Lab.Result check = lab.awaitSuccess(Duration.ofSeconds(30), Duration.ofSeconds(2), "vm", "check", VM);
        assertTrue(check.ok() && check.output().contains("host=lab-a "), check::describe);
    }

    @Test
    @Order(1)
    void theLabRunsWithTlsOnByDefault() throws Exception {
        assertTrue(Files.isReadable(PKI.resolve("ca.pem")), "lab.sh up made no CA");
        String client = Files.readString(LAB_DIR.resolve("client.yaml"));
        assertTrue(client.contains("tls:") && !client.contains("insecure: true"), client);
        String agent = Files.readString(LAB_DIR.resolve("hosts/lab-a/agent.yaml"));
        assertTrue(agent.contains("tls:") && agent.contains("allow:"), agent);
        Lab.Result hosts = lab.livemig(CALL, "hosts");
        assertEquals(0, hosts.exitCode(), hosts::describe);
    }

    @Test
    @Order(2)
    void anIdentityNoConfigurationAllowsMayReadButNotMove() throws Exception {
        Lab.Result read = as("intruder", "hosts");
        assertEquals(0, read.exitCode(), read::describe);
        Lab.Result viaOrchestrator = as("intruder", "migrate", VM, "--to", "lab-b");
        assertEquals(4, viaOrchestrator.exitCode(), viaOrchestrator::describe);
        assertTrue(viaOrchestrator.output().contains("identity 'intruder' may not call Migrate on the orchestrator"),
                viaOrchestrator::describe);
        // The orchestrator's log says who refused: the orchestrator, not "agent" or "livemig".
        String log = Files.readString(LAB_DIR.resolve("orchestrator.log"));
        assertTrue(log.lines().anyMatch(l -> l.contains(" orchestrator: refused ") && l.contains("/Migrate to intruder")),
                "no refusal line from the orchestrator in " + LAB_DIR.resolve("orchestrator.log"));
        Lab.Result direct = as("intruder", "--cluster", LAB_DIR.resolve("cluster.yaml").toString(),
                "migrate", VM, "--to", "lab-b");
        assertEquals(4, direct.exitCode(), direct::describe);
        assertTrue(direct.output().contains("identity 'intruder' may not call StartMigration on agent lab-a"),
                direct::describe);
        assertStillOnLabA();
        Lab.Result history = lab.livemig(CALL, "history", "--vm", VM, "--json");
        assertEquals(0, history.exitCode(), history::describe);
        assertFalse(history.output().contains("\"id\""), "a refused request left a record: " + history.describe());
    }

    /** The one line livemig printed (its refusal); fails if it printed anything else. */
    private static String oneLine(Lab.Result r) {
        List<String> lines = r.output().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), () -> "not one line: " + r.describe());
        return lines.get(0);
    }

    /**
     * A client without a certificate can only speak plaintext (livemig takes --ca, --cert and --key
     * together): the TLS servers drop it before any call, so it cannot even tell whether the VM
     * exists. It is told which server it could not reach, with the documented exit code 3
     * (docs/errors.md: a host's agent or the orchestrator cannot be reached).
     */
    @Test
    @Order(3)
    void aClientWithoutACertificateGetsNothing() throws Exception {
        String orchestrator = Files.readAllLines(LAB_DIR.resolve("client.yaml")).stream()
                .filter(l -> l.startsWith("orchestrator: ")).findFirst().orElseThrow().substring("orchestrator: ".length()).strip();
        Lab.Result plaintext = lab.livemig(CALL, "--insecure", "migrate", VM, "--to", "lab-b");
        assertEquals(3, plaintext.exitCode(), plaintext::describe);
        String line = oneLine(plaintext);
        assertTrue(line.startsWith("livemig: cannot reach the orchestrator at " + orchestrator + ": ")
                && line.endsWith(" (UNAVAILABLE)"), plaintext::describe);

        Lab.Result plaintextToAgent = lab.livemig(CALL, "--insecure", "--cluster",
                LAB_DIR.resolve("cluster.yaml").toString(), "migrate", VM, "--to", "lab-b");
        assertEquals(3, plaintextToAgent.exitCode(), plaintextToAgent::describe);
        String agentLine = oneLine(plaintextToAgent);
        assertTrue(agentLine.startsWith("livemig: cannot reach the agent of lab-a at " + lab.host("lab-a").ip() + ":")
                && agentLine.endsWith(" (UNAVAILABLE)"), plaintextToAgent::describe);
        assertFalse(agentLine.contains("runs on no host"), "a refused client was told the VM does not exist: " + agentLine);

        // A client with the lab CA's trust but another CA's certificate is refused by the handshake (4).
        Path other = Files.createTempDirectory("other-ca-");
        try {
            Lab.Result init = lab.exec(CALL, List.of(lab.root().resolve("scripts/pki.sh").toString(), "init", other.toString()));
            assertTrue(init.ok(), init::describe);
            Lab.Result issue = lab.exec(CALL, List.of(lab.root().resolve("scripts/pki.sh").toString(), "issue",
                    other.toString(), "operator"));
            assertTrue(issue.ok(), issue::describe);
            Lab.Result untrusted = lab.livemig(CALL, "--ca", PKI.resolve("ca.pem").toString(),
                    "--cert", other.resolve("operator.pem").toString(), "--key", other.resolve("operator.key").toString(),
                    "migrate", VM, "--to", "lab-b");
            assertEquals(4, untrusted.exitCode(), untrusted::describe);
            assertEquals("livemig: TLS handshake failed: the orchestrator at " + orchestrator + " does not trust the CA "
                    + "that signed this client's certificate (unknown CA)", oneLine(untrusted));
            // Straight to the agents, the same refusal, in words and with the same exit code.
            Lab.Result direct = lab.livemig(CALL, "--ca", PKI.resolve("ca.pem").toString(),
                    "--cert", other.resolve("operator.pem").toString(), "--key", other.resolve("operator.key").toString(),
                    "--cluster", LAB_DIR.resolve("cluster.yaml").toString(), "vms");
            assertEquals(4, direct.exitCode(), direct::describe);
            assertTrue(direct.output().contains("livemig: TLS handshake failed: the agent of lab-a does not trust the CA "
                    + "that signed this client's certificate (unknown CA)"), direct::describe);
            assertFalse(direct.output().contains("io.grpc"), direct::describe);
        } finally {
            lab.exec(CALL, List.of("rm", "-rf", other.toString()));
        }
        assertStillOnLabA();
    }

    /**
     * The operator's identity in a certificate from the lab's own CA whose validity ended yesterday
     * ({@code openssl x509 -days -1}): the orchestrator and the agents alike refuse it in the
     * handshake, and livemig says so in one line with exit code 4. Nothing moves.
     */
    @Test
    @Order(4)
    void anExpiredClientCertificateIsRefusedInWordsEverywhere() throws Exception {
        String orchestrator = Files.readAllLines(LAB_DIR.resolve("client.yaml")).stream()
                .filter(l -> l.startsWith("orchestrator: ")).findFirst().orElseThrow().substring("orchestrator: ".length()).strip();
        Path dir = Files.createTempDirectory("expired-");
        try {
            Path key = dir.resolve("operator.key");
            Path csr = dir.resolve("operator.csr");
            Path cert = dir.resolve("operator.pem");
            for (List<String> step : List.of(
                    List.of("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                            key.toString()),
                    List.of("chmod", "600", key.toString()),
                    List.of("openssl", "req", "-new", "-key", key.toString(), "-subj", "/CN=operator", "-out",
                            csr.toString()),
                    List.of("openssl", "x509", "-req", "-in", csr.toString(), "-CA", PKI.resolve("ca.pem").toString(),
                            "-CAkey", PKI.resolve("ca.key").toString(), "-set_serial", "4242", "-days", "-1", "-out",
                            cert.toString()))) {
                Lab.Result made = lab.exec(CALL, step);
                assertTrue(made.ok(), made::describe);
            }
            List<String> files = List.of("--ca", PKI.resolve("ca.pem").toString(), "--cert", cert.toString(), "--key",
                    key.toString());
            List<String> viaOrchestrator = new java.util.ArrayList<>(files);
            viaOrchestrator.addAll(List.of("migrate", VM, "--to", "lab-b"));
            Lab.Result refused = lab.livemig(CALL, viaOrchestrator.toArray(String[]::new));
            assertEquals(4, refused.exitCode(), refused::describe);
            assertEquals("livemig: TLS handshake failed: the orchestrator at " + orchestrator + " refused this client's "
                    + "certificate: it has expired (certificate expired)", oneLine(refused));

            // Straight to the agents: each refuses it, in the same words and with the same exit code.
            List<String> direct = new java.util.ArrayList<>(files);
            direct.addAll(List.of("--cluster", LAB_DIR.resolve("cluster.yaml").toString(), "vms"));
            Lab.Result refusedByAgents = lab.livemig(CALL, direct.toArray(String[]::new));
            assertEquals(4, refusedByAgents.exitCode(), refusedByAgents::describe);
            assertTrue(refusedByAgents.output().contains("livemig: TLS handshake failed: the agent of lab-a refused this "
                    + "client's certificate: it has expired (certificate expired)"), refusedByAgents::describe);
            assertFalse(refusedByAgents.output().contains("io.grpc"), refusedByAgents::describe);
        } finally {
            lab.exec(CALL, List.of("rm", "-rf", dir.toString()));
        }
        assertStillOnLabA();
    }

    /**
     * The operator's own key, copied with mode 0644: livemig refuses it before it dials anything
     * (PostgreSQL's rule, as the README's Security section says), with one line naming the file
     * and the fix, and exit code 2. The VM stays where it is.
     */
    @Test
    @Order(5)
    void aKeyOthersCanReadIsRefusedBeforeAnyCall() throws Exception {
        Path dir = Files.createTempDirectory("open-key-");
        try {
            Path key = dir.resolve("operator.key");
            Files.copy(PKI.resolve("operator.key"), key);
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
            Lab.Result open = lab.livemig(CALL, "--ca", PKI.resolve("ca.pem").toString(),
                    "--cert", PKI.resolve("operator.pem").toString(), "--key", key.toString(), "migrate", VM, "--to", "lab-b");
            assertEquals(2, open.exitCode(), open::describe);
            assertEquals("livemig: --key " + key + ": others may access it (mode 0644); a private key must not be: "
                    + "run chmod 600 " + key, oneLine(open));

            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            Lab.Result fixed = lab.livemig(CALL, "--ca", PKI.resolve("ca.pem").toString(),
                    "--cert", PKI.resolve("operator.pem").toString(), "--key", key.toString(), "hosts");
            assertEquals(0, fixed.exitCode(), fixed::describe);
        } finally {
            lab.exec(CALL, List.of("rm", "-rf", dir.toString()));
        }
        assertStillOnLabA();
    }

    @Test
    @Order(6)
    void theOperatorMayMove() {
        Lab.Result moved = as("operator", "migrate", VM, "--to", "lab-b");
        assertEquals(0, moved.exitCode(), moved::describe);
        Lab.Result back = as("operator", "migrate", VM, "--to", "lab-a");
        assertEquals(0, back.exitCode(), back::describe);
        assertStillOnLabA();
    }
}
