package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The lab orchestrator's history on a file system that fills up: a small tmpfs mounted over its
 * state directory ({@code /var/lib/livemig-lab/orchestrator}, where the lab's orchestrator.yaml
 * puts {@code history.db}), filled with a file until no byte is left.
 *
 * <ol>
 *   <li>Full before a request: {@code livemig migrate} is refused with one line naming the history
 *       file ({@code RESOURCE_EXHAUSTED}, exit 1), nothing moves, {@code hosts} says the history is
 *       not writable (exit 3); once the filler is removed the line goes by itself, nothing else
 *       being written meanwhile.
 *   <li>Full during a migration: it ends as the agent says (exit 0, one warning line on stderr),
 *       the VM intact on its target; the record waits in memory ({@code hosts}: 1 record waiting),
 *       holds no VM (a new request is refused only because it cannot be recorded), and reaches the
 *       file once there is room again.
 * </ol>
 *
 * <p>A full tmpfs refuses every write that needs a new block. The history's write-ahead log is
 * new after the restart (a clean stop merges and removes it), so each commit appends to it and
 * needs new blocks; SQLite would write over the log's own blocks only after a checkpoint (at 1,000
 * pages), which this test's few writes do not reach.
 *
 * <p>The set-up copies the state directory into the tmpfs with the orchestrator stopped and
 * restarts it there; {@code @AfterAll} stops it, copies the history back to the disk, unmounts and
 * restarts it, whatever failed before, so the lab stays usable. The tests build on each other (one
 * guest) and run in order.
 */
@RequiresRoot
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StateDiskFullIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL = Duration.ofMinutes(2);
    private static final Path LAB_DIR = Path.of("/var/lib/livemig-lab");
    /** The orchestrator's state directory (lab.sh: database: orchestrator/history.db, relative to LAB_DIR). */
    private static final Path STATE_DIR = LAB_DIR.resolve("orchestrator");
    private static final Path HISTORY = STATE_DIR.resolve("history.db");
    /** What the tmpfs has beyond the files copied in: the history grows in it until the filler takes the rest. */
    private static final long ROOM_MIB = 8;
    private static final String GUEST = "d-full";
    /** Slow enough that the pre-copy lasts well past the moment the disk is filled. */
    private static final String SLOW = "8";
    /**
     * The orchestrator retries a failed write 1 s after it, then 2, 4 ... s up to once a minute: a
     * minute and a margin covers any point of that schedule.
     */
    private static final Duration RECOVERY = Duration.ofSeconds(90);

    private static Lab lab;
    /** The set-up stopped the orchestrator: the clean-up starts it again, whatever failed in between. */
    private static boolean stopped;
    private static boolean mounted;
    /** Filler files, one per pass of {@link #fill}. */
    private static final List<Path> fillers = new ArrayList<>();

    @BeforeAll
    static void startLab() throws Exception {
        Lab.Up up = Lab.upForTests(2);
        if (up == null) {
            return; // every test is skipped by @RequiresRoot, with the reason
        }
        lab = up.lab();
        assertTrue(up.result().output().contains("# orchestrator: "), up.result()::describe);
        Lab.Result created = lab.run(Duration.ofMinutes(3), "vm", "create", GUEST, "--host", "lab-a", "--mem", "256",
                "--dirty-mib", "64", "--dirty-rate", "4", "--disk", "shared");
        assertTrue(created.ok(), created::describe);
        moveStateToTmpfs();
    }

    @AfterEach
    void removeFiller() throws IOException {
        if (lab != null) {
            free();
        }
    }

    @AfterAll
    static void stopLab() {
        try {
            if (lab != null) {
                restoreStateDirectory();
            }
        } finally {
            Lab.downAfterTests(lab, GUEST);
        }
    }

    // --- the tmpfs ---------------------------------------------------------------------------------

    /**
     * Stops the orchestrator (cleanly: the history's write-ahead log is merged into the file and
     * removed), copies its state directory aside, mounts a tmpfs over it holding those files and
     * {@link #ROOM_MIB} more, and restarts the orchestrator, which then opens its history there.
     */
    private static void moveStateToTmpfs() throws Exception {
        stopped = true;
        stopOrchestrator();
        Path saved = Files.createTempDirectory("livemig-orchestrator-state-");
        exec("cp", "-a", STATE_DIR + "/.", saved.toString());
        long used;
        try (Stream<Path> files = Files.walk(STATE_DIR)) {
            used = files.filter(Files::isRegularFile).mapToLong(StateDiskFullIT::size).sum();
        }
        long mib = (used >> 20) + 1 + ROOM_MIB;
        exec("mount", "-t", "tmpfs", "-o", "size=" + mib + "m,mode=0755", "livemig-it-state", STATE_DIR.toString());
        mounted = true;
        exec("cp", "-a", saved + "/.", STATE_DIR.toString());
        exec("rm", "-rf", saved.toString()); // the originals also stay on the disk, under the mount
        Lab.Result restarted = lab.run(CALL, "restart-orchestrator");
        assertTrue(restarted.ok(), restarted::describe);
        Lab.Result fs = lab.exec(Duration.ofSeconds(30), List.of("findmnt", "-n", "-o", "FSTYPE", "--target",
                HISTORY.toString()));
        assertEquals("tmpfs", fs.output().strip(), fs::describe);
        assertTrue(Files.isRegularFile(HISTORY), "the orchestrator opened no history in " + STATE_DIR);
        assertHealthy(lab.livemig(CALL, "hosts"));
    }

    /**
     * Stops the orchestrator, copies what its history became back to the disk, unmounts the tmpfs
     * and starts the orchestrator again. Each step is tried whatever failed before it: the lab must
     * stay usable. Without a copy (it failed), the history from before the test stays.
     */
    private static void restoreStateDirectory() {
        if (!mounted) {
            if (stopped) {
                lab.run(CALL, "restart-orchestrator"); // stopped, and then the mount failed
            }
            return;
        }
        Path after = null;
        try {
            free(); // first: the orchestrator writes what waits in memory as it stops
            stopOrchestrator();
            after = Files.createTempDirectory("livemig-orchestrator-after-");
            Lab.Result copied = lab.exec(CALL, List.of("cp", "-a", STATE_DIR + "/.", after.toString()));
            if (!copied.ok()) {
                after = null;
            }
        } catch (Exception e) {
            System.out.println("cannot save the history from the tmpfs (the one from before the test stays): " + e);
            after = null;
        }
        Lab.Result unmounted = lab.exec(CALL, List.of("umount", STATE_DIR.toString()));
        if (!unmounted.ok()) {
            lab.exec(CALL, List.of("umount", "-l", STATE_DIR.toString()));
        }
        mounted = false;
        if (after != null) {
            lab.exec(CALL, List.of("sh", "-c", "rm -f '" + HISTORY + "' '" + HISTORY + "-wal' '" + HISTORY + "-shm'"
                    + " && cp -a '" + after + "/.' '" + STATE_DIR + "' && rm -rf '" + after + "'"));
        }
        lab.run(CALL, "restart-orchestrator");
    }

    /**
     * Stops the lab's orchestrator with SIGTERM (its history closed cleanly), at most 20 s, then
     * SIGKILL. The pid file stays: restart-orchestrator reads it, finds the process gone and
     * starts a new one.
     */
    private static void stopOrchestrator() throws IOException, InterruptedException {
        Path pidFile = LAB_DIR.resolve("orchestrator.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        Optional<ProcessHandle> orchestrator = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()));
        if (orchestrator.isEmpty()) {
            return;
        }
        ProcessHandle p = orchestrator.get();
        p.destroy();
        try {
            p.onExit().get(20, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            p.destroyForcibly();
            p.onExit().join();
        }
    }

    /**
     * Fills the tmpfs until no byte is left: dd until "No space left on device", then in 4 KiB
     * blocks for what a short last write may have left; at most three passes.
     */
    private static void fill() throws IOException {
        for (int pass = 0; pass < 3 && Files.getFileStore(STATE_DIR).getUsableSpace() > 0; pass++) {
            Path filler = STATE_DIR.resolve("filler-" + pass);
            fillers.add(filler);
            // Fails (exit 1, "No space left on device") once the tmpfs is full: that is the point.
            lab.exec(Duration.ofMinutes(1), List.of("dd", "if=/dev/zero", "of=" + filler, pass == 0 ? "bs=1M" : "bs=4k"));
        }
        assertEquals(0, Files.getFileStore(STATE_DIR).getUsableSpace(), "the tmpfs over " + STATE_DIR + " is not full");
    }

    private static void free() throws IOException {
        for (Path filler : fillers) {
            Files.deleteIfExists(filler);
        }
        fillers.clear();
    }

    private static void exec(String... command) {
        Lab.Result r = lab.exec(CALL, List.of(command));
        assertTrue(r.ok(), r::describe);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    // --- helpers -----------------------------------------------------------------------------------

    private static JsonNode json(String out) {
        int start = out.indexOf('{');
        assertTrue(start >= 0, "no JSON: " + out);
        try {
            return JSON.readTree(out.substring(start, out.lastIndexOf('}') + 1));
        } catch (IOException e) {
            throw new AssertionError("unreadable JSON: " + out, e);
        }
    }

    private static List<String> lines(String text) {
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return file + ": " + e.getMessage();
        }
    }

    /** vm check passes with the guest on {@code host} (and only there). */
    private static void assertRunsIntactOn(String vm, String host) {
        Lab.Result check = lab.awaitSuccess(Duration.ofSeconds(90), Duration.ofSeconds(2), "vm", "check", vm);
        assertTrue(check.ok(), check::describe);
        assertTrue(check.output().contains("host=" + host + " "), check::describe);
        assertTrue(check.output().contains("integrity=ok") && check.output().contains("ping=ok"), check::describe);
    }

    /** A one-line refusal naming the history file, as an operator reads it: no Java class name. */
    private static void assertRefusedForTheFullHistory(Lab.Result r) {
        assertFalse(r.timedOut(), r::describe);
        assertEquals(1, r.exitCode(), r::describe);
        List<String> out = lines(r.output());
        assertEquals(1, out.size(), r::describe);
        String line = out.get(0);
        assertTrue(line.startsWith("livemig: history " + HISTORY + ": cannot allocate a migration id: [SQLITE_FULL] "),
                r::describe);
        assertTrue(line.endsWith(" (RESOURCE_EXHAUSTED)"), r::describe);
        assertFalse(line.contains("Exception") || line.contains("io.livemig.") || line.contains("java."), r::describe);
        assertFalse(line.contains("ALREADY_EXISTS"), r::describe);
    }

    /** {@code hosts} ends with the history line (and exits 3, as documented). */
    private static void assertHistoryLine(Lab.Result hosts, int waiting) {
        assertEquals(3, hosts.exitCode(), hosts::describe);
        List<String> out = lines(hosts.output());
        String last = out.get(out.size() - 1);
        assertTrue(last.startsWith("orchestrator: history not writable: history " + HISTORY + ": cannot "),
                hosts::describe);
        assertTrue(last.contains("[SQLITE_FULL]"), hosts::describe);
        assertTrue(last.endsWith("; " + waiting + (waiting == 1 ? " record" : " records") + " waiting in memory"),
                hosts::describe);
    }

    private static void assertHealthy(Lab.Result hosts) {
        assertEquals(0, hosts.exitCode(), hosts::describe);
        assertTrue(lines(hosts.output()).stream().noneMatch(l -> l.startsWith("orchestrator:")), hosts::describe);
    }

    /** Polls {@code hosts} (each run a JVM start, so no pause is needed) until it no longer shows the line. */
    private static void awaitHealthy() {
        long end = System.nanoTime() + RECOVERY.toNanos();
        Lab.Result hosts;
        do {
            hosts = lab.livemig(CALL, "hosts");
            if (hosts.exitCode() == 0 && lines(hosts.output()).stream().noneMatch(l -> l.startsWith("orchestrator:"))) {
                return;
            }
        } while (System.nanoTime() < end);
        throw new AssertionError("the history line never went after the disk had room again: " + hosts.describe());
    }

    /** The record {@code id} in {@code livemig history --vm VM --json}, as the orchestrator answers it. */
    private static JsonNode record(String vm, String id) {
        Lab.Result r = lab.livemig(CALL, "history", "--vm", vm, "--json");
        assertEquals(0, r.exitCode(), r::describe);
        for (JsonNode m : json(r.output()).path("migrations")) {
            if (m.path("id").asText().equals(id)) {
                return m;
            }
        }
        throw new AssertionError("no " + id + " in " + r.describe());
    }

    /** Until the orchestrator's view of the VMs ({@code vms --json}, polled every 2 s) has {@code vm} on {@code host}. */
    private static void awaitOrchestratorSees(String vm, String host) {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Lab.Result r;
        do {
            r = lab.livemig(CALL, "vms", "--json");
            if (r.ok()) {
                for (JsonNode v : json(r.output()).path("vms")) {
                    if (v.path("name").asText().equals(vm) && v.path("host").asText().equals(host)) {
                        return;
                    }
                }
            }
        } while (System.nanoTime() < end);
        throw new AssertionError("the orchestrator never saw " + vm + " on " + host + ": " + r.describe());
    }

    /**
     * Starts {@code livemig args...} in the background with its stdout and stderr apart (as
     * {@link Lab#startLivemig}, SIGINT at its default).
     */
    private static Process startLivemig(Path out, Path err, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", lab.livemig().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(lab.root().toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    // --- the tests ---------------------------------------------------------------------------------

    @Test
    @Order(1)
    void aRequestWhileTheDiskIsFullIsRefusedInOneLineAndHealthClearsWhenSpaceReturns() throws Exception {
        fill();

        assertRefusedForTheFullHistory(lab.livemig(CALL, "migrate", GUEST, "--to", "lab-b"));
        assertRunsIntactOn(GUEST, "lab-a");
        // Nothing was recorded, so nothing waits; the line stays while the disk is full.
        assertHistoryLine(lab.livemig(CALL, "hosts"), 0);

        free();
        awaitHealthy(); // no request meanwhile: the orchestrator finds out by itself
    }

    @Test
    @Order(2)
    void aMigrationDuringWhichTheDiskFillsEndsWithAWarningAndItsRecordIsWrittenOnceThereIsRoom() throws Exception {
        awaitHealthy(); // at once, unless the first test left the history unwritable
        Path out = Files.createTempFile("disk-full-", ".out");
        Path err = Files.createTempFile("disk-full-", ".err");
        Process cli = startLivemig(out, err, "migrate", GUEST, "--to", "lab-b", "--mode", "precopy", "--bandwidth", SLOW,
                "--json");
        JsonNode result;
        try {
            lab.awaitMigrationCopied(GUEST, "lab-a", 16);
            fill();
            assertTrue(cli.isAlive(), () -> "the migration ended before the disk was full: " + read(out) + read(err));
            assertTrue(cli.waitFor(3, TimeUnit.MINUTES), () -> "livemig migrate did not end: " + read(out) + read(err));
            assertEquals(0, cli.exitValue(), () -> read(out) + read(err));
            result = json(read(out));
        } finally {
            System.out.println("--- livemig migrate stdout\n" + read(out) + "--- stderr\n" + read(err));
            cli.destroyForcibly();
        }
        String id = result.path("id").asText();
        assertEquals("succeeded", result.path("status").asText(), result.toPrettyString());
        assertTrue(result.path("warning").asText().contains("[SQLITE_FULL]"), result.toPrettyString());
        List<String> warnings = lines(read(err));
        assertEquals(1, warnings.size(), read(err));
        assertTrue(warnings.get(0).startsWith("livemig: warning: migration " + id + ": the orchestrator could not write "
                + "this record to its history (history " + HISTORY + ": cannot update migration " + id
                + ": [SQLITE_FULL] "), warnings.get(0));
        assertTrue(warnings.get(0).endsWith("); it keeps it in memory and writes it once it can"), warnings.get(0));
        assertRunsIntactOn(GUEST, "lab-b");

        assertHistoryLine(lab.livemig(CALL, "hosts"), 1);

        // The ended migration holds no VM: a new request is not ALREADY_EXISTS, only unrecordable.
        awaitOrchestratorSees(GUEST, "lab-b");
        assertRefusedForTheFullHistory(lab.livemig(CALL, "migrate", GUEST, "--to", "lab-a"));
        assertRunsIntactOn(GUEST, "lab-b");
        JsonNode inMemory = record(GUEST, id);
        assertEquals("succeeded", inMemory.path("state").asText(), inMemory.toPrettyString());
        assertTrue(inMemory.path("warning").asText().contains("[SQLITE_FULL]"), inMemory.toPrettyString());

        free();
        long end = System.nanoTime() + RECOVERY.toNanos();
        JsonNode written = record(GUEST, id);
        while (!written.path("warning").asText().isEmpty() && System.nanoTime() < end) {
            written = record(GUEST, id); // each run a JVM start: no pause needed
        }
        assertEquals("succeeded", written.path("state").asText(), written.toPrettyString());
        assertEquals("", written.path("warning").asText(), "still not written: " + written.toPrettyString());
        awaitHealthy();
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}
