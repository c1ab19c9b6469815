package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.grpc.FakeHypervisor;
import io.livemig.cli.Main;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.cli.experiment.ExperimentSpec.ModeSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code livemig experiment}: one line and exit code 2, before anything runs. */
class ExperimentCommandTest {

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(() -> FakeHypervisor.throwing(null), AgentChannels.secured(), false,
                ClientEnvironment.system(), new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aSpecWithAnUnknownKeyIsRefusedWithItsLine() throws Exception {
        Path spec = Files.writeString(tmp.resolve("bad.yaml"), "name: x\nsource: lab-a\ntarget: lab-b\nrepetitons: 2\n");
        Run r = run("--cluster", tmp.resolve("none.yaml").toString(), "experiment", "run", spec.toString(), "--out",
                tmp.resolve("out").toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().strip().lines().count() == 1, r.err());
        assertTrue(r.err().contains("bad.yaml:4") && r.err().contains("repetitons"), r.err());
        assertTrue(Files.notExists(tmp.resolve("out")), "nothing may run or be written for a bad spec");
    }

    @Test
    void theShippedSpecsAreValid() throws Exception {
        Path repo = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(repo.resolve("scripts/experiments"))) {
            repo = repo.getParent();
        }
        for (String name : new String[] {"quick.yaml", "classic.yaml"}) {
            io.livemig.cli.experiment.ExperimentSpec spec =
                    io.livemig.cli.experiment.ExperimentSpec.load(repo.resolve("scripts/experiments").resolve(name));
            assertTrue(spec.baseline(), name);
            assertTrue(spec.seed().isPresent(), name + ": a shipped spec records its seed");
            // The published comparison needs a spread per cell; the CI's quick run stays short.
            assertTrue(name.equals("classic.yaml") ? spec.repetitions() >= 3 : spec.repetitions() == 1,
                    name + ": repetitions " + spec.repetitions());
        }
    }

    /** advice.yaml: classic.yaml's matrix without its virsh side, auto under the objective fastest. */
    @Test
    void theAdviceSpecIsTheClassicMatrixWithAutoFastestAndNoBaseline() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("scripts/experiments"))) {
            dir = dir.getParent();
        }
        Path experiments = dir.resolve("scripts/experiments");
        io.livemig.cli.experiment.ExperimentSpec classic =
                io.livemig.cli.experiment.ExperimentSpec.load(experiments.resolve("classic.yaml"));
        io.livemig.cli.experiment.ExperimentSpec advice =
                io.livemig.cli.experiment.ExperimentSpec.load(experiments.resolve("advice.yaml"));
        assertEquals(classic.guest(), advice.guest());
        assertEquals(classic.workloads(), advice.workloads());
        assertEquals(classic.linksMibps(), advice.linksMibps());
        assertEquals(classic.seed(), advice.seed());
        assertEquals(3, advice.repetitions());
        assertTrue(advice.warmup());
        assertFalse(advice.baseline());
        assertEquals(List.of(new ModeSpec("precopy", 300, 45, ""), new ModeSpec("stopcopy", 0, 120, ""),
                new ModeSpec("postcopy", 0, 120, ""), new ModeSpec("auto", 300, 120, "fastest")), advice.modes());
        // A warm-up and 4 workloads x 4 modes x 3 repetitions, as its header says.
        assertEquals(49, io.livemig.cli.experiment.Matrix.plan(advice, advice.seed().getAsLong()).size());
    }

    @Test
    void reportRefusesADirectoryThatIsNotAnExperiment() {
        Run r = run("experiment", "report", tmp.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().strip().lines().count() == 1, r.err());
        assertTrue(r.err().contains(tmp.toString()), r.err());
    }
}
