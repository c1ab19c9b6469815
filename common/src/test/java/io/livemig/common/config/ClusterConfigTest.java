package io.livemig.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterConfigTest {

    private static final String GOOD = """
            hosts:
              - name: lab-a
                agent: 10.0.0.11:7070
                libvirt_uri: qemu+tcp://10.0.0.11/system
                networks: {lan: br-a}
                storage: {shared: /mnt/a}
                link_mibps: 100
              - name: lab-b
                agent: 10.0.0.12:7070
                libvirt_uri: qemu+tcp://10.0.0.12/system
            """;

    @Test
    void readsHostsWithDefaults() throws Exception {
        ClusterConfig c = ClusterConfig.parse(GOOD, "c.yaml");
        HostConfig a = c.requireHost("lab-a");
        assertEquals("br-a", a.networks().get("lan"));
        assertEquals("/mnt/a", a.storage().get("shared"));
        assertEquals(100, a.linkMiBps());
        HostConfig b = c.requireHost("lab-b");
        assertEquals(2, b.maxOutgoing());
        assertEquals(0, b.linkMiBps());
        ConfigException e = assertThrows(ConfigException.class, () -> c.requireHost("lab-z"));
        assertTrue(e.getMessage().contains("lab-a, lab-b"), e.getMessage());
    }

    private static final String H1 = "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://a\\n";

    /**
     * Each bad file gets one line: the file, the line of the offending key (or entry), the reason.
     * Rows: the file (\\n for new lines), then the start of the message.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // unknown keys, wrong types, broken YAML: found by Jackson
        "hosts:\\n  - name: a\\n    agnet: x:1\\n    libvirt_uri: qemu:///system | c.yaml:3: unknown key 'agnet'",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    max_outgoing: lots | c.yaml:5: hosts[0].max_outgoing must be a whole number, got 'lots'",
        "hosts:\\n  - name: a\\n   agent: x:1 | c.yaml:3:",
        "hosts: {name: a} | c.yaml:1: hosts must be a list, got a map",
        // missing fields: at the host's entry
        "hosts:\\n  - agent: x:1\\n    libvirt_uri: q://h | c.yaml:2: name is required",
        "hosts:\\n  - name: a\\n    libvirt_uri: q://h | c.yaml:2: host a: agent is required (host:port)",
        "hosts:\\n  - name: a\\n    agent: x:1 | c.yaml:2: host a: libvirt_uri is required",
        "hosts: [] | c.yaml:1: no hosts",
        "hosts:\\n  - | c.yaml:2: hosts[0] is empty",
        // bad values: at their key
        "hosts:\\n  - name: 'a b'\\n    agent: x:1\\n    libvirt_uri: q://h | c.yaml:2: invalid host name 'a b' (1-63 letters",
        "hosts:\\n  - name: ''\\n    agent: x:1\\n    libvirt_uri: q://h | c.yaml:2: host name is required",
        "hosts:\\n  - name: a/b\\n    agent: x:1\\n    libvirt_uri: q://h | c.yaml:2: host name 'a/b' contains '/'",
        "hosts:\\n  - name: a\\n    agent: x\\n    libvirt_uri: qemu:///system | c.yaml:3: host a: agent must be host:port, got 'x'",
        "hosts:\\n  - name: a\\n    agent: x:99999\\n    libvirt_uri: qemu:///system | c.yaml:3: host a: agent port must be 1..65535, got 99999",
        "hosts:\\n  - name: a\\n    agent: x:0\\n    libvirt_uri: qemu:///system | c.yaml:3: host a: agent port must be 1..65535, got 0",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: nope | c.yaml:4: host a: libvirt_uri must be a libvirt URI",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    migration_address: 'no where' | c.yaml:5: host a: migration_address must be a host name or IP address",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    max_outgoing: 0 | c.yaml:5: host a: max_outgoing must be 1..64, got 0",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    max_incoming: 65 | c.yaml:5: host a: max_incoming must be 1..64, got 65",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    link_mibps: -1 | c.yaml:5: host a: link_mibps must be 0..1000000, got -1",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    storage: {s: relative} | c.yaml:5: host a: storage 's' must be an absolute path",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    networks:\\n      lan: '' | c.yaml:6: host a: network 'lan' needs a local bridge",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    log_dir: logs | c.yaml:5: host a: log_dir must be an absolute path",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    cpus: 3-1 | c.yaml:5: host a: cpus: invalid cpuset",
        // what must differ between hosts: at the second entry, naming the first
        "H1  - name: a\\n    agent: y:1\\n    libvirt_uri: q://b | c.yaml:5: host name 'a' is listed twice (first at line 2)",
        "H1  - name: b\\n    agent: x:1\\n    libvirt_uri: q://b | c.yaml:6: host b: agent address x:1 is listed twice (first at line 2)",
        "H1  - name: b\\n    agent: y:1\\n    libvirt_uri: q://a | c.yaml:7: host b: libvirt_uri q://a is listed twice (first at line 2)",
    })
    void refusesBadFilesWithTheLineAndReason(String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClusterConfig.parse(yaml.replace("H1", H1).replace("\\n", "\n"), "c.yaml"));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void aFileOnDiskIsNamedWithItsPathAndLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, H1.replace("\\n", "\n") + "  - name: b\n    agent: x:1\n    libvirt_uri: q://b\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ClusterConfig.load(file));
        assertEquals(file + ":6: host b: agent address x:1 is listed twice (first at line 2)", e.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> ClusterConfig.load(dir.resolve("nope.yaml")));
        assertEquals(dir.resolve("nope.yaml") + ": no such file", missing.getMessage());
    }

    /**
     * Values of the wrong type and other bad input, each one exact line: the file, the line of the
     * key, the key and what it takes. Rows: the keys added to a good host "a" (\\n for new lines), the message.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "graphics_listen: [10.0.0.1, 10.0.0.2] | c.yaml:5: hosts[0].graphics_listen must be a string, got a list",
        "graphics_listen: {addr: 10.0.0.1}     | c.yaml:5: hosts[0].graphics_listen must be a string, got a map",
        "graphics_listen: 'any where'          | c.yaml:5: host a: graphics_listen must be a host name or IP address, got 'any where'",
        "migration_tls: maybe                  | c.yaml:5: hosts[0].migration_tls must be true or false, got 'maybe'",
        "migration_tls: [true]                 | c.yaml:5: hosts[0].migration_tls must be true or false, got a list",
        "allow_disk_copy: maybe                | c.yaml:5: hosts[0].allow_disk_copy must be true or false, got 'maybe'",
        "allow_disk_copy: [yes, no]            | c.yaml:5: hosts[0].allow_disk_copy must be true or false, got a list",
        "allow_disk_copy: {local: true}        | c.yaml:5: hosts[0].allow_disk_copy must be true or false, got a map",
        "networks:\\n      lan:                | c.yaml:6: host a: network 'lan' needs a local bridge or network name",
        "networks: [br0]                       | c.yaml:5: hosts[0].networks must be a map (key: value), got a list",
    })
    void wrongTypesAreOneExactLineNamingTheKey(String rest, String expected) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClusterConfig.parse((H1 + "    " + rest.strip()).replace("\\n", "\n") + "\n", "c.yaml"));
        assertEquals(expected, e.getMessage());
    }

    /** allow lists belong to the agent's and the orchestrator's files, not to the cluster file. */
    @Test
    void allowIsNotAKeyOfTheClusterFile() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClusterConfig.parse("allow: [operator]\n" + H1.replace("\\n", "\n"), "c.yaml"));
        assertEquals("c.yaml:1: unknown key 'allow' (known: hosts)", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''", "'   \\n'", "'# hosts come later\\n'", "'---\\n'", "'null\\n'"})
    void anEmptyFileSaysWhatIsRequired(String yaml) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClusterConfig.parse(yaml.replace("\\n", "\n"), "c.yaml"));
        assertEquals("c.yaml: empty file (a 'hosts:' list is required)", e.getMessage());
    }

    @Test
    void anEmptyFileOnDiskIsNamedWithItsPath(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("cluster.yaml"), "");
        ConfigException e = assertThrows(ConfigException.class, () -> ClusterConfig.load(file));
        assertEquals(file + ": empty file (a 'hosts:' list is required)", e.getMessage());
    }

    @Test
    void aFileThatIsNotAMapSaysSo() {
        ConfigException e = assertThrows(ConfigException.class, () -> ClusterConfig.parse("- a\n- b\n", "c.yaml"));
        assertEquals("c.yaml:1: the file must be a map of keys (key: value lines), got a list", e.getMessage());
    }
}
