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
        try (Running r = start(command)) {
            return r.await(timeout);
        }
    }

    /** Starts {@code command} and returns at once; {@link Running#await} collects it. */
    static Running start(List<String> command) throws IOException {
        Path log = Files.createTempFile("livemig-exec-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            return new Running(command, p, log);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(log);
            throw e;
        }
    }

    /** A started command; closing it kills what is left of it and removes its output file. */
    static final class Running implements AutoCloseable {

        private final List<String> command;
        private final Process process;
        private final Path log;

        private Running(List<String> command, Process process, Path log) {
            this.command = List.copyOf(command);
            this.process = process;
            this.log = log;
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** Waits for the end, at most {@code timeout}; past it, kills the command and throws. */
        Exec await(Duration timeout) throws IOException {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                    throw new IOException(String.join(" ", command.subList(0, Math.min(4, command.size())))
                            + " did not finish within " + timeout.toSeconds() + " s");
                }
                return new Exec(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
        }

        private void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }

        @Override
        public void close() throws IOException {
            if (process.isAlive()) {
                kill();
            }
            Files.deleteIfExists(log);
        }
    }
}
