package io.livemig.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.testkit.lab.Lab;
import io.livemig.testkit.lab.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A post-copy migration through the orchestrator that fails after the switch, for the two reasons
 * that need different answers: the target's QEMU dies (the VM is lost with its newest memory) or
 * the link is cut past libvirt's keepalive (the VM is split between two live QEMUs; on libvirt
 * 11.2 and 11.3 its recovery is unavailable, because their post-copy resume crashes the
 * destination). Each test checks what the operator is told (the CLI's result), the history record,
 * how each host holds the VM afterwards, and that it never runs on two hosts.
 */
@RequiresRoot
@Timeout(value = 20, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostcopyFailureIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL = Duration.ofMinutes(4);
    private static final Path LAB_DIR = Path.of("/var/lib/livemig-lab");
    /** MiB/s: a post-copy of 128 MiB dirtied pages lasts about 16 s, time to break something. */
    private static final String SLOW = "8";
    private static final List<String> HOSTS = List.of("lab-a", "lab-b", "lab-c");
    private static final Pattern LIBVIRT_VERSION = Pattern.compile("Running against daemon: (\\d+)\\.(\\d+)\\.(\\d+)");

    private static Lab lab;
    private final List<String> guests = new ArrayList<>();

    @BeforeAll
    static void startLab() {
        Lab.Up up = Lab.upForTests(3);
        if (up != null) {
            lab = up.lab();
            assertTrue(up.result().output().contains("# orchestrator: "), up.result()::describe);
        }
    }

    @AfterEach
    void mendAndClean() {
        for (String host : HOSTS) {
            lab.run(Duration.ofSeconds(30), "fault", "link-up", host);
        }
        guests.forEach(g -> lab.run(Duration.ofMinutes(2), "vm", "destroy", g));
    }

    @AfterAll
    static void stopLab() {
        Lab.downAfterTests(lab);
    }

    // --- the target's QEMU dies -------------------------------------------------------------------

    /**
     * kill -9 of the VM's QEMU on lab-b after the switch: the guest's newest memory dies with it.
     * The VM is lost; the report says so and advises no resume; lab-a keeps a stale copy paused in
     * "post-copy failed"; lab-b keeps no definition of it (its agent undefines the "shut off
     * (crashed)" one libvirt kept).
     */
    @Test
    @Order(1)
    void theTargetsQemuKilledDuringPostcopyLosesTheVmAndTheReportSaysSo() throws Exception {
        String vm = "pc-lost";
        create(vm);
        JsonNode r = migrateThrough(vm, () -> {
            lab.awaitVirsh("lab-a", "(post-copy)", Duration.ofSeconds(120), "domstate", "--reason", vm);
            killQemu("lab-b", vm);
        }, () -> { });

        // What the CLI told the operator.
        assertEquals("failed", r.path("status").asText(), r.toPrettyString());
        assertEquals("postcopy", r.path("mode_used").asText(), r.toPrettyString());
        String error = r.path("error").asText();
        assertTrue(error.startsWith("the VM is lost: post-copy had started, so its newest memory was only in its QEMU "
                + "on lab-b, and that QEMU is gone ("), error);
        assertTrue(error.contains("What remains is a stale, incomplete copy on lab-a, paused (post-copy failed)"), error);
        assertTrue(error.contains("'virsh destroy " + vm + "' on lab-a"), error);
        assertFalse(error.contains("--postcopy-resume"), "a lost VM cannot be resumed: " + error);

        // The history record carries the same verdict.
        JsonNode record = lab.lastRecord(CALL, vm);
        assertEquals("failed", record.path("state").asText(), record.toPrettyString());
        assertEquals(error, record.path("error").asText(), record.toPrettyString());

        // Where each host holds the VM.
        assertTrue(domstate("lab-a", vm).output().contains("paused (post-copy failed)"), domstate("lab-a", vm)::describe);
        Lab.Result onTarget = domstate("lab-b", vm);
        assertFalse(onTarget.ok(), "lab-b still has a definition of the dead VM: " + onTarget.describe());
        Lab.Result listed = lab.exec(Duration.ofSeconds(30),
                List.of("virsh", "-c", lab.host("lab-b").libvirtUri(), "list", "--all", "--name"));
        assertTrue(listed.ok(), listed::describe);
        assertFalse(listed.output().lines().anyMatch(l -> l.strip().equals(vm)), listed::describe);
        if (error.contains("shut off")) {
            assertTrue(error.contains("The definition lab-b kept of the dead VM was removed there (undefined)"), error);
        }

        // livemig vms shows the stale copy for what it is.
        Lab.Result vms = lab.livemig(CALL, "vms", "--host", "lab-a");
        assertTrue(vms.ok(), vms::describe);
        assertTrue(vms.output().lines().anyMatch(l -> l.startsWith(vm + " ") && l.contains("paused (post-copy failed)")),
                vms::describe);

        assertRunsOnAtMostOneHost(vm);
        assertEquals(0, runningOn(vm).size(), "a lost VM runs nowhere");
    }

    // --- a long link cut --------------------------------------------------------------------------

    /**
     * The link to lab-b cut after the switch, past libvirt's keepalive (3 x 5 s): the job fails,
     * both QEMUs live on with half the memory each. On libvirt 11.2 and 11.3 the report says post-
     * copy recovery is unavailable on that version (whether or not lab-b could be asked while the
     * link was down); the VM stays paused on lab-a and stopped at its first missing page on lab-b.
     */
    @Test
    @Order(2)
    void aLongLinkCutDuringPostcopySplitsTheVmAndSaysRecoveryIsUnavailableOnThisLibvirt() throws Exception {
        long version = libvirtVersion("lab-a");
        Assumptions.assumeTrue(version >= 11_002_000 && version < 11_004_000,
                "the lab's libvirt is " + version + ", not 11.2 or 11.3: this test checks their text");
        String vm = "pc-cut";
        create(vm);
        JsonNode r = migrateThrough(vm, () -> {
            lab.awaitVirsh("lab-a", "(post-copy)", Duration.ofSeconds(120), "domstate", "--reason", vm);
            fault("link-down", "lab-b");
            // The link stays down until the migration has ended: well past the keepalive.
        }, () -> fault("link-up", "lab-b"));

        assertEquals("failed", r.path("status").asText(), r.toPrettyString());
        assertEquals("postcopy", r.path("mode_used").asText(), r.toPrettyString());
        String error = r.path("error").asText();
        assertTrue(error.contains("post-copy recovery is unavailable on libvirt 11."), error);
        assertTrue(error.contains("libvirt 11.2 and 11.3 crash the destination on a post-copy resume, which would "
                + "lose the VM (fixed in libvirt 11.4.0)"), error);
        assertTrue(error.contains("'virsh migrate --postcopy-resume' must not be run on these hosts"), error);
        assertFalse(error.startsWith("the VM is lost"), error);
        assertFalse(error.startsWith("the VM is recoverable"), error);

        JsonNode record = lab.lastRecord(CALL, vm);
        assertEquals("failed", record.path("state").asText(), record.toPrettyString());
        assertEquals(error, record.path("error").asText(), record.toPrettyString());

        // The advice starts with the check that tells the two endings below apart.
        assertTrue(error.contains("QEMU's own migration stream can outlive libvirt's connection and finish the move "
                + "by itself"), error);

        // With the link back, libvirt holds the VM in one of three ways, and livemig resumed or
        // destroyed none: QEMU's stream (plain TCP) outlived libvirt's keepalive and finished the
        // move (the source "shut off (migrated)", the VM running on the target), the same but the
        // source's libvirt missed the end (the source still "paused (post-copy failed)", the
        // target "running (migrated)"), or both sides still say post-copy failed. Seen on this
        // lab: the first, and the second once (a CI run on 2026-12-07).
        // Right after the move, the source can still be "in shutdown" while libvirt there stops
        // the QEMU that handed over: wait (bounded) for one of the settled endings.
        awaitHostUp("lab-b");
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Lab.Result onSource;
        Lab.Result onTarget;
        boolean finishedByQemu;
        boolean finishedUnseen;
        boolean split;
        do {
            onSource = domstate("lab-a", vm);
            onTarget = domstate("lab-b", vm);
            finishedByQemu = onSource.output().contains("shut off (migrated)")
                    && onTarget.output().contains("running");
            finishedUnseen = onSource.output().contains("paused (post-copy failed)")
                    && onTarget.output().contains("running (migrated)");
            split = onSource.output().contains("paused (post-copy failed)")
                    && onTarget.output().contains("(post-copy");
            if (finishedByQemu || finishedUnseen || split) {
                break;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < end);
        assertTrue(finishedByQemu || finishedUnseen || split, onSource.describe() + onTarget.describe());
        if (finishedUnseen) {
            // The advice names this ending and what to do about it.
            assertTrue(error.contains("if lab-b says 'running (migrated)' while lab-a still says 'paused (post-copy "
                    + "failed)', the move finished too"), error);
        }
        Lab.Result vms = lab.livemig(CALL, "vms", "--json");
        assertTrue(vms.ok(), vms::describe);
        if (split) {
            Lab.Result table = lab.livemig(CALL, "vms", "--host", "lab-a");
            assertTrue(table.output().lines().anyMatch(l -> l.startsWith(vm + " ")
                    && l.contains("paused (post-copy failed)")), table::describe);
        }

        assertRunsOnAtMostOneHost(vm);
    }

    // --- the target's QEMU stops answering ---------------------------------------------------------

    /**
     * The VM's QEMU on lab-b stopped (SIGSTOP) after the switch, then the stream broken on lab-a
     * (QMP migrate-pause): libvirt on lab-a says "post-copy failed", but libvirt on lab-b waits for
     * good on its QEMU's monitor, and libvirt's migrate call with it. Seen without any fault too,
     * about once in seven post-copy breaks on this lab: the target's QEMU stuck on a page the paused
     * source never sends. livemig ends the migration anyway, says why, and resumes nothing.
     */
    @Test
    @Order(3)
    void aTargetQemuThatStopsAnsweringInPostcopyStillEndsTheMigrationInWords() throws Exception {
        String vm = "pc-stuck";
        create(vm);
        long[] pausedAt = new long[1];
        JsonNode r = migrateThrough(vm, () -> {
            lab.awaitVirsh("lab-a", "(post-copy)", Duration.ofSeconds(120), "domstate", "--reason", vm);
            // The target runs the guest once its libvirt has seen QEMU resume it; stopped before
            // that, it would stay "paused (migrating)" there.
            lab.awaitVirsh("lab-b", "running (post-copy)", Duration.ofSeconds(60), "domstate", "--reason", vm);
            signalQemu("lab-b", vm, "-STOP");
            Lab.Result pause = lab.exec(Duration.ofSeconds(30), List.of("virsh", "-c", lab.host("lab-a").libvirtUri(),
                    "qemu-monitor-command", vm, "{\"execute\":\"migrate-pause\"}"));
            assertTrue(pause.ok(), pause::describe);
            pausedAt[0] = System.nanoTime();
        }, () -> signalQemu("lab-b", vm, "-CONT"));
        long endedAfterS = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - pausedAt[0]);

        assertEquals("failed", r.path("status").asText(), r.toPrettyString());
        assertEquals("postcopy", r.path("mode_used").asText(), r.toPrettyString());
        String error = r.path("error").asText();
        assertTrue(error.contains("its newest memory is in its QEMU on lab-b, which still runs (running (post-copy)"),
                error);
        assertTrue(error.contains("the rest on lab-a (paused (post-copy failed))"), error);
        assertTrue(error.contains("post-copy failed on the source, and libvirt's migration call had not returned 20 s "
                + "later: the target's libvirt waits for its QEMU, which does not answer"), error);
        assertTrue(endedAfterS < 120, "livemig ended " + endedAfterS + " s after the break");

        JsonNode record = lab.lastRecord(CALL, vm);
        assertEquals("failed", record.path("state").asText(), record.toPrettyString());
        assertEquals(error, record.path("error").asText(), record.toPrettyString());
        // Nothing was resumed: the source's copy stays paused.
        assertTrue(domstate("lab-a", vm).output().contains("paused (post-copy failed)"), domstate("lab-a", vm)::describe);
        assertRunsOnAtMostOneHost(vm);
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** A 256 MiB guest dirtying 128 MiB at 32 MiB/s on lab-a: post-copy has pages to pull for a while. */
    private void create(String name) {
        guests.add(name);
        Lab.Result created = lab.run(Duration.ofMinutes(3), "vm", "create", name, "--host", "lab-a", "--mem", "256",
                "--dirty-mib", "128", "--dirty-rate", "32", "--disk", "shared");
        assertTrue(created.ok(), created::describe);
    }

    /** What a test does to the lab while the migration runs. */
    @FunctionalInterface
    interface Fault {
        void inject() throws Exception;
    }

    /**
     * {@code livemig migrate VM --to lab-b --mode postcopy --json} through the orchestrator (the
     * lab's client configuration), {@code fault} while it runs; its JSON once it ended with exit 1.
     */
    private JsonNode migrateThrough(String vm, Fault fault, Fault mend) throws Exception {
        Path log = Files.createTempFile("postcopy-", ".log");
        Process cli = lab.startLivemig(log, "migrate", vm, "--to", "lab-b", "--mode", "postcopy", "--bandwidth", SLOW,
                "--json");
        try {
            fault.inject();
            assertTrue(cli.waitFor(4, TimeUnit.MINUTES), () -> "livemig migrate did not end: " + read(log));
            assertEquals(1, cli.exitValue(), () -> read(log));
            String out = Files.readString(log);
            int start = out.indexOf('{');
            assertTrue(start >= 0, "no JSON: " + out);
            return JSON.readTree(out.substring(start, out.lastIndexOf('}') + 1));
        } finally {
            System.out.println("--- livemig migrate output\n" + read(log));
            cli.destroyForcibly();
            mend.inject();
            Files.deleteIfExists(log);
        }
    }

    /**
     * kill -9 of the VM's QEMU on {@code host}: libvirt there writes its pid to its own
     * /run/libvirt (the host's run directory, bind-mounted in the host's mount namespace); the
     * lab's namespaces share the pid space, so the process is killed from here.
     */
    private static void killQemu(String host, String vm) throws IOException {
        signalQemu(host, vm, "-9");
    }

    /** kill with {@code signal} ("-9", "-STOP", "-CONT") to the VM's QEMU on {@code host}. */
    private static void signalQemu(String host, String vm, String signal) throws IOException {
        Path pidFile = LAB_DIR.resolve("hosts").resolve(host).resolve("run/qemu").resolve(vm + ".pid");
        assertTrue(Files.exists(pidFile), "no QEMU pid file for " + vm + " on " + host + ": " + pidFile);
        String pid = Files.readString(pidFile).strip();
        String cmdline = Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains("guest=" + vm + ","), "pid " + pid + " is not the QEMU of " + vm + ": " + cmdline);
        Lab.Result killed = lab.exec(Duration.ofSeconds(10), List.of("kill", signal, pid));
        assertTrue(killed.ok(), killed::describe);
    }

    private static void fault(String... args) {
        List<String> all = new ArrayList<>(List.of("fault"));
        all.addAll(List.of(args));
        Lab.Result r = lab.run(Duration.ofMinutes(2), all.toArray(String[]::new));
        assertTrue(r.ok(), r::describe);
    }

    private static Lab.Result domstate(String host, String vm) {
        return lab.exec(Duration.ofSeconds(30), List.of("virsh", "-c", lab.host(host).libvirtUri(), "domstate",
                "--reason", vm));
    }

    /** The hosts where libvirt says the VM is running (any reason). */
    private static List<String> runningOn(String vm) {
        List<String> running = new ArrayList<>();
        for (String host : HOSTS) {
            Lab.Result state = domstate(host, vm);
            if (state.ok() && state.output().strip().startsWith("running")) {
                running.add(host);
            }
        }
        return running;
    }

    /** Nothing ran twice: the VM is running on one host at most. */
    private static void assertRunsOnAtMostOneHost(String vm) {
        List<String> running = runningOn(vm);
        assertTrue(running.size() <= 1, vm + " runs on " + running);
    }

    /** The daemon's libvirt version on {@code host} (virsh version --daemon), as libvirt encodes it. */
    private static long libvirtVersion(String host) {
        Lab.Result r = lab.exec(Duration.ofSeconds(30), List.of("virsh", "-c", lab.host(host).libvirtUri(), "version", "--daemon"));
        assertTrue(r.ok(), r::describe);
        Matcher m = LIBVIRT_VERSION.matcher(r.output());
        assertTrue(m.find(), r::describe);
        return Long.parseLong(m.group(1)) * 1_000_000 + Long.parseLong(m.group(2)) * 1_000 + Long.parseLong(m.group(3));
    }



    /** The orchestrator sees the host up again after the cut link. */
    private static void awaitHostUp(String host) throws IOException {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Lab.Result r;
        do {
            r = lab.livemig(Duration.ofSeconds(60), "hosts", "--json");
            if (r.ok()) {
                String out = r.output();
                for (JsonNode h : JSON.readTree(out.substring(out.indexOf('{'), out.lastIndexOf('}') + 1)).path("hosts")) {
                    if (h.path("name").asText().equals(host) && h.path("state").asText().equals("up")) {
                        return;
                    }
                }
            }
        } while (System.nanoTime() < end);
        throw new AssertionError(host + " never came back up: " + r.describe());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return file + ": " + e.getMessage();
        }
    }
}
