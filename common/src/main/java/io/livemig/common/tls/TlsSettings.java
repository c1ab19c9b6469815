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
     * The reason the files cannot be used (the first missing or unreadable one, named with
     * {@code label}: "tls.ca" or "--ca"), or null when all three are readable files.
     */
    public String unusable(String caLabel, String certLabel, String keyLabel) {
        String why = unusable(caLabel, ca);
        if (why == null) {
            why = unusable(certLabel, cert);
        }
        return why == null ? unusable(keyLabel, key) : why;
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
