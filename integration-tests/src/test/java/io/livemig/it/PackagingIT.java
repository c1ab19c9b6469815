package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * lab's configuration files, migrates a guest, and the metrics endpoints count it; it makes its own
 * AppCDS archive, which client commands then map, and so does a copy moved elsewhere.
 */
@RequiresRoot
class PackagingIT {

    private static final Path LAB_DIR = Path.of("/var/lib/livemig-lab");
    private static final Duration CALL = Duration.ofMinutes(3);

    @TempDir
    static Path empty;

    private static Lab lab;
    private static Path archive;
    private static Path livemig;

    @BeforeAll
    static void unpackAndStartTheLabFromIt() throws IOException {
        if (!Lab.runningAsRoot()) {
            return; // every test is skipped by @RequiresRoot, with the reason
        }
        lab = Lab.ofThisRepository();
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

    /**
     * Waits (at most 3 minutes) for an AppCDS archive's stamp in {@code lib} whose first line names
     * lib: a copy carries the stamp of the directory it was copied from until its training ends.
     */
    private static void awaitClassDataArchive(Path lib) throws Exception {
        Path stamp = lib.resolve("livemig.jsa.stamp");
        String expected = "lib " + lib.toRealPath();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String found = "";
        while (!found.equals(expected)) {
            assertTrue(System.nanoTime() < deadline, "no stamp naming " + lib + " after 3 minutes: " + stamp + " says '"
                    + found + "'");
            Thread.sleep(500);
            List<String> lines = Files.exists(stamp) ? Files.readAllLines(stamp) : List.of();
            found = lines.isEmpty() ? "" : lines.get(0);
        }
        assertTrue(Files.size(lib.resolve("livemig.jsa")) > 0, "the training made no archive in " + lib);
    }

    /** {@code --version} with -Xshare:on, which fails when the archive cannot be mapped, and class loading logged. */
    private static Lab.Result versionFromTheArchive(Path launcher) {
        return lab.exec(CALL, List.of(launcher.toString(), "--version"),
                Map.of("LIVEMIG_JAVA_OPTS", "-Xshare:on -Xlog:class+load=info"));
    }

    /**
     * The archive ships without the build machine's AppCDS archive (it fits only the directory and
     * the JVM it was made for): the first client command of the unpacked copy starts a training
     * run in the background, and once its stamp is there client commands map the archive. A copy
     * moved elsewhere does not use the archive it carries (its stamp names the old directory),
     * still runs, and makes its own.
     */
    @Test
    void theUnpackedArchiveMakesItsOwnClassDataArchiveAndMapsIt() throws Exception {
        Lab.Result listing = lab.exec(CALL, List.of("tar", "-tzf", archive.toString()));
        assertTrue(listing.ok(), listing::describe);
        assertTrue(listing.output().contains("/lib/livemig.classpath"), listing::describe);
        assertFalse(listing.output().contains("livemig.jsa"), listing::describe);

        // The lab's or other tests' client commands may have started the training already.
        Lab.Result version = run("--version");
        assertEquals(0, version.exitCode(), version::describe);
        Path lib = livemig.getParent().resolveSibling("lib");
        awaitClassDataArchive(lib);
        Lab.Result mapped = versionFromTheArchive(livemig);
        assertEquals(0, mapped.exitCode(), mapped::describe);
        assertTrue(mapped.output().contains("io.livemig.cli.Main source: shared objects file"), mapped::describe);

        Path moved = empty.resolve("moved");
        Lab.Result copied = lab.exec(CALL, List.of("cp", "-a", livemig.getParent().getParent().toString(),
                moved.toString()));
        assertTrue(copied.ok(), copied::describe);
        Lab.Result unmapped = lab.exec(CALL, List.of(moved.resolve("bin/livemig").toString(), "--version"),
                Map.of("LIVEMIG_JAVA_OPTS", "-Xlog:class+load=info"));
        assertEquals(0, unmapped.exitCode(), unmapped::describe);
        assertTrue(unmapped.output().contains("io.livemig.cli.Main source: file:"), unmapped::describe);
        awaitClassDataArchive(moved.resolve("lib"));
        Lab.Result movedMapped = versionFromTheArchive(moved.resolve("bin/livemig"));
        assertEquals(0, movedMapped.exitCode(), movedMapped::describe);
        assertTrue(movedMapped.output().contains("io.livemig.cli.Main source: shared objects file"),
                movedMapped::describe);
    }

    /**
     * Netty's native libraries (BoringSSL for TLS, epoll) come from the distribution's lib/native,
     * not written out to a temporary file by every command, as they are when loaded from the jar.
     */
    @Test
    void aClientCommandLoadsNettysNativeLibrariesFromTheDistribution() throws Exception {
        Lab.Result hosts = lab.exec(CALL, List.of(livemig.toString(), "hosts"),
                Map.of("LIVEMIG_JAVA_OPTS", "-Xlog:library=info"));
        assertEquals(0, hosts.exitCode(), hosts::describe);
        Path nativeDir = livemig.getParent().resolveSibling("lib").resolve("native").toRealPath();
        String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch_64" : "x86_64";
        for (String library : List.of("netty_tcnative_linux_" + arch, "netty_transport_native_epoll_" + arch)) {
            assertTrue(hosts.output().contains("Loaded library " + nativeDir + "/libio_grpc_netty_shaded_" + library + ".so"),
                    library + " not from " + nativeDir + ": " + hosts.describe());
        }
        // Nothing of Netty's from anywhere else (a temporary file); the distribution itself may be under /tmp.
        assertTrue(hosts.output().lines().filter(l -> l.contains("Loaded library ") && l.contains("netty"))
                .allMatch(l -> l.contains("Loaded library " + nativeDir + "/")), hosts::describe);
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
