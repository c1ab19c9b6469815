package io.livemig.cli.experiment;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where an experiment's figures come from, written to {@code DIR/experiment.json} by the runner
 * and quoted in the report, so that a committed results directory names what produced it.
 *
 * @param specFile   the spec file as given on the command line (its contents are in spec.yaml)
 * @param seed       the seed of the run order
 * @param gitCommit  {@code git rev-parse HEAD} of the checkout the spec file is in; null outside one
 * @param gitDirty   whether that checkout had uncommitted changes ({@code git status --porcelain}
 *                   not empty); null when unknown
 * @param livemig    the livemig build that ran it: version and the commit it was built from
 * @param virsh      {@code virsh --version} of the machine the experiment ran on; null if unknown
 * @param startedAt  when the experiment started, ISO-8601 UTC
 */
public record Provenance(String specFile, long seed, String gitCommit, Boolean gitDirty, String livemig, String virsh,
        String startedAt) {

    /** Collects what this machine can tell: git of the spec file's directory, virsh's version. */
    public static Provenance collect(Path specFile, long seed, String livemigVersion) {
        Path dir = specFile.toAbsolutePath().getParent();
        String commit = null;
        Boolean dirty = null;
        if (dir != null) {
            commit = output(List.of("git", "-C", dir.toString(), "rev-parse", "HEAD"));
            if (commit != null) {
                String status = output(List.of("git", "-C", dir.toString(), "status", "--porcelain"));
                dirty = status == null ? null : !status.isEmpty();
            }
        }
        return new Provenance(specFile.toString(), seed, commit, dirty, livemigVersion,
                output(List.of("virsh", "--version")), Instant.now().toString());
    }

    /** The command's output, stripped; null when it cannot run, fails or takes over 10 s. */
    static String output(List<String> command) {
        Path log = null;
        try {
            log = Files.createTempFile("livemig-provenance-", ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? Files.readString(log, StandardCharsets.UTF_8).strip() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    // a temporary file left behind
                }
            }
        }
    }
}
