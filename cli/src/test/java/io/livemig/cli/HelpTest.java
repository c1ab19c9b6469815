package io.livemig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Every command's help ends with examples, and help that is not on a terminal has no colour. */
class HelpTest {

    static List<CommandSpec> everyCommand() {
        List<CommandSpec> all = new ArrayList<>();
        walk(TestCli.commandLine().getCommandSpec(), all);
        return all;
    }

    private static void walk(CommandSpec spec, List<CommandSpec> all) {
        all.add(spec);
        // Aliases appear once per name in subcommands(); the set of specs is what matters.
        spec.subcommands().values().stream().map(CommandLine::getCommandSpec).distinct()
                .forEach(sub -> walk(sub, all));
    }

    @Test
    void everyCommandHasExamples() {
        List<String> without = everyCommand().stream()
                .filter(spec -> !String.join("\n", spec.usageMessage().footer()).contains("Examples:"))
                .map(CommandSpec::qualifiedName).toList();
        assertEquals(List.of(), without, "commands whose --help has no Examples: section");
        assertTrue(everyCommand().size() > 15, "the walk reached the subcommands");
    }

    @Test
    void helpToAPipeHasNoEscapeCodes() {
        for (CommandSpec spec : everyCommand()) {
            List<String> args = new ArrayList<>(List.of(spec.qualifiedName(" ").split(" ")));
            args.remove(0);
            args.add("--help");
            TestCli.Run run = TestCli.run(args.toArray(String[]::new));
            assertEquals(0, run.exitCode(), spec.qualifiedName() + ": " + run.err());
            assertTrue(run.out().contains("Usage: "), spec.qualifiedName());
            assertFalse(run.out().contains("\u001B["), spec.qualifiedName() + " --help has ANSI escape codes");
        }
    }

    /**
     * picocli formats every description with String.format: a bare '%' is not printed as written,
     * picocli writes a warning to stderr instead, in the middle of the user's help.
     */
    @Test
    void everyHelpIsWrittenWithoutPicocliWarnings() throws Exception {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (CommandSpec spec : everyCommand()) {
                spec.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
            }
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8),
                "picocli's warnings while writing --help (write '%%' for a percent sign)");
    }

    @Test
    void completionPrintsABashScript() {
        TestCli.Run run = TestCli.run("completion", "bash");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("complete -F _complete_livemig"), run.out().lines().limit(5).toList().toString());
        assertTrue(run.out().contains("config"), "subcommands are completed");
        assertEquals(run.out(), TestCli.run("completion", "zsh").out(), "zsh runs the bash script");
        assertEquals(2, TestCli.run("completion", "fish").exitCode());
    }

    /**
     * Only clients read $LIVEMIG_INSECURE; the servers' --help says what turns them plaintext (the
     * flag or the file) and does not claim the variable does.
     */
    @Test
    void theServersHelpDoesNotClaimTheyReadLivemigInsecure() {
        for (String server : List.of("agent", "orchestrator")) {
            TestCli.Run run = TestCli.run(server, "--help");
            assertEquals(0, run.exitCode(), run.err());
            assertFalse(run.out().contains("LIVEMIG_INSECURE"), server + " --help mentions $LIVEMIG_INSECURE:\n"
                    + run.out());
            String insecure = String.join(" ", run.out().lines().dropWhile(l -> !l.strip().startsWith("--insecure"))
                    .limit(6).map(String::strip).toList()).replaceAll("\\s+", " ");
            assertTrue(insecure.contains("Serve plaintext gRPC without client authentication"), insecure);
            assertTrue(insecure.contains("Only this flag or the file turn it on."), insecure);
        }
        TestCli.Run client = TestCli.run("history", "--help");
        assertTrue(client.out().contains("$LIVEMIG_INSECURE=1"), "clients still say they read it: " + client.out());
    }
}
