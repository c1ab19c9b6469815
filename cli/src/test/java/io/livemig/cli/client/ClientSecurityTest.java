package io.livemig.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.TlsSettings;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.testkit.SamplePem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the client's certificate comes from, first match wins; plaintext only when asked for. */
class ClientSecurityTest {

    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        SamplePem.write(dir, "ca.pem", "a.pem", "a.key", "b.pem", "b.key");
    }

    private static TlsFlags flags(Path ca, Path cert, Path key, boolean insecure) {
        return new TlsFlags(ca, cert, key, insecure);
    }

    @Test
    void flagsThenEnvironmentThenClientFile() throws Exception {
        Path file = dir.resolve("client.yaml");
        Files.writeString(file, "orchestrator: h:1\ntls: {ca: ca.pem, cert: b.pem, key: b.key}\n");
        Map<String, String> env = Map.of("LIVEMIG_TLS_CA", dir.resolve("ca.pem").toString(),
                "LIVEMIG_TLS_CERT", dir.resolve("a.pem").toString(), "LIVEMIG_TLS_KEY", dir.resolve("a.key").toString());
        TlsFlags none = TlsFlags.NONE;

        assertEquals(TransportSecurity.INSECURE, ClientSecurity.resolve(flags(null, null, null, true), env, List.of(file)));
        assertEquals(new TlsSettings(dir.resolve("ca.pem"), dir.resolve("b.pem"), dir.resolve("b.key")),
                ClientSecurity.resolve(flags(dir.resolve("ca.pem"), dir.resolve("b.pem"), dir.resolve("b.key"), false),
                        env, List.of()));
        assertEquals(new TlsSettings(dir.resolve("ca.pem"), dir.resolve("a.pem"), dir.resolve("a.key")),
                ClientSecurity.resolve(none, env, List.of(file)));
        assertEquals(TransportSecurity.INSECURE, ClientSecurity.resolve(none, Map.of("LIVEMIG_INSECURE", "1"),
                List.of(file)));
        assertEquals(new TlsSettings(dir.resolve("ca.pem"), dir.resolve("b.pem"), dir.resolve("b.key")),
                ClientSecurity.resolve(none, Map.of(), List.of(dir.resolve("absent.yaml"), file)));
        assertEquals(ClientSecurity.NONE, assertThrows(ConfigException.class,
                () -> ClientSecurity.resolve(none, Map.of(), List.of())).getMessage());
    }

    @Test
    void aClientFileMayAskForPlaintextButNotWithTls() throws Exception {
        Path file = dir.resolve("client.yaml");
        Files.writeString(file, "orchestrator: h:1\ninsecure: true\n");
        assertEquals(TransportSecurity.INSECURE, ClientSecurity.resolve(TlsFlags.NONE, Map.of(), List.of(file)));
        Files.writeString(file, "orchestrator: h:1\ninsecure: true\ntls: {ca: ca.pem, cert: b.pem, key: b.key}\n");
        assertEquals(file + ": tls and insecure: true exclude each other; keep one", assertThrows(
                ConfigException.class, () -> ClientSecurity.resolve(TlsFlags.NONE, Map.of(), List.of(file)))
                .getMessage());
    }

    @Test
    void aClientFileWithTlsAloneSelectsDirectMode() throws Exception {
        Path file = dir.resolve("client.yaml");
        Files.writeString(file, "tls: {ca: ca.pem, cert: b.pem, key: b.key}\n");
        ClientTarget target = ClientTarget.resolve(null, null, Map.of(), List.of(file));
        assertEquals(false, target.orchestrated());
    }
}
