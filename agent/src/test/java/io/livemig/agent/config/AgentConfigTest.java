package io.livemig.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.TlsSettings;
import io.livemig.common.tls.TransportSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        Files.createDirectories(dir.resolve("pki"));
        for (String f : List.of("ca.pem", "lab-a.pem", "lab-a.key")) {
            Files.writeString(dir.resolve("pki").resolve(f), "-----BEGIN-----\n");
        }
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
}
