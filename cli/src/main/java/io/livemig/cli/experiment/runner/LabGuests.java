package io.livemig.cli.experiment.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lab's test guests through {@code scripts/lab.sh vm ...}: each run gets a fresh guest, so
 * every run starts from the same state, and the guest's own integrity verdict ends it.
 */
final class LabGuests {

    private static final Pattern IP = Pattern.compile("\\bip=(\\S+)");
    private static final Pattern INTEGRITY = Pattern.compile("\\bintegrity=(\\S+)");
    private static final Pattern HOST = Pattern.compile("\\bhost=(\\S+)");

    private final Path labScript;
    private final Path labDir;

    LabGuests(Path labScript, Path labDir) {
        this.labScript = labScript;
        this.labDir = labDir;
    }

    /** A started guest: its address and the serial log the host writes its heartbeats to. */
    record Guest(String name, String ip, Path serialLog) {}

    record Check(String host, String integrity, String output) {}

    Guest create(String name, String host, int memMib, int dirtyMib, int dirtyRateMibps, String content)
            throws IOException {
        run(Duration.ofSeconds(30), "vm", "destroy", name); // a previous, interrupted experiment's
        String out = runOk(Duration.ofMinutes(3), "vm", "create", name, "--host", host, "--mem", String.valueOf(memMib),
                "--dirty-mib", String.valueOf(dirtyMib), "--dirty-rate", String.valueOf(dirtyRateMibps),
                "--content", content, "--disk", "shared");
        Matcher m = IP.matcher(out);
        if (!m.find()) {
            throw new IOException("lab.sh vm create printed no ip=: " + out.strip());
        }
        return new Guest(name, m.group(1), labDir.resolve("guest-logs").resolve(name + ".log"));
    }

    Check check(String name) throws IOException {
        String out = run(Duration.ofMinutes(1), "vm", "check", name);
        Matcher integrity = INTEGRITY.matcher(out);
        Matcher host = HOST.matcher(out);
        return new Check(host.find() ? host.group(1) : "", integrity.find() ? integrity.group(1) : "unknown", out.strip());
    }

    void destroy(String name) throws IOException {
        run(Duration.ofMinutes(1), "vm", "destroy", name);
    }

    private String runOk(Duration timeout, String... args) throws IOException {
        Processes.Exec r = exec(timeout, args);
        if (r.exitCode() != 0) {
            throw new IOException("lab.sh " + String.join(" ", args) + " failed (exit " + r.exitCode() + "): "
                    + r.output().strip().lines().reduce((a, b) -> b).orElse(""));
        }
        return r.output();
    }

    private String run(Duration timeout, String... args) throws IOException {
        return exec(timeout, args).output();
    }

    private Processes.Exec exec(Duration timeout, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(labScript.toString());
        command.addAll(List.of(args));
        return Processes.run(command, timeout);
    }
}
