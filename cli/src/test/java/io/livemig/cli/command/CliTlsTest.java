package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.grpc.FakeHypervisor;
import io.livemig.cli.Main;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.testkit.LogCapture;
import io.livemig.testkit.TestPki;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator served with mutual TLS over TCP, and livemig as its client: where the client
 * certificate comes from, and the one line and exit code of each refusal.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliTlsTest {

    @TempDir
    Path dir;
    Path pki;
    Path config;
    OrchestratorCommand.Serving serving;
    String address;

    static void pkiSh(String... args) throws IOException, InterruptedException {
        TestPki.run(args);
    }

    @BeforeEach
    void serve() throws Exception {
        // Checked on PATH, not by running it: starting a missing program throws instead of skipping.
        TestPki.assumeOpenssl();
        pki = dir.resolve("pki");
        pkiSh("init", pki.toString());
        for (String name : List.of("orchestrator", "operator", "intruder")) {
            pkiSh("issue", pki.toString(), name, "--ip", "127.0.0.1");
        }
        pkiSh("init", dir.resolve("other").toString());
        pkiSh("issue", dir.resolve("other").toString(), "operator", "--ip", "127.0.0.1");
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: lonely, agent: "127.0.0.1:1", libvirt_uri: "qemu+tcp://127.0.0.1/system"}
                """);
        config = dir.resolve("orchestrator.yaml");
        Files.writeString(config, """
                listen: 127.0.0.1:0
                cluster: cluster.yaml
                database: history.db
                tls: {ca: pki/ca.pem, cert: pki/orchestrator.pem, key: pki/orchestrator.key}
                allow: [operator]
                """);
        try (LogCapture log = new LogCapture(ch.qos.logback.classic.Level.INFO)) {
            serving = OrchestratorCommand.serve(config, new PrintWriter(new StringWriter(), true));
            String listening = log.await(e -> e.getFormattedMessage().startsWith("livemig orchestrator listening on "),
                    java.time.Duration.ZERO).getFormattedMessage();
            assertTrue(listening.endsWith(", mutual TLS, control: operator)"), listening);
        }
        address = "127.0.0.1:" + serving.port();
    }

    @AfterEach
    void stop() {
        if (serving != null) {
            serving.close();
        }
    }

    record Run(int exitCode, String out, String err) {}

    static Run cli(Map<String, String> env, List<Path> clientFiles, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (AgentChannels channels = AgentChannels.secured()) {
            int code = Main.execute(() -> FakeHypervisor.replaying(List.of(), null), channels, false,
                    new ClientEnvironment(env, clientFiles, Duration.ofSeconds(10)),
                    new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Run(code, out.toString(), err.toString());
        }
    }

    private String[] as(String identity, String... args) {
        List<String> argv = new ArrayList<>(List.of("--orchestrator", address, "--ca", pki.resolve("ca.pem").toString(),
                "--cert", pki.resolve(identity + ".pem").toString(), "--key", pki.resolve(identity + ".key").toString()));
        argv.addAll(List.of(args));
        return argv.toArray(String[]::new);
    }

    @Test
    void withoutAnyClientCertificateItIsOneLineAndExitTwo() {
        Run r = cli(Map.of(), List.of(), "--orchestrator", address, "history");
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals("livemig: no client certificate: give --ca/--cert/--key, LIVEMIG_TLS_*, a tls section in "
                + "client.yaml, or --insecure\n", r.err());
    }

    @Test
    void theOperatorMayReadAndControl() {
        Run history = cli(Map.of(), List.of(), as("operator", "history", "--json"));
        assertEquals(0, history.exitCode(), history.toString());
        // Migrate passes the access check; the orchestrator then finds no such VM.
        Run migrate = cli(Map.of(), List.of(), as("operator", "migrate", "web1"));
        assertEquals(2, migrate.exitCode(), migrate.toString());
        assertEquals("livemig: no running VM 'web1' on any reachable host (NOT_FOUND)\n", migrate.err());
    }

    @Test
    void anUnlistedIdentityMayReadButIsDeniedControlWithOneLineAndExitFour() {
        Run history = cli(Map.of(), List.of(), as("intruder", "history", "--json"));
        assertEquals(0, history.exitCode(), history.toString());
        Run migrate = cli(Map.of(), List.of(), as("intruder", "migrate", "web1"));
        assertEquals(4, migrate.exitCode(), migrate.toString());
        assertEquals("livemig: identity 'intruder' may not call Migrate on the orchestrator (PERMISSION_DENIED)\n",
                migrate.err());
    }

    @Test
    void aCertificateFromAnotherCaFailsTheHandshakeWithOneLineAndExitFour() {
        Path other = dir.resolve("other");
        Run r = cli(Map.of(), List.of(), "--orchestrator", address, "--ca", pki.resolve("ca.pem").toString(),
                "--cert", other.resolve("operator.pem").toString(), "--key", other.resolve("operator.key").toString(),
                "history");
        assertEquals(4, r.exitCode(), r.toString());
        assertEquals("livemig: TLS handshake failed: the orchestrator at " + address + " does not trust the CA that "
                + "signed this client's certificate (unknown CA)\n", r.err(), "was a TLS 'internal error' alert");
    }

    /** A certificate from the servers' own CA whose validity ended yesterday (openssl x509 -days -1). */
    @Test
    void anExpiredClientCertificateIsRefusedWithOneLineAndExitFour() throws Exception {
        Path key = dir.resolve("expired.key");
        Path csr = dir.resolve("expired.csr");
        Path cert = dir.resolve("expired.pem");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        openssl("req", "-new", "-key", key.toString(), "-subj", "/CN=operator", "-out", csr.toString());
        openssl("x509", "-req", "-in", csr.toString(), "-CA", pki.resolve("ca.pem").toString(), "-CAkey",
                pki.resolve("ca.key").toString(), "-set_serial", "7", "-days", "-1", "-out", cert.toString());
        Run r = cli(Map.of(), List.of(), "--orchestrator", address, "--ca", pki.resolve("ca.pem").toString(),
                "--cert", cert.toString(), "--key", key.toString(), "history");
        assertEquals(4, r.exitCode(), r.toString());
        assertEquals("livemig: TLS handshake failed: the orchestrator at " + address + " refused this client's "
                + "certificate: it has expired (certificate expired)\n", r.err());
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), command + ": " + output);
    }

    /** The client's --ca did not sign the server's certificate: the client says so, not Netty's class names. */
    @Test
    void aServerFromAnotherCaIsRefusedByTheClientWithOneLineAndExitFour() {
        Path other = dir.resolve("other");
        Run r = cli(Map.of(), List.of(), "--orchestrator", address, "--ca", other.resolve("ca.pem").toString(),
                "--cert", pki.resolve("operator.pem").toString(), "--key", pki.resolve("operator.key").toString(),
                "history");
        assertEquals(4, r.exitCode(), r.toString());
        assertEquals("livemig: TLS handshake failed: the certificate of the orchestrator at " + address
                + " is not signed by the CA this client trusts (unknown CA)\n", r.err());
    }

    @Test
    void theCertificateMayComeFromTheEnvironmentOrTheClientFile() throws Exception {
        Map<String, String> env = Map.of("LIVEMIG_ORCHESTRATOR", address,
                "LIVEMIG_TLS_CA", pki.resolve("ca.pem").toString(),
                "LIVEMIG_TLS_CERT", pki.resolve("operator.pem").toString(),
                "LIVEMIG_TLS_KEY", pki.resolve("operator.key").toString());
        Run fromEnv = cli(env, List.of(), "history");
        assertEquals(0, fromEnv.exitCode(), fromEnv.toString());

        Path client = dir.resolve("client.yaml");
        Files.writeString(client, "orchestrator: " + address
                + "\ntls: {ca: pki/ca.pem, cert: pki/intruder.pem, key: pki/intruder.key}\n");
        Run fromFile = cli(Map.of(), List.of(client), "migrate", "web1");
        assertEquals(4, fromFile.exitCode(), "the file's identity (intruder) is used: " + fromFile);
    }

    @Test
    void incompleteOrMissingClientFilesAreOneLineAndExitTwo() {
        Run alone = cli(Map.of(), List.of(), "--orchestrator", address, "--ca", pki.resolve("ca.pem").toString(),
                "history");
        assertEquals(2, alone.exitCode(), alone.toString());
        assertEquals("livemig: --ca, --cert and --key go together: give all three\n", alone.err());

        Path nope = dir.resolve("nope.key");
        Run missing = cli(Map.of(), List.of(), "--orchestrator", address, "--ca", pki.resolve("ca.pem").toString(),
                "--cert", pki.resolve("operator.pem").toString(), "--key", nope.toString(), "history");
        assertEquals(2, missing.exitCode(), missing.toString());
        assertEquals("livemig: --key " + nope + ": no such file\n", missing.err());
    }

    /** PostgreSQL's rule (README, Security): a client key others may read is refused before any call. */
    @Test
    void aClientKeyOthersCanReadIsOneLineAndExitTwo() throws Exception {
        Path key = dir.resolve("open.key");
        Files.copy(pki.resolve("operator.key"), key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        Run open = cli(Map.of(), List.of(), "--orchestrator", address, "--ca", pki.resolve("ca.pem").toString(),
                "--cert", pki.resolve("operator.pem").toString(), "--key", key.toString(), "history");
        assertEquals(2, open.exitCode(), open.toString());
        assertEquals("livemig: --key " + key + ": others may access it (mode 0644); a private key must not be: "
                + "run chmod 600 " + key + "\n", open.err());

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Run fixed = cli(Map.of(), List.of(), "--orchestrator", address, "--ca", pki.resolve("ca.pem").toString(),
                "--cert", pki.resolve("operator.pem").toString(), "--key", key.toString(), "history");
        assertEquals(0, fixed.exitCode(), fixed.toString());
    }

    @Test
    void anOrchestratorFileWithAMissingTlsFileIsRefusedNamingIt() throws Exception {
        Path other = dir.resolve("o.yaml");
        Files.writeString(other, "listen: 127.0.0.1:0\ncluster: cluster.yaml\ndatabase: h2.db\n"
                + "tls: {ca: pki/ca.pem, cert: pki/gone.pem, key: pki/orchestrator.key}\n");
        Run r = cli(Map.of(), List.of(), "orchestrator", "--config", other.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals("livemig: " + other + ": tls.cert " + pki.resolve("gone.pem") + ": no such file\n", r.err());
    }
}
