package io.livemig.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.livemig.common.tls.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates for tests, made by scripts/pki.sh (the script the lab uses): a CA with lab-a and
 * lab-b (IP SAN 127.0.0.1), orchestrator, operator and intruder; and another CA with its own
 * operator. Tests that need them are skipped when openssl is missing.
 */
public final class TestPki {

    public static final Path SCRIPT = Path.of("..", "scripts", "pki.sh").toAbsolutePath().normalize();

    public final Path dir;
    public final Path other;

    private TestPki(Path dir, Path other) {
        this.dir = dir;
        this.other = other;
    }

    /** Why tests that need certificates are skipped when {@link #opensslAvailable()} is false. */
    public static final String NO_OPENSSL = "openssl not found on PATH: scripts/pki.sh cannot make test certificates";

    /** Whether scripts/pki.sh can run here: openssl is an executable on PATH. */
    public static boolean opensslAvailable() {
        return onPath("openssl");
    }

    /** Skips the calling test (JUnit assumption) with {@link #NO_OPENSSL} when openssl is missing. */
    public static void assumeOpenssl() {
        assumeTrue(opensslAvailable(), NO_OPENSSL);
    }

    public static TestPki make(Path dir) throws IOException, InterruptedException {
        assumeOpenssl();
        Path other = dir.resolve("other");
        run("init", dir.toString());
        for (String name : List.of("lab-a", "lab-b", "orchestrator", "operator", "intruder")) {
            run("issue", dir.toString(), name, "--ip", "127.0.0.1", "--dns", "localhost");
        }
        run("init", other.toString());
        run("issue", other.toString(), "operator", "--ip", "127.0.0.1");
        return new TestPki(dir, other);
    }

    /** NAME's certificate and key, trusting this CA. */
    public TlsSettings tls(String name) {
        return new TlsSettings(dir.resolve("ca.pem"), dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    }

    /** The other CA's operator, trusting this (the servers') CA. */
    public TlsSettings stranger() {
        return new TlsSettings(dir.resolve("ca.pem"), other.resolve("operator.pem"), other.resolve("operator.key"));
    }

    public static void run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "pki.sh " + String.join(" ", args) + ": " + output);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
