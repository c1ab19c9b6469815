package io.livemig.testkit.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.security.auth.module.UnixSystem;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;

/**
 * Runs {@code scripts/lab.sh} subcommands. Each run has a timeout; waiting for a state polls the
 * state with a deadline instead of sleeping for a guessed time.
 *
 * <p>The lab's contract (scripts/lab.sh): {@code up [--hosts N] [--link-mbit M]}, {@code down},
 * {@code status} (one line per host: {@code lab-a 10.213.77.11 qemu+tcp://10.213.77.11/system up},
 * exit 0 only when all are up), {@code vm create NAME --host HOST [--mem MiB] [--dirty-mib N]
 * [--dirty-rate MiBps] [--content random|compressible]}, {@code vm check NAME [--since S:V]} (exit 0
 * only when the guest is alive on exactly one host, intact, answers ping and its workload makes
 * progress: the {@code sweeps} and {@code verified_pages} it prints grew past a first reading, or past
 * the reading {@code S:V} of an earlier check, see {@link #reading}), {@code vm corrupt NAME} (the
 * guest workload's debug hook flips a byte of one of its pages), {@code vm destroy NAME}.
 */
public final class Lab {

    /** How long a destroyed process may take to go away after a timeout. */
    private static final Duration KILL_GRACE = Duration.ofSeconds(10);

    private final Path root;
    private final Path script;

    public Lab(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.script = this.root.resolve("scripts").resolve("lab.sh");
    }

    /**
     * The lab of the repository under test: system property {@code livemig.root} (set by the
     * build), else the first directory upwards from the working directory that has
     * scripts/lab.sh.
     */
    public static Lab ofThisRepository() {
        String configured = System.getProperty("livemig.root");
        if (configured != null && !configured.isBlank()
                && Files.isRegularFile(Path.of(configured, "scripts", "lab.sh"))) {
            return new Lab(Path.of(configured));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("scripts").resolve("lab.sh"))) {
                return new Lab(dir);
            }
        }
        throw new IllegalStateException("scripts/lab.sh not found (livemig.root=" + configured
                + ", working directory " + Path.of("").toAbsolutePath() + ")");
    }

    public Path root() {
        return root;
    }

    /**
     * For a test class's {@code @BeforeAll}: this repository's lab brought up with {@code hosts}
     * hosts (an agent on each and the orchestrator), or null when not running as root, where every
     * test is skipped by {@link RequiresRoot} with the reason. Fails the class if it does not come up.
     */
    public static Up upForTests(int hosts) {
        if (!runningAsRoot()) {
            return null;
        }
        Lab lab = ofThisRepository();
        Result up = lab.run(Duration.ofMinutes(5), "up", "--hosts", String.valueOf(hosts));
        Assertions.assertTrue(up.ok(), up::describe);
        return new Up(lab, up);
    }

    /** The lab, and what {@code lab.sh up} printed (the hosts, agents and orchestrator it started). */
    public record Up(Lab lab, Result result) {}

    /** For {@code @AfterAll}: destroys {@code guests} and takes the lab down, if {@code lab} is up. */
    public static void downAfterTests(Lab lab, String... guests) {
        if (lab != null) {
            for (String guest : guests) {
                lab.run(Duration.ofMinutes(2), "vm", "destroy", guest);
            }
            lab.run(Duration.ofMinutes(3), "down");
        }
    }

    /** The lab creates network namespaces and runs libvirt daemons: it needs root. */
    public static boolean runningAsRoot() {
        return new UnixSystem().getUid() == 0;
    }

    /** The outcome of one lab.sh run; output is stdout and stderr interleaved. */
    public record Result(List<String> command, int exitCode, String output, Duration took, boolean timedOut) {

        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        /** For assertion messages. */
        public String describe() {
            return String.format(Locale.ROOT, "%s -> %s after %.1f s%n%s", String.join(" ", command),
                    timedOut ? "TIMED OUT" : "exit " + exitCode, took.toMillis() / 1000.0, output);
        }
    }

    /** One line of {@code lab.sh status}. */
    public record Host(String name, String ip, String libvirtUri, String state) {

        public boolean up() {
            return "up".equals(state);
        }
    }

    /**
     * Runs {@code lab.sh args...} and waits for it at most {@code timeout}; a run that overstays
     * is killed with the processes it started, and reported with {@code timedOut}.
     */
    public Result run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        return exec(timeout, command);
    }

    /** The livemig launcher built by {@code mvn package}. */
    public Path livemig() {
        return root.resolve("cli/target/livemig/bin/livemig");
    }

    /** Runs {@code livemig args...} (it finds the lab's cluster file by itself). */
    public Result livemig(Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(livemig().toString());
        command.addAll(List.of(args));
        return exec(timeout, command);
    }

    /** Starts {@code livemig args...} without waiting; its output goes to {@code log}. */
    public Process startLivemig(Path log, String... args) throws IOException {
        return startLivemig(log, java.util.Map.of(), args);
    }

    /** As {@link #startLivemig(Path, String...)}, with {@code env} added to the environment. */
    public Process startLivemig(Path log, java.util.Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        // With SIGINT at its default, as in a person's terminal: a process started in the
        // background of a non-interactive shell (CI runners, nohup) inherits SIGINT ignored, every
        // process under it too, and the JVM then leaves it ignored (as nohup relies on), so a
        // test's Ctrl-C would reach no livemig. coreutils' env resets it for the command it runs.
        command.addAll(List.of("env", "--default-signal=INT"));
        command.add(livemig().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return builder.directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /** Runs a command with a time limit; see {@link #run}. */
    public Result exec(Duration timeout, List<String> command) {
        return exec(timeout, command, java.util.Map.of());
    }

    /** As {@link #exec(Duration, List)}, with {@code env} added to the environment. */
    public Result exec(Duration timeout, List<String> command, java.util.Map<String, String> env) {
        long started = System.nanoTime();
        // Output goes to a file, not a pipe: daemons that lab.sh leaves running may inherit the
        // descriptor, and a pipe would then never reach end-of-file.
        Path log = null;
        try {
            log = Files.createTempFile("lab-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            Process process = builder
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            boolean finished;
            try {
                finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                kill(process);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + command, e);
            }
            if (!finished) {
                kill(process);
            }
            Result result = new Result(List.copyOf(command), finished ? process.exitValue() : -1,
                    Files.readString(log, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - started),
                    !finished);
            // Lab output belongs in the test report: it is what explains a failure.
            System.out.println("[" + Path.of(command.get(0)).getFileName() + "] " + result.describe().stripTrailing());
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /**
     * Runs {@code lab.sh args...} until it exits 0 or {@code deadline} has passed, waiting
     * {@code interval} between attempts; returns the last result either way.
     */
    public Result awaitSuccess(Duration deadline, Duration interval, String... args) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            Result result = run(Duration.ofNanos(Math.max(left, Duration.ofSeconds(5).toNanos())), args);
            if (result.ok() || System.nanoTime() + interval.toNanos() > end) {
                return result;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return result;
            }
        }
    }

    /** The hosts {@code lab.sh status} lists, whatever its exit code. */
    /**
     * Runs {@code virsh -c <host's URI> command...} until its output contains {@code expected},
     * within {@code within}; fails with the last output otherwise. libvirt sends no event for this
     * to the outside, so it polls, bounded.
     */
    public void awaitVirsh(String host, String expected, Duration within, String... command) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("virsh", "-c", host(host).libvirtUri()));
        args.addAll(List.of(command));
        long end = System.nanoTime() + within.toNanos();
        Result r;
        do {
            r = exec(Duration.ofSeconds(30), args);
            if (r.output().contains(expected)) {
                return;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < end);
        throw new AssertionError("never '" + expected + "': " + r.describe());
    }

    private static final Pattern MEMORY_PROCESSED = Pattern.compile("Memory processed:\\s+([0-9.]+) (B|KiB|MiB|GiB)");

    /**
     * Waits until {@code host}'s libvirt migration job of {@code vm} has copied {@code mib} MiB of
     * its memory: past the set-up, in the copy itself. libvirt sends no event for this to the
     * outside, so it polls {@code virsh domjobinfo}, bounded (90 s).
     */
    public void awaitMigrationCopied(String vm, String host, int mib) throws InterruptedException {
        List<String> args = List.of("virsh", "-c", host(host).libvirtUri(), "domjobinfo", vm);
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Result r;
        do {
            r = exec(Duration.ofSeconds(30), args);
            Matcher m = MEMORY_PROCESSED.matcher(r.output());
            if (m.find()) {
                double copied = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                    case "GiB" -> 1024.0;
                    case "MiB" -> 1.0;
                    case "KiB" -> 1.0 / 1024;
                    default -> 1.0 / (1024 * 1024);
                };
                if (copied >= mib) {
                    return;
                }
            }
            Thread.sleep(200);
        } while (System.nanoTime() < end);
        throw new AssertionError("the migration of " + vm + " never copied " + mib + " MiB: " + r.describe());
    }

    /** The newest record of {@code vm} in the orchestrator's history ({@code livemig history --vm VM --json}). */
    public JsonNode lastRecord(Duration timeout, String vm) {
        Result r = livemig(timeout, "history", "--vm", vm, "--json");
        Assertions.assertTrue(r.ok(), r::describe);
        String out = r.output();
        int start = out.indexOf('{');
        Assertions.assertTrue(start >= 0, () -> "no JSON: " + r.describe());
        JsonNode migrations;
        try {
            migrations = new ObjectMapper().readTree(out.substring(start, out.lastIndexOf('}') + 1)).path("migrations");
        } catch (IOException e) {
            throw new AssertionError("unreadable JSON: " + r.describe(), e);
        }
        Assertions.assertFalse(migrations.isEmpty(), () -> "no history for " + vm + ": " + r.describe());
        return migrations.get(0);
    }

    public List<Host> hosts() {
        return parseStatus(run(Duration.ofMinutes(1), "status").output());
    }

    /** The lab's domain type, {@code kvm} or {@code qemu} (TCG), from the "virt=" of {@code lab.sh status}. */
    public String virtType() {
        Matcher m = Pattern.compile("\\bvirt=(\\w+)").matcher(run(Duration.ofMinutes(1), "status").output());
        if (!m.find()) {
            throw new IllegalStateException("lab.sh status does not say virt=");
        }
        return m.group(1);
    }

    /** The named host from {@code lab.sh status}, which is the one place host addresses come from. */
    public Host host(String name) {
        return find(hosts(), name).orElseThrow(
                () -> new IllegalStateException("lab.sh status lists no host " + name));
    }

    public static Optional<Host> find(List<Host> hosts, String name) {
        return hosts.stream().filter(h -> h.name().equals(name)).findFirst();
    }

    /** Lines "NAME IP URI STATE [more]"; anything else (headers, warnings) is skipped. */
    public static List<Host> parseStatus(String output) {
        List<Host> hosts = new ArrayList<>();
        for (String line : output.split("\\R")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].startsWith("lab-") && f[2].contains("://")) {
                hosts.add(new Host(f[0], f[1], f[2], f[3]));
            }
        }
        return hosts;
    }

    private static final Pattern READING = Pattern.compile("\\bsweeps=(\\d+) verified_pages=(\\d+)\\b");

    /**
     * The workload's progress reading in a {@code vm check} output, as {@code vm check --since}
     * takes it ({@code SWEEPS:VERIFIED_PAGES}): a later check with it passes only if the same
     * workload has gone on verifying since (a restarted guest starts again from zero).
     */
    public static String reading(Result check) {
        Matcher m = READING.matcher(check.output());
        if (!m.find()) {
            throw new AssertionError("vm check printed no sweeps= verified_pages= reading: " + check.describe());
        }
        return m.group(1) + ":" + m.group(2);
    }

    /** Stops a run that overstayed, with the processes it started (children first, then lab.sh). */
    private static void kill(Process process) {
        // Taken before lab.sh dies: orphans are re-parented and no longer count as its descendants.
        List<ProcessHandle> started = process.descendants().toList();
        started.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        started.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}
