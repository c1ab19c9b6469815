package io.livemig.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The routing rule: which of --cluster, $LIVEMIG_CLUSTER, --orchestrator, $LIVEMIG_ORCHESTRATOR and client files wins. */
class ClientTargetTest {

    @TempDir
    static Path dir;

    static Path first;
    static Path second;
    static Path missing;

    private static Path file(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** name, --cluster, --orchestrator, environment, client files, expected orchestrator (null: direct), expected source. */
    static Stream<Arguments> table() throws Exception {
        first = file("first.yaml", "orchestrator: first:7080\n");
        second = file("second.yaml", "orchestrator: second:7080\n");
        missing = dir.resolve("missing.yaml");
        Path cluster = Path.of("cluster.yaml");
        Map<String, String> bothEnv = Map.of("LIVEMIG_CLUSTER", "c.yaml", "LIVEMIG_ORCHESTRATOR", "env:7080");
        Map<String, String> orchEnv = Map.of("LIVEMIG_ORCHESTRATOR", "env:7080");
        return Stream.of(
                Arguments.of("--cluster wins over everything", cluster, "flag:7080", orchEnv, List.of(first), null, "--cluster"),
                Arguments.of("$LIVEMIG_CLUSTER wins over --orchestrator", null, "flag:7080", bothEnv, List.of(first), null,
                        "$LIVEMIG_CLUSTER"),
                Arguments.of("a blank $LIVEMIG_CLUSTER does not count", null, null,
                        Map.of("LIVEMIG_CLUSTER", " ", "LIVEMIG_ORCHESTRATOR", "env:7080"), List.of(), "env:7080",
                        "$LIVEMIG_ORCHESTRATOR"),
                Arguments.of("--orchestrator wins over the environment and files", null, "flag:7080", orchEnv,
                        List.of(first), "flag:7080", "--orchestrator"),
                Arguments.of("$LIVEMIG_ORCHESTRATOR wins over files", null, null, orchEnv, List.of(first), "env:7080",
                        "$LIVEMIG_ORCHESTRATOR"),
                Arguments.of("$LIVEMIG_ORCHESTRATOR is trimmed", null, null, Map.of("LIVEMIG_ORCHESTRATOR", " env:7080\n"),
                        List.of(), "env:7080", "$LIVEMIG_ORCHESTRATOR"),
                Arguments.of("the first client file wins", null, null, Map.of(), List.of(first, second), "first:7080",
                        first.toString()),
                Arguments.of("a missing client file is skipped", null, null, Map.of(), List.of(missing, second),
                        "second:7080", second.toString()),
                Arguments.of("nothing: direct mode", null, null, Map.of(), List.of(missing), null,
                        "no orchestrator configured"),
                Arguments.of("IPv6 address", null, "[::1]:7080", Map.of(), List.of(), "[::1]:7080", "--orchestrator"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void routes(String name, Path cluster, String flag, Map<String, String> env, List<Path> files, String orchestrator,
            String source) throws Exception {
        ClientTarget target = ClientTarget.resolve(cluster, flag, env, files);
        assertEquals(orchestrator, target.orchestrator(), name);
        assertEquals(orchestrator != null, target.orchestrated());
        assertEquals(source, target.source());
    }

    @Test
    void aClientFileIsStrict() throws Exception {
        Path bad = file("bad.yaml", "orchestrator: o:7080\ncluster: /etc/livemig/cluster.yaml\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClientTarget.resolve(null, null, Map.of(), List.of(bad)));
        assertTrue(e.getMessage().startsWith(bad + ":2: unknown key 'cluster'"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        Path empty = file("empty.yaml", "# nothing\n");
        e = assertThrows(ConfigException.class, () -> ClientTarget.resolve(null, null, Map.of(), List.of(empty)));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        Path noKey = file("nokey.yaml", "orchestrator: \n");
        e = assertThrows(ConfigException.class, () -> ClientTarget.resolve(null, null, Map.of(), List.of(noKey)));
        assertEquals(noKey + ": orchestrator (HOST:PORT) is required", e.getMessage());

        Path badAddress = file("badaddress.yaml", "orchestrator: localhost\n");
        e = assertThrows(ConfigException.class, () -> ClientTarget.resolve(null, null, Map.of(), List.of(badAddress)));
        assertEquals(badAddress + ": orchestrator must be HOST:PORT (port 1..65535), got 'localhost'", e.getMessage());
    }

    @Test
    void aBadAddressNamesWhereItCameFrom() {
        for (String bad : List.of("localhost", ":7080", "host:", "host:port", "host:0", "host:65536")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ClientTarget.resolve(null, bad, Map.of(), List.of()));
            assertEquals("--orchestrator must be HOST:PORT (port 1..65535), got '" + bad + "'", e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClientTarget.resolve(null, null, Map.of("LIVEMIG_ORCHESTRATOR", "nope"), List.of()));
        assertTrue(e.getMessage().startsWith("$LIVEMIG_ORCHESTRATOR must be HOST:PORT"), e.getMessage());
    }

    @Test
    void directModeHasNoAddress() throws Exception {
        assertNull(ClientTarget.resolve(Path.of("c.yaml"), null, Map.of(), List.of()).orchestrator());
    }
}
