package io.livemig.cli;

import io.livemig.agent.libvirt.LibvirtHypervisor;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.cli.client.ClientWarmup;
import io.livemig.common.config.ConfigException;
import io.livemig.common.tls.TlsSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run behind the launcher's class-data-sharing archive: the client commands people
 * run most, so that the archive holds what they load: the command line, reading a cluster file,
 * the gRPC client, TLS, the migration's options, the tables. One JVM runs them all, since an
 * archive records one run. Through an orchestrator, they reach a stand-in on the loopback network
 * behind mutual TLS ({@link TrainingOrchestrator}, with a throwaway certificate from
 * {@link TrainingPki}) and go through a whole call; without TLS, and through a cluster file, they
 * dial port 9 of the loopback network, where nothing listens, and fail at once. Not a command of
 * livemig's; its output is discarded.
 */
public final class CdsTraining {

    private CdsTraining() {
    }

    /** @param args a directory the training may write its files to */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        ClientWarmup.now();
        Path cluster = dir.resolve("cluster.yaml");
        Files.writeString(cluster, """
                hosts:
                  - name: a
                    agent: 127.0.0.1:9
                    libvirt_uri: qemu+tcp://127.0.0.1/system
                  - name: b
                    agent: 127.0.0.2:9
                    libvirt_uri: qemu+tcp://127.0.0.2/system
                """);
        List<List<String>> runs = List.of(
                List.of("hosts"), List.of("vms"), List.of("history"), List.of("migrate", "vm", "--to", "b", "--json"),
                List.of("watch", "m-000001"));
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        TrainingOrchestrator orchestrator = null;
        try (AgentChannels channels = AgentChannels.secured()) {
            List<List<String>> routes = new ArrayList<>();
            try {
                TlsSettings tls = TrainingPki.create(dir);
                orchestrator = TrainingOrchestrator.start(tls);
                List<String> files = List.of("--ca", tls.ca().toString(), "--cert", tls.cert().toString(), "--key",
                        tls.key().toString());
                routes.add(concat(List.of("--orchestrator", orchestrator.address()), files));
                routes.add(concat(List.of("--cluster", cluster.toString()), files));
            } catch (IOException | GeneralSecurityException | ConfigException e) {
                // No keytool or no TLS here: the plaintext routes below still train the rest.
            }
            routes.add(List.of("--insecure", "--orchestrator", "127.0.0.1:9"));
            routes.add(List.of("--insecure", "--cluster", cluster.toString()));
            for (List<String> route : routes) {
                for (List<String> run : runs) {
                    Main.execute(() -> new LibvirtHypervisor(), channels, false, ClientEnvironment.system(), discard,
                            discard, concat(route, run).toArray(String[]::new));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (orchestrator != null) {
                try {
                    orchestrator.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        System.exit(0);
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
