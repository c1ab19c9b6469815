package io.livemig.common.config;

import io.livemig.common.tls.TlsSettings;
import io.livemig.common.tls.TransportSecurity;
import java.nio.file.Path;

/**
 * The {@code tls} section of the agent's, the orchestrator's and the client's files:
 * {@code tls: {ca: ca.pem, cert: lab-a.pem, key: lab-a.key}}, relative paths from the file's
 * directory (scripts/pki.sh makes them).
 */
public record TlsConfig(String ca, String cert, String key) {

    /** The three files, resolved from {@code dir} and checked readable; errors start with {@code where}. */
    public TlsSettings resolve(Path dir, String where) throws ConfigException {
        if (ca == null || cert == null || key == null) {
            throw new ConfigException(where + "tls needs ca, cert and key (files made by scripts/pki.sh)");
        }
        TlsSettings tls = new TlsSettings(dir.resolve(ca), dir.resolve(cert), dir.resolve(key));
        String unusable = tls.unusable("tls.ca", "tls.cert", "tls.key");
        if (unusable != null) {
            throw new ConfigException(where + unusable);
        }
        return tls;
    }

    /**
     * A server's transport security from its file: mutual TLS from {@code tls}, or plaintext when
     * the file says {@code insecure: true} or the command line {@code --insecure}. A file with
     * neither is refused: plaintext is never the silent default.
     */
    public static TransportSecurity choose(Path file, TlsConfig tls, Boolean insecure, boolean insecureFlag)
            throws ConfigException {
        String where = file + ": ";
        boolean fileInsecure = insecure != null && insecure;
        if (fileInsecure && tls != null) {
            throw new ConfigException(where + "tls and insecure: true exclude each other; keep one");
        }
        if (fileInsecure || insecureFlag) {
            return TransportSecurity.INSECURE;
        }
        if (tls == null) {
            throw new ConfigException(where + "no tls section: give tls: {ca: ..., cert: ..., key: ...} "
                    + "(see scripts/pki.sh), or insecure: true for plaintext");
        }
        return tls.resolve(file.toAbsolutePath().getParent(), where);
    }
}
