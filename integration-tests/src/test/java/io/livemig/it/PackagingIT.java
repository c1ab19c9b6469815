package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive as an operator gets it: unpacked into an empty directory, its
 * {@code bin/livemig} (a plain JRE, no Maven) runs the lab's agents and orchestrator, checks the
 * lab's configuration files, migrates a guest, and the metrics endpoints count it.
 */
@RequiresRoot
class PackagingIT {

    private static final Path LAB_DIR = Path.of("/var/lib/livemig-lab");
    private static final Duration CALL = Duration.ofMinutes(3);

    @TempDir
    static Path empty;

    private static Lab lab;
    private static Path livemig;

    @BeforeAll
    static void unpackAndStartTheLabFromIt() throws IOException {
        if (!Lab.runningAsRoot()) {
            return; // every test is skipped by @RequiresRoot, with the reason
        }
        lab = Lab.ofThisRepository();
        Path archive;
        try (Stream<Path> built = Files.list(lab.root().resolve("cli/target"))) {
            archive = built.filter(p -> p.getFileName().toString().matches("livemig-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no livemig-*.tar.gz in cli/target (mvn package)"));
        }
        Lab.Result untar = lab.exec(CALL, List.of("tar", "-xzf", archive.toString(), "-C", empty.toString()));
        assertTrue(untar.ok(), untar::describe);
        try (Stream<Path> dirs = Files.list(empty)) {
            livemig = dirs.findFirst().orElseThrow().resolve("bin/livemig");
        }
        // A lab left up by another test class would keep its agents: start it from the archive.
        lab.run(Duration.ofMinutes(3), "down");
        Lab.Result up = lab.exec(Duration.ofMinutes(5), List.of(lab.root().resolve("scripts/lab.sh").toString(), "up",
                "--hosts", "2"), Map.of("LIVEMIG_BIN", livemig.toString()));
        assertTrue(up.ok(), up::describe);
    }

    @AfterAll
    static void stopLab() {
        Lab.downAfterTests(lab, "pkg-1");
    }

    private static Lab.Result run(String... args) {
        return lab.exec(CALL, Stream.concat(Stream.of(livemig.toString()), Stream.of(args)).toList());
    }

    private static String scrape(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }

    @Test
    void theUnpackedArchiveRunsTheLab() throws Exception {
        Lab.Result version = run("--version");
        assertEquals(0, version.exitCode(), version::describe);
        assertTrue(version.output().matches("(?s)livemig \\d+\\.\\d+.*\\(commit [0-9a-f]{7,}\\).*"), version::describe);

        // The lab's agents and orchestrator are this archive's.
        Lab.Result processes = lab.exec(CALL, List.of("pgrep", "-af", empty.toString()));
        assertTrue(processes.output().contains(" agent --config") && processes.output().contains(" orchestrator --config"),
                processes::describe);

        for (String file : List.of("cluster.yaml", "orchestrator.yaml", "hosts/lab-a/agent.yaml", "client.yaml")) {
            Lab.Result check = run("config", "check", LAB_DIR.resolve(file).toString());
            assertEquals(0, check.exitCode(), check::describe);
            assertTrue(check.output().contains(": ok ("), check::describe);
        }
        Path bad = empty.resolve("bad-cluster.yaml");
        Files.writeString(bad, "hosts:\n  - name: a\n    agent: a:7070\n    agnet: x\n");
        Lab.Result refused = run("config", "check", bad.toString());
        assertEquals(2, refused.exitCode(), refused::describe);
        assertTrue(refused.output().contains(bad + ":4: unknown key 'agnet'"), refused::describe);

        Lab.Result created = lab.run(CALL, "vm", "create", "pkg-1", "--host", "lab-a", "--mem", "128",
                "--dirty-mib", "16", "--dirty-rate", "4");
        assertTrue(created.ok(), created::describe);
        Lab.Result migrated = run("migrate", "pkg-1", "--to", "lab-b");
        assertEquals(0, migrated.exitCode(), migrated::describe);
        Lab.Result check = lab.awaitSuccess(Duration.ofSeconds(30), Duration.ofSeconds(2), "vm", "check", "pkg-1");
        assertTrue(check.ok() && check.output().contains("host=lab-b "), check::describe);

        String agent = scrape("http://" + lab.host("lab-a").ip() + ":9170/metrics");
        assertTrue(agent.contains("livemig_migrations_total{mode_requested=\"auto\",mode_used=")
                && agent.contains("outcome=\"succeeded\"} 1.0"), agent);
        String orchestrator = scrape("http://10.213.77.1:9180/metrics");
        assertTrue(orchestrator.contains("livemig_migrations_total{origin=\"user\",outcome=\"succeeded\"} 1.0"),
                orchestrator);
    }
}
