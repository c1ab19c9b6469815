package io.livemig.cli.client;

import io.livemig.common.config.ConfigException;
import io.livemig.common.config.TlsConfig;
import io.livemig.common.config.YamlFiles;
import io.livemig.common.value.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the client commands (hosts, vms, migrate, ...) go, decided in this order:
 *
 * <ol>
 *   <li>{@code --cluster FILE} given, or $LIVEMIG_CLUSTER set: straight to the agents of that
 *       cluster file (direct mode);
 *   <li>else {@code --orchestrator HOST:PORT};
 *   <li>else $LIVEMIG_ORCHESTRATOR;
 *   <li>else the first readable client file, /etc/livemig/client.yaml or
 *       /var/lib/livemig-lab/client.yaml ({@code orchestrator: HOST:PORT}; its {@code tls}
 *       section is {@link ClientSecurity}'s);
 *   <li>else direct mode, with the default cluster files.
 * </ol>
 *
 * @param orchestrator the orchestrator's address; null in direct mode
 * @param source what decided it ("--cluster", "$LIVEMIG_ORCHESTRATOR", a client file's path...)
 */
public record ClientTarget(String orchestrator, String source) {

    public static final String ENV = "LIVEMIG_ORCHESTRATOR";
    /** Names the cluster file; set, it selects direct mode. */
    public static final String CLUSTER_ENV = "LIVEMIG_CLUSTER";
    static final List<Path> CLIENT_FILES =
            List.of(Path.of("/etc/livemig/client.yaml"), Path.of("/var/lib/livemig-lab/client.yaml"));
    /** What an orchestrator-only command says in direct mode. */
    public static final String HOW_TO_NAME_ONE = "pass --orchestrator HOST:PORT, set $" + ENV
            + " or write /etc/livemig/client.yaml";

    /**
     * The client file (YAML, strict): {@code orchestrator: HOST:PORT} and the client's
     * {@code tls: {ca, cert, key}} (see {@link ClientSecurity}); a file with tls alone selects
     * direct mode; {@code insecure: true} instead of tls: plaintext.
     */
    public record ClientFile(String orchestrator, TlsConfig tls, Boolean insecure) {}

    /**
     * Reads a client file's text in the form scripts write it, and drops it: the YAML parser and
     * the client file's reader are made on first use, once per JVM ({@link ClientWarmup}).
     */
    static void readSampleClientFile() throws ConfigException {
        YamlFiles.parse("orchestrator: 127.0.0.1:7080\ntls: {ca: ca.pem, cert: cert.pem, key: key.pem}\n",
                "a sample client file", ClientFile.class);
    }

    public boolean orchestrated() {
        return orchestrator != null;
    }

    static ClientTarget direct(String source) {
        return new ClientTarget(null, source);
    }

    /**
     * The routing rule. {@code clusterFlag} and {@code orchestratorFlag} are the options' values
     * (null when not given).
     */
    public static ClientTarget resolve(Path clusterFlag, String orchestratorFlag, Map<String, String> env,
            List<Path> clientFiles) throws ConfigException {
        if (clusterFlag != null) {
            return direct("--cluster");
        }
        if (isSet(env.get(CLUSTER_ENV))) {
            return direct("$" + CLUSTER_ENV);
        }
        if (orchestratorFlag != null) {
            return new ClientTarget(address(orchestratorFlag, "--orchestrator"), "--orchestrator");
        }
        String fromEnv = env.get(ENV);
        if (isSet(fromEnv)) {
            return new ClientTarget(address(fromEnv.strip(), "$" + ENV), "$" + ENV);
        }
        for (Path file : clientFiles) {
            if (Files.isReadable(file)) {
                ClientFile c = YamlFiles.read(file, ClientFile.class);
                if ((c.orchestrator() == null || c.orchestrator().isBlank())
                        && (c.tls() != null || Boolean.TRUE.equals(c.insecure()))) {
                    return direct("no orchestrator in " + file);
                }
                if (c.orchestrator() == null || c.orchestrator().isBlank()) {
                    throw new ConfigException(file + ": orchestrator (HOST:PORT) is required");
                }
                return new ClientTarget(address(c.orchestrator().strip(), file + ": orchestrator"), file.toString());
            }
        }
        return direct("no orchestrator configured");
    }

    /** {@code address} if it looks like HOST:PORT, else a one-line error naming where it came from. */
    static String address(String address, String where) throws ConfigException {
        Optional<HostPort> parsed = HostPort.tryParse(address);
        if (parsed.isPresent() && parsed.get().port() >= 1 && parsed.get().port() <= 65_535) {
            return address;
        }
        throw new ConfigException(where + " must be HOST:PORT (port 1..65535), got '" + address + "'");
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
