package io.livemig.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.TlsSettings;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.testkit.SamplePem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** agent.yaml's transport security: TLS files, the allow list, and plaintext only when asked for. */
class AgentConfigTest {

    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: lab-a, agent: "10.0.0.11:7070", libvirt_uri: "qemu+tcp://10.0.0.11/system"}
                  - {name: lab-b, agent: "10.0.0.12:7070", libvirt_uri: "qemu+tcp://10.0.0.12/system"}
                """);
        SamplePem.write(dir.resolve("pki"), "ca.pem", "lab-a.pem", "lab-a.key");
        file = dir.resolve("agent.yaml");
    }

    private static final String BASE = "host: lab-a\nlisten: 10.0.0.11:7070\ncluster: cluster.yaml\n";

    private String error(String yaml, boolean insecureFlag) throws Exception {
        Files.writeString(file, yaml);
        return assertThrows(ConfigException.class, () -> AgentConfig.load(file, insecureFlag)).getMessage();
    }

    @Test
    void tlsPathsAreRelativeToTheFileAndTheAllowListAndPeersAreRead() throws Exception {
        Files.writeString(file, BASE + "tls: {ca: pki/ca.pem, cert: pki/lab-a.pem, key: pki/lab-a.key}\n"
                + "allow: [orchestrator, operator]\n");
        AgentConfig.Loaded loaded = AgentConfig.load(file);
        assertEquals(new TlsSettings(dir.resolve("pki/ca.pem"), dir.resolve("pki/lab-a.pem"),
                dir.resolve("pki/lab-a.key")), loaded.security());
        assertEquals(List.of("orchestrator", "operator"), loaded.agent().allow());
        assertEquals(List.of("lab-a", "lab-b"), loaded.peers());
    }

    @Test
    void aFileWithoutTlsIsRefusedUnlessInsecureIsAskedFor() throws Exception {
        assertEquals(file + ": no tls section: give tls: {ca: ..., cert: ..., key: ...} (see scripts/pki.sh), "
                + "or insecure: true for plaintext", error(BASE, false));

        Files.writeString(file, BASE + "insecure: true\n");
        assertEquals(TransportSecurity.INSECURE, AgentConfig.load(file).security());
        Files.writeString(file, BASE);
        assertEquals(TransportSecurity.INSECURE, AgentConfig.load(file, true).security());
    }

    @Test
    void aMissingTlsFileIsNamed() throws Exception {
        assertEquals(file + ": tls.key " + dir.resolve("pki/nope.key") + ": no such file",
                error(BASE + "tls: {ca: pki/ca.pem, cert: pki/lab-a.pem, key: pki/nope.key}\n", false));
        assertEquals(file + ": tls needs ca, cert and key (files made by scripts/pki.sh)",
                error(BASE + "tls: {ca: pki/ca.pem, cert: pki/lab-a.pem}\n", false));
    }

    @Test
    void tlsAndInsecureTogetherAreRefused() throws Exception {
        assertEquals(file + ": tls and insecure: true exclude each other; keep one",
                error(BASE + "insecure: true\ntls: {ca: pki/ca.pem, cert: pki/lab-a.pem, key: pki/lab-a.key}\n", false));
    }

    @Test
    void aMissingHostIsNamed() throws Exception {
        assertEquals(file + ": host (this host's name in the cluster file) is required",
                error("listen: 10.0.0.11:7070\ncluster: cluster.yaml\ninsecure: true\n", false));
    }

    @Test
    void aHostNotInTheClusterIsRefusedListingTheHosts() throws Exception {
        assertEquals(file + ":1: host 'lab-z' is not in " + dir.resolve("cluster.yaml") + " (it has: lab-a, lab-b)",
                error("host: lab-z\nlisten: 10.0.0.11:7070\ncluster: cluster.yaml\ninsecure: true\n", false));
    }

    /**
     * One line for each bad value, at its line: the file, the key, what is allowed. Rows: the file
     * after "host: lab-a" and "cluster: cluster.yaml" (\\n for new lines), then the message after "FILE:".
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "listen: nowhere                              | 3: listen must be host:port, got 'nowhere'",
        "listen: 'h:70000'                            | 3: listen port must be 0..65535, got 70000",
        "listen: [a, b]                               | 3: listen must be a string, got a list",
        "listen: 'h:1'\\nlibvirt_uri: nope            | 4: libvirt_uri must be a libvirt URI such as qemu+tcp://HOST/system, got 'nope'",
        "listen: 'h:1'\\nlibvirt_uri: ''              | 4: libvirt_uri is required (e.g. qemu+tcp://HOST/system)",
        "listen: 'h:1'\\nlibvirt_uri: [qemu:///system] | 4: libvirt_uri must be a string, got a list",
        "listen: 'h:1'\\ninsecure: maybe              | 4: insecure must be true or false, got 'maybe'",
    })
    void badValuesAreOneLineWithTheKey(String rest, String expected) throws Exception {
        String lines = rest.strip().replace("\\n", "\n");
        String yaml = "host: lab-a\ncluster: cluster.yaml\n" + lines + "\n" + (lines.contains("insecure") ? ""
                : "insecure: true\n");
        assertEquals(file + ":" + expected, error(yaml, false));
    }

    /** allow lists identities (certificate CNs); each entry is checked at its line. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "allow: operator                | 5: allow must be a list, got 'operator'",
        "allow: {operator: control}     | 5: allow must be a list, got a map",
        "allow:\\n  - role: admin       | 6: allow[0] must be a string, got a map",
        "allow: [[operator]]            | 5: allow[0] must be a string, got a list",
        "allow:\\n  - operator\\n  -     | 7: allow[1] is empty: give an identity, the CN of a certificate such as operator",
        "allow: ['CN=operator']         | 5: allow[0]: invalid identity 'CN=operator' (1-64 letters, digits, '_', '.', '-', "
                + "starting with a letter or digit); allow lists certificate CNs such as operator",
        "allow: ['']                    | 5: allow[0]: identity is required; allow lists certificate CNs such as operator",
        "allow: [operator, operator]    | 5: allow[1]: identity 'operator' is listed twice (first as allow[0])",
    })
    void badAllowEntriesAreOneLineWithTheEntry(String allow, String expected) throws Exception {
        assertEquals(file + ":" + expected, error(BASE + "insecure: true\n" + allow.strip().replace("\\n", "\n") + "\n",
                false));
    }

    @Test
    void tlsFilesThatAreNotPemAreNamed() throws Exception {
        String tls = "tls: {ca: pki/ca.pem, cert: pki/lab-a.pem, key: pki/lab-a.key}\n";
        Files.writeString(dir.resolve("pki/lab-a.pem"), "not a certificate\n");
        assertEquals(file + ": tls.cert " + dir.resolve("pki/lab-a.pem")
                + ": not a PEM certificate (no -----BEGIN CERTIFICATE----- block)", error(BASE + tls, false));

        Files.writeString(dir.resolve("pki/lab-a.pem"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                + "-----END CERTIFICATE-----\n");
        assertEquals(file + ": tls.cert " + dir.resolve("pki/lab-a.pem")
                + ": certificate 1 of the file does not parse (not a valid PEM certificate)", error(BASE + tls, false));

        SamplePem.write(dir.resolve("pki"), "lab-a.pem");
        Files.writeString(dir.resolve("pki/lab-a.key"), SamplePem.CERTIFICATE);
        assertEquals(file + ": tls.key " + dir.resolve("pki/lab-a.key") + ": not a PEM private key (must be an "
                + "unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----, as scripts/pki.sh makes))",
                error(BASE + tls, false));

        Files.writeString(dir.resolve("pki/lab-a.key"), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n"
                + "-----END PRIVATE KEY-----\n");
        assertEquals(file + ": tls.key " + dir.resolve("pki/lab-a.key") + ": not a valid PEM private key (must be an "
                + "unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----, as scripts/pki.sh makes))",
                error(BASE + tls, false));

        Files.writeString(dir.resolve("pki/lab-a.key"), "-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5\n"
                + "-----END EC PRIVATE KEY-----\n");
        assertEquals(file + ": tls.key " + dir.resolve("pki/lab-a.key") + ": must be an unencrypted PKCS#8 PEM key "
                + "(-----BEGIN PRIVATE KEY-----, as scripts/pki.sh makes), got -----BEGIN EC PRIVATE KEY-----",
                error(BASE + tls, false));
    }

    @Test
    void anEmptyFileIsNamed() throws Exception {
        assertEquals(file + ": empty file", error("", false));
        assertEquals(file + ": empty file", error("# nothing yet\n", false));
    }
}
