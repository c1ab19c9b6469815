package io.livemig.common.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS: the CA that signs every livemig certificate, and this process's own certificate and
 * PKCS#8 key (its identity is the certificate's CN). The same three files serve as server
 * credentials and as client credentials toward other livemig servers.
 */
public record TlsSettings(Path ca, Path cert, Path key) implements TransportSecurity {

    public TlsSettings {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
    }

    /**
     * The reason the files cannot be used (the first missing, unreadable or not PEM one, named with
     * {@code label}: "tls.ca" or "--ca"), or null when all three are readable and hold what TLS
     * needs: PEM certificates in the CA and certificate files, a PKCS#8 PEM key in the key file,
     * which no one but its owner may read ({@link KeyFileAccess}).
     */
    public String unusable(String caLabel, String certLabel, String keyLabel) {
        String why = unusable(caLabel, ca);
        if (why == null) {
            why = unusable(certLabel, cert);
        }
        if (why == null) {
            why = unusable(keyLabel, key);
        }
        if (why == null) {
            why = problem(caLabel, ca, PemFiles.certificateProblem(ca));
        }
        if (why == null) {
            why = problem(certLabel, cert, PemFiles.certificateProblem(cert));
        }
        if (why == null) {
            why = problem(keyLabel, key, PemFiles.keyProblem(key));
        }
        return why == null ? problem(keyLabel, key, KeyFileAccess.problem(key)) : why;
    }

    private static String problem(String label, Path file, String problem) {
        return problem == null ? null : label + " " + file + ": " + problem;
    }

    private static String unusable(String label, Path file) {
        if (!Files.exists(file)) {
            return label + " " + file + ": no such file";
        }
        if (!Files.isRegularFile(file)) {
            return label + " " + file + ": not a file";
        }
        if (!Files.isReadable(file)) {
            return label + " " + file + ": not readable";
        }
        return null;
    }
}
