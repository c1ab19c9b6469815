package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livemig.cli.TestCli;
import io.livemig.cli.TestCli.Run;
import io.livemig.testkit.SamplePem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad configuration files on the user's path: {@code livemig agent}, {@code livemig orchestrator}
 * and {@code livemig config check} stop before serving anything, with exit code 2 and exactly
 * one line on stderr naming the file, the key and what is allowed.
 */
class BadInputCliTest {

    @TempDir
    Path dir;

    @BeforeEach
    void cluster() throws Exception {
        Files.writeString(dir.resolve("cluster.yaml"), """
                hosts:
                  - {name: lab-a, agent: "127.0.0.1:7070", libvirt_uri: "qemu+tcp://127.0.0.1/system"}
                """);
        SamplePem.write(dir.resolve("pki"), "ca.pem", "server.pem", "server.key");
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static void refused(Run run, String line) {
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("", run.out());
        assertEquals(line + "\n", run.err());
    }

    @Test
    void agentWithoutHost() throws Exception {
        Path f = write("agent.yaml", "listen: 127.0.0.1:0\ncluster: cluster.yaml\ninsecure: true\n");
        refused(TestCli.run("agent", "--config", f.toString()),
                "livemig: " + f + ": host (this host's name in the cluster file) is required");
    }

    @Test
    void agentWithAHostNotInTheCluster() throws Exception {
        Path f = write("agent.yaml", "host: lab-b\nlisten: 127.0.0.1:0\ncluster: cluster.yaml\ninsecure: true\n");
        refused(TestCli.run("agent", "--config", f.toString()), "livemig: " + f + ":1: host 'lab-b' is not in "
                + dir.resolve("cluster.yaml") + " (it has: lab-a)");
    }

    @Test
    void agentWithABadListenOrLibvirtUri() throws Exception {
        Path listen = write("agent.yaml", "host: lab-a\nlisten: 127.0.0.1\ncluster: cluster.yaml\ninsecure: true\n");
        refused(TestCli.run("agent", "--config", listen.toString()),
                "livemig: " + listen + ":2: listen must be host:port, got '127.0.0.1'");
        Path uri = write("agent2.yaml", "host: lab-a\nlisten: 127.0.0.1:0\nlibvirt_uri: /var/run/libvirt\n"
                + "cluster: cluster.yaml\ninsecure: true\n");
        refused(TestCli.run("agent", "--config", uri.toString()), "livemig: " + uri
                + ":3: libvirt_uri must be a libvirt URI such as qemu+tcp://HOST/system, got '/var/run/libvirt'");
    }

    @Test
    void agentWithABadAllowEntry() throws Exception {
        Path f = write("agent.yaml", "host: lab-a\nlisten: 127.0.0.1:0\ncluster: cluster.yaml\ninsecure: true\n"
                + "allow:\n  - orchestrator\n  - {role: operator}\n");
        refused(TestCli.run("agent", "--config", f.toString()),
                "livemig: " + f + ":7: allow[1] must be a string, got a map");
    }

    @Test
    void orchestratorWithoutClusterOrTls() throws Exception {
        Path noCluster = write("o1.yaml", "database: h.db\ninsecure: true\n");
        refused(TestCli.run("orchestrator", "--config", noCluster.toString()),
                "livemig: " + noCluster + ": cluster (path of the cluster file) is required");
        Path noTls = write("o2.yaml", "cluster: cluster.yaml\ndatabase: h.db\n");
        refused(TestCli.run("orchestrator", "--config", noTls.toString()), "livemig: " + noTls
                + ": no tls section: give tls: {ca: ..., cert: ..., key: ...} (see scripts/pki.sh), "
                + "or insecure: true for plaintext");
        Path both = write("o3.yaml", "cluster: cluster.yaml\ndatabase: h.db\ninsecure: true\n"
                + "tls: {ca: pki/ca.pem, cert: pki/server.pem, key: pki/server.key}\n");
        refused(TestCli.run("orchestrator", "--config", both.toString()),
                "livemig: " + both + ": tls and insecure: true exclude each other; keep one");
    }

    /** Before: the server started and failed with "Input stream not contain valid certificates." naming no file. */
    @Test
    void serversWithTlsFilesThatAreNotPem() throws Exception {
        Files.writeString(dir.resolve("pki/server.pem"), "# the certificate goes here\n");
        Path orchestrator = write("o.yaml", "cluster: cluster.yaml\ndatabase: h.db\n"
                + "tls: {ca: pki/ca.pem, cert: pki/server.pem, key: pki/server.key}\n");
        refused(TestCli.run("orchestrator", "--config", orchestrator.toString()), "livemig: " + orchestrator
                + ": tls.cert " + dir.resolve("pki/server.pem") + ": not a PEM certificate (no -----BEGIN CERTIFICATE----- block)");

        SamplePem.write(dir.resolve("pki"), "server.pem");
        Files.writeString(dir.resolve("pki/server.key"), SamplePem.CERTIFICATE);
        Path agent = write("agent.yaml", "host: lab-a\nlisten: 127.0.0.1:0\ncluster: cluster.yaml\n"
                + "tls: {ca: pki/ca.pem, cert: pki/server.pem, key: pki/server.key}\n");
        refused(TestCli.run("agent", "--config", agent.toString()), "livemig: " + agent + ": tls.key "
                + dir.resolve("pki/server.key") + ": not a PEM private key (must be an unencrypted PKCS#8 PEM key "
                + "(-----BEGIN PRIVATE KEY-----, as scripts/pki.sh makes))");
    }

    /** Before: a key anyone could read was used without a word (PostgreSQL and OpenSSH refuse one). */
    @Test
    void aKeyOthersCanReadIsRefusedByTheServers() throws Exception {
        Path key = dir.resolve("pki/server.key");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        String why = "tls.key " + key + ": others may access it (mode 0644); a private key must not be: run chmod 600 "
                + key;
        Path agent = write("agent.yaml", "host: lab-a\nlisten: 127.0.0.1:0\ncluster: cluster.yaml\n"
                + "tls: {ca: pki/ca.pem, cert: pki/server.pem, key: pki/server.key}\n");
        refused(TestCli.run("agent", "--config", agent.toString()), "livemig: " + agent + ": " + why);
        Path orchestrator = write("o.yaml", "cluster: cluster.yaml\ndatabase: h.db\n"
                + "tls: {ca: pki/ca.pem, cert: pki/server.pem, key: pki/server.key}\n");
        refused(TestCli.run("orchestrator", "--config", orchestrator.toString()), "livemig: " + orchestrator + ": " + why);

        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        refused(TestCli.run("agent", "--config", agent.toString()), "livemig: " + agent + ": tls.key " + key
                + ": its group may access it (mode 0640); a private key must be 0600 at most: run chmod 600 " + key);
    }

    @Test
    void configCheckOfClusterFilesWithValuesOfTheWrongType() throws Exception {
        String host = "hosts:\n  - name: lab-a\n    agent: 127.0.0.1:7070\n    libvirt_uri: qemu+tcp://127.0.0.1/system\n";
        Path tls = write("c1.yaml", host + "    migration_tls: maybe\n");
        refused(TestCli.run("config", "check", tls.toString()),
                tls + ":5: hosts[0].migration_tls must be true or false, got 'maybe'");
        Path graphics = write("c2.yaml", host + "    graphics_listen: [0.0.0.0]\n");
        refused(TestCli.run("config", "check", graphics.toString()),
                graphics + ":5: hosts[0].graphics_listen must be a string, got a list");
        Path disks = write("c3.yaml", host + "    allow_disk_copy: maybe\n");
        refused(TestCli.run("config", "check", disks.toString()),
                disks + ":5: hosts[0].allow_disk_copy must be true or false, got 'maybe'");
    }

    @Test
    void anEmptyClusterFile() throws Exception {
        Path empty = write("empty.yaml", "");
        refused(TestCli.run("config", "check", empty.toString(), "--kind", "cluster"),
                empty + ": empty file (a 'hosts:' list is required)");
        refused(TestCli.run("config", "check", empty.toString()), empty + ": empty file");
        Path agent = write("agent.yaml", "host: lab-a\nlisten: 127.0.0.1:0\ncluster: empty.yaml\ninsecure: true\n");
        refused(TestCli.run("agent", "--config", agent.toString()),
                "livemig: " + empty + ": empty file (a 'hosts:' list is required)");
    }
}
