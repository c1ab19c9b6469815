package io.livemig.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

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

    /** Each bad file gets one line naming the file, the line where Jackson can tell, and the reason. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "hosts:\\n  - name: a\\n    agnet: x:1\\n    libvirt_uri: qemu:///system | c.yaml:3: unknown key 'agnet'",
        "hosts:\\n  - name: a\\n    agent: x\\n    libvirt_uri: qemu:///system | agent must be host:port",
        "hosts:\\n  - name: a\\n    agent: x:99999\\n    libvirt_uri: qemu:///system | port must be 1..65535",
        "hosts:\\n  - name: 'a b'\\n    agent: x:1\\n    libvirt_uri: qemu:///system | name must be",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: nope | libvirt_uri must be a libvirt URI",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n  - name: a\\n    agent: y:1\\n    libvirt_uri: q://h | listed twice",
        "hosts: [] | no hosts",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    max_outgoing: lots | c.yaml:5:",
        "hosts:\\n  - name: a\\n    agent: x:1\\n    libvirt_uri: q://h\\n    storage: {s: relative} | must be an absolute path",
        "hosts:\\n  - name: a\\n   agent: x:1 | c.yaml:3:",
    })
    void refusesBadFilesWithTheLineAndReason(String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ClusterConfig.parse(yaml.replace("\\n", "\n"), "c.yaml"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith("c.yaml"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
