package io.livemig.cli.experiment.runner;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end, bounded in time, and keeps its output (stdout and stderr together). */
final class Processes {

    private Processes() {
    }

    record Exec(int exitCode, String output) {}

    /**
     * Output goes to a file, not a pipe: daemons a command starts (lab.sh starts libvirtd, agents)
     * may inherit the descriptor, and a pipe would then never reach end-of-file. A command that
     * overstays is killed with what it started.
     */
    static Exec run(List<String> command, Duration timeout) throws IOException {
        Path log = Files.createTempFile("livemig-exec-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(String.join(" ", command.subList(0, Math.min(4, command.size())))
                        + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Exec(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
