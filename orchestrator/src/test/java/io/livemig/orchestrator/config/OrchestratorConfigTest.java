package io.livemig.orchestrator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.livemig.common.config.ConfigException;
import io.livemig.testkit.SamplePem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrchestratorConfigTest {

    @TempDir
    Path dir;

    @BeforeEach
    void cluster() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: a, agent: "a:7070", libvirt_uri: "qemu+tcp://a/system"}
                """);
    }

    private Path file(String yaml) throws Exception {
        return Files.writeString(dir.resolve("orchestrator.yaml"), yaml.replace("\\n", "\n"));
    }

    @Test
    void aGoodFileLoadsWithDefaults() throws Exception {
        var loaded = OrchestratorConfig.load(file("cluster: cluster.yaml\\ndatabase: h.db\\ninsecure: true\\n"));
        assertEquals(7080, loaded.config().listenAddress().port());
        assertEquals(2, loaded.limits().cluster());
    }

    /** Rows: the file after "cluster: cluster.yaml", then the message after "FILE:". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "database: h.db\\nlisten: 7080                      | 3: listen must be host:port, got '7080'",
        "database: h.db\\nlisten: 'h:99999'                 | 3: listen port must be 0..65535, got 99999",
        "database: h.db\\npolicy: fastest                   | 3: policy must be balance, least-loaded or round-robin, got 'fastest'",
        "database: h.db\\nlimits:\\n  cluster: 0            | 4: limits.cluster must be 1..64, got 0",
        "database: h.db\\nlimits: {per_host_outgoing: -1}   | 3: limits.per_host_outgoing must be 1..64, got -1",
        "database: h.db\\nload:\\n  window: 0               | 4: load.window must be 1..1000, got 0",
        "database: h.db\\nrebalance:\\n  threshold: 1.5     | 4: rebalance.threshold must be 0..1 (a fraction of a host's load), got 1.5",
        "database: h.db\\nrebalance:\\n  max_moves: -2      | 4: rebalance.max_moves must be 0..1000, got -2",
        "database: h.db\\nrebalance:\\n  interval_s: ten    | 4: rebalance.interval_s must be a whole number, got 'ten'",
        "database: h.db\\nrebalance:\\n  every: 5           | 4: unknown key 'every'",
        "listen: 'h:1'                                      | database (path of the history file) is required",
    })
    void refusesBadFilesWithTheLineAndReason(String rest, String expected) throws Exception {
        Path file = file("cluster: cluster.yaml\\n" + rest.strip() + "\\n");
        ConfigException e = assertThrows(ConfigException.class, () -> OrchestratorConfig.load(file));
        String prefix = expected.matches("^[0-9]+:.*") ? file + ":" : file + ": ";
        assertEquals(true, e.getMessage().startsWith(prefix + expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void anErrorInTheClusterFileNamesThatFile() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: a, agent: "a:7070", libvirt_uri: "qemu+tcp://a/system"}
                  - {name: a, agent: "b:7070", libvirt_uri: "qemu+tcp://b/system"}
                """);
        ConfigException e = assertThrows(ConfigException.class,
                () -> OrchestratorConfig.load(file("cluster: cluster.yaml\\ndatabase: h.db\\ninsecure: true\\n")));
        assertEquals(dir.resolve("cluster.yaml") + ":3: host name 'a' is listed twice (first at line 2)", e.getMessage());
    }

    private String error(String yaml) throws Exception {
        Path file = file(yaml);
        return assertThrows(ConfigException.class, () -> OrchestratorConfig.load(file)).getMessage();
    }

    private Path file() {
        return dir.resolve("orchestrator.yaml");
    }

    @Test
    void aMissingClusterIsNamed() throws Exception {
        assertEquals(file() + ": cluster (path of the cluster file) is required",
                error("database: h.db\\ninsecure: true\\n"));
    }

    @Test
    void aFileWithoutTlsIsRefusedUnlessInsecureIsAskedFor() throws Exception {
        assertEquals(file() + ": no tls section: give tls: {ca: ..., cert: ..., key: ...} (see scripts/pki.sh), "
                + "or insecure: true for plaintext", error("cluster: cluster.yaml\\ndatabase: h.db\\n"));
    }

    @Test
    void tlsAndInsecureTogetherAreRefused() throws Exception {
        SamplePem.write(dir.resolve("pki"), "ca.pem", "o.pem", "o.key");
        assertEquals(file() + ": tls and insecure: true exclude each other; keep one",
                error("cluster: cluster.yaml\\ndatabase: h.db\\ninsecure: true\\n"
                        + "tls: {ca: pki/ca.pem, cert: pki/o.pem, key: pki/o.key}\\n"));
    }

    @Test
    void tlsFilesThatAreNotPemAreNamed() throws Exception {
        String yaml = "cluster: cluster.yaml\\ndatabase: h.db\\ntls: {ca: pki/ca.pem, cert: pki/o.pem, key: pki/o.key}\\n";
        SamplePem.write(dir.resolve("pki"), "ca.pem", "o.key");
        Files.writeString(dir.resolve("pki/o.pem"), "hello\n");
        assertEquals(file() + ": tls.cert " + dir.resolve("pki/o.pem")
                + ": not a PEM certificate (no -----BEGIN CERTIFICATE----- block)", error(yaml));
        SamplePem.write(dir.resolve("pki"), "o.pem");
        Files.writeString(dir.resolve("pki/o.key"), "hello\n");
        assertEquals(file() + ": tls.key " + dir.resolve("pki/o.key") + ": not a PEM private key (must be an "
                + "unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----, as scripts/pki.sh makes))", error(yaml));
        Files.writeString(dir.resolve("pki/ca.pem"), "");
        assertEquals(file() + ": tls.ca " + dir.resolve("pki/ca.pem")
                + ": not a PEM certificate (no -----BEGIN CERTIFICATE----- block)", error(yaml));
    }

    /** allow: a list of identities (certificate CNs), each checked at its line. Rows: allow's lines, the message after "FILE:". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "allow: operator                | 4: allow must be a list, got 'operator'",
        "allow:\\n  - {role: admin}     | 5: allow[0] must be a string, got a map",
        "allow:\\n  -                   | 5: allow[0] is empty: give an identity, the CN of a certificate such as operator",
        "allow: ['operator ']           | 4: allow[0]: invalid identity 'operator ' (1-64 letters, digits, '_', '.', '-', "
                + "starting with a letter or digit); allow lists certificate CNs such as operator",
    })
    void badAllowEntriesAreOneLineWithTheEntry(String allow, String expected) throws Exception {
        assertEquals(file() + ":" + expected, error("cluster: cluster.yaml\\ndatabase: h.db\\ninsecure: true\\n"
                + allow.strip() + "\\n"));
    }

    @Test
    void anEmptyFileIsNamed() throws Exception {
        assertEquals(file() + ": empty file", error(""));
    }
}
