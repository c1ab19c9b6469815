package io.livemig.cli;

import io.livemig.agent.libvirt.LibvirtHypervisor;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training run behind the launcher's class-data-sharing archive: the client commands people
 * run most, each against addresses where nothing listens (port 9 of the loopback network), so
 * that each fails at once having loaded what it loads: the command line, reading a cluster file,
 * the gRPC client, the migration's options. One JVM runs them all, since an archive records one
 * run. Not a command of livemig's; its output is discarded.
 */
public final class CdsTraining {

    private CdsTraining() {
    }

    /** @param args a directory the training may write its cluster file to */
    public static void main(String[] args) throws IOException {
        Path cluster = Path.of(args[0]).resolve("cluster.yaml");
        Files.writeString(cluster, """
                hosts:
                  - name: a
                    agent: 127.0.0.1:9
                    libvirt_uri: qemu+tcp://127.0.0.1/system
                  - name: b
                    agent: 127.0.0.2:9
                    libvirt_uri: qemu+tcp://127.0.0.2/system
                """);
        String[] orchestrator = {"--insecure", "--orchestrator", "127.0.0.1:9"};
        String[] direct = {"--insecure", "--cluster", cluster.toString()};
        List<List<String>> runs = List.of(
                List.of("hosts"), List.of("vms"), List.of("history"), List.of("migrate", "vm", "--to", "b", "--json"),
                List.of("watch", "m-000001"));
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        try (AgentChannels channels = AgentChannels.secured()) {
            for (String[] route : List.of(orchestrator, direct)) {
                for (List<String> run : runs) {
                    String[] argv = new String[route.length + run.size()];
                    System.arraycopy(route, 0, argv, 0, route.length);
                    System.arraycopy(run.toArray(String[]::new), 0, argv, route.length, run.size());
                    Main.execute(() -> new LibvirtHypervisor(), channels, false, ClientEnvironment.system(), discard,
                            discard, argv);
                }
            }
        }
        System.exit(0);
    }
}
