package io.livemig.cli.client;

import io.livemig.common.config.ConfigException;
import io.livemig.common.config.YamlFiles;
import io.livemig.common.tls.TlsSettings;
import io.livemig.common.tls.TransportSecurity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How client commands connect to the orchestrator and to agents, first match wins:
 *
 * <ol>
 *   <li>{@code --insecure}: plaintext;
 *   <li>{@code --ca/--cert/--key} (all three);
 *   <li>$LIVEMIG_INSECURE=1: plaintext;
 *   <li>$LIVEMIG_TLS_CA, $LIVEMIG_TLS_CERT, $LIVEMIG_TLS_KEY (all three);
 *   <li>the {@code tls} section of the first readable client file (paths relative to it), or its
 *       {@code insecure: true};
 *   <li>else a one-line refusal: plaintext is never chosen silently.
 * </ol>
 */
public final class ClientSecurity {

    public static final String ENV_CA = "LIVEMIG_TLS_CA";
    public static final String ENV_CERT = "LIVEMIG_TLS_CERT";
    public static final String ENV_KEY = "LIVEMIG_TLS_KEY";
    public static final String ENV_INSECURE = "LIVEMIG_INSECURE";
    static final String NONE = "no client certificate: give --ca/--cert/--key, LIVEMIG_TLS_*, a tls section in "
            + "client.yaml, or --insecure";

    private ClientSecurity() {
    }

    public static TransportSecurity resolve(TlsFlags options, Map<String, String> env, List<Path> clientFiles)
            throws ConfigException {
        if (options.insecure()) {
            return TransportSecurity.INSECURE;
        }
        if (options.ca() != null || options.cert() != null || options.key() != null) {
            return checked(options.ca(), options.cert(), options.key(), "--ca", "--cert", "--key");
        }
        if ("1".equals(strip(env.get(ENV_INSECURE)))) {
            return TransportSecurity.INSECURE;
        }
        String ca = strip(env.get(ENV_CA));
        String cert = strip(env.get(ENV_CERT));
        String key = strip(env.get(ENV_KEY));
        if (ca != null || cert != null || key != null) {
            return checked(path(ca), path(cert), path(key), "$" + ENV_CA, "$" + ENV_CERT, "$" + ENV_KEY);
        }
        for (Path file : clientFiles) {
            if (Files.isReadable(file)) {
                ClientTarget.ClientFile c = YamlFiles.read(file, ClientTarget.ClientFile.class);
                if (c.tls() != null && Boolean.TRUE.equals(c.insecure())) {
                    throw new ConfigException(file + ": tls and insecure: true exclude each other; keep one");
                }
                if (Boolean.TRUE.equals(c.insecure())) {
                    return TransportSecurity.INSECURE;
                }
                if (c.tls() == null) {
                    break;
                }
                return c.tls().resolve(file.toAbsolutePath().getParent(), file + ": ");
            }
        }
        throw new ConfigException(NONE);
    }

    private static TlsSettings checked(Path ca, Path cert, Path key, String caLabel, String certLabel,
            String keyLabel) throws ConfigException {
        if (ca == null || cert == null || key == null) {
            throw new ConfigException(caLabel + ", " + certLabel + " and " + keyLabel + " go together: give all three");
        }
        TlsSettings tls = new TlsSettings(ca, cert, key);
        String unusable = tls.unusable(caLabel, certLabel, keyLabel);
        if (unusable != null) {
            throw new ConfigException(unusable);
        }
        return tls;
    }

    private static String strip(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static Path path(String value) {
        return value == null ? null : Path.of(value);
    }
}
