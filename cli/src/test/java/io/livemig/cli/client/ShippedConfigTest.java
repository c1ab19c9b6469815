package io.livemig.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.config.AgentConfig;
import io.livemig.cli.TestCli;
import io.livemig.common.config.ClusterConfig;
import io.livemig.common.tls.TlsSettings;
import io.livemig.orchestrator.config.OrchestratorConfig;
import io.livemig.testkit.SamplePem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default configuration files the archive ships (share/config) load with the real loaders
 * once copied together into one directory, as into /etc/livemig, with the TLS files they name.
 */
class ShippedConfigTest {

    static final Path SHIPPED = Path.of("src/main/dist/share/config");
    static final List<String> FILES = List.of("agent.yaml", "cluster.yaml", "orchestrator.yaml", "client.yaml");

    @TempDir
    Path etc;

    @BeforeEach
    void install() throws IOException {
        for (String name : FILES) {
            Files.copy(SHIPPED.resolve(name), etc.resolve(name));
        }
        SamplePem.write(etc.resolve("pki"), "ca.pem", "kvm1.pem", "kvm1.key", "orchestrator.pem", "orchestrator.key",
                "operator.pem", "operator.key");
    }

    @Test
    void theAgentFileLoads() throws Exception {
        AgentConfig.Loaded a = AgentConfig.load(etc.resolve("agent.yaml"));
        assertEquals("kvm1", a.self().name());
        assertEquals("0.0.0.0:7070", a.agent().listen());
        assertEquals("qemu:///system", a.agent().libvirtUri());
        assertEquals(3, a.cluster().hosts().size());
        assertTrue(a.security() instanceof TlsSettings, "mutual TLS");
    }

    @Test
    void theClusterFileLoadsWithEveryHostKey() throws Exception {
        ClusterConfig c = ClusterConfig.load(etc.resolve("cluster.yaml"));
        assertEquals(List.of("kvm1", "kvm2", "kvm3"), c.hosts().stream().map(h -> h.name()).toList());
        assertEquals("/srv/vm-images", c.hosts().get(0).storage().get("shared"));
        assertEquals("/mnt/nfs/vm-images", c.hosts().get(1).storage().get("shared"));
    }

    @Test
    void theOrchestratorFileLoads() throws Exception {
        OrchestratorConfig.Loaded o = OrchestratorConfig.load(etc.resolve("orchestrator.yaml"));
        assertEquals("0.0.0.0:7080", o.config().listen());
        assertEquals(Path.of("/var/lib/livemig/orchestrator.db"), o.database());
        assertTrue(o.security() instanceof TlsSettings, "mutual TLS");
    }

    @Test
    void theClientFileLoads() throws Exception {
        Path file = etc.resolve("client.yaml");
        ClientTarget target = ClientTarget.resolve(null, null, Map.of(), List.of(file));
        assertEquals("orchestrator.example.org:7080", target.orchestrator());
        assertTrue(ClientSecurity.resolve(TlsFlags.NONE, Map.of(), List.of(file)) instanceof TlsSettings);
    }

    @Test
    void configCheckAcceptsEveryShippedFile() {
        for (String name : FILES) {
            TestCli.Run run = TestCli.run("config", "check", etc.resolve(name).toString());
            assertEquals(0, run.exitCode(), name + ": " + run.err());
            assertTrue(run.out().startsWith(etc.resolve(name) + ": ok (" + name.replace(".yaml", "") + ": "),
                    run.out());
        }
    }

    /**
     * Every key the loaders know appears in the shipped file with a comment that gives its
     * default: a commented-out key counts ("# insecure: false").
     */
    @Test
    void everyKeyIsThereAndCommentedWithItsDefault() throws IOException {
        Map<String, List<String>> keys = Map.of(
                "agent.yaml", List.of("host", "listen", "libvirt_uri", "cluster", "tls", "ca", "cert", "key",
                        "allow", "insecure"),
                "cluster.yaml", List.of("hosts", "name", "agent", "libvirt_uri", "migration_address", "networks",
                        "storage", "log_dir", "graphics_listen", "cpus", "allow_disk_copy", "max_outgoing",
                        "max_incoming", "link_mibps", "migration_tls"),
                "orchestrator.yaml", List.of("listen", "cluster", "database", "policy", "limits", "cluster",
                        "per_host_outgoing", "per_host_incoming", "load", "interval_s", "window", "rebalance",
                        "dry_run", "threshold", "min_gain", "max_moves", "cooldown_s", "tls", "allow", "insecure"),
                "client.yaml", List.of("orchestrator", "tls", "ca", "cert", "key", "insecure"));
        for (var e : keys.entrySet()) {
            String text = Files.readString(SHIPPED.resolve(e.getKey()));
            for (String key : e.getValue()) {
                assertTrue(Pattern.compile("(?m)^[ #-]*" + key + ":").matcher(text).find(),
                        e.getKey() + " has no " + key);
            }
            long defaults = Stream.of(text.split("\n")).filter(l -> l.contains("Default:")).count();
            assertTrue(defaults >= 3, e.getKey() + " names its defaults");
        }
    }
}
