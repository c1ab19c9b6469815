package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.TestCli;
import io.livemig.cli.client.ClientEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** A run builds only the subcommand its arguments name; help, completion and anything unclear get all. */
class SubcommandsTest {

    private static final List<String> ALL = Subcommands.ALL;

    private static CommandSpec root() {
        return new CommandLine(new LivemigCommand(new ClientEnvironment(Map.of(), List.of(), Duration.ofSeconds(1))))
                .getCommandSpec();
    }

    static Stream<Arguments> runs() {
        return Stream.of(
                // arguments, the subcommands built
                Arguments.of("hosts", List.of("hosts")),
                Arguments.of("--insecure --orchestrator 127.0.0.1:9 hosts", List.of("hosts")),
                Arguments.of("--cluster hosts vms", List.of("vms")), // a file that happens to be called hosts
                Arguments.of("--cluster=hosts vms --json", List.of("vms")),
                Arguments.of("-vv migrate web1 --to lab-b", List.of("migrate")),
                Arguments.of("-v --ca ca.pem --cert op.pem --key op.key history", List.of("history")),
                Arguments.of("hosts --help", List.of("hosts")),
                Arguments.of("config check /etc/livemig/agent.yaml", List.of("config")),
                Arguments.of("--insecure agent --config agent.yaml", List.of("agent")),
                Arguments.of("--version", List.of()),
                Arguments.of("-V", List.of()),
                Arguments.of("-vV", List.of()),
                Arguments.of("-V hosts", List.of("hosts")),
                Arguments.of("", ALL),
                Arguments.of("-v", ALL),
                Arguments.of("--help", ALL),
                Arguments.of("-h hosts", ALL),
                Arguments.of("-vh", ALL),
                Arguments.of("--version --help", ALL),
                Arguments.of("completion bash", ALL),
                Arguments.of("nosuch", ALL),
                Arguments.of("--nosuch hosts", ALL),
                Arguments.of("-x hosts", ALL),
                Arguments.of("@args.txt", ALL),
                Arguments.of("-- hosts", ALL),
                Arguments.of("--orchestrator", ALL));
    }

    @ParameterizedTest
    @MethodSource("runs")
    void theSubcommandsARunNeeds(String args, List<String> expected) {
        String[] argv = args.isEmpty() ? new String[0] : args.split(" ");
        assertEquals(expected, Subcommands.neededBy(root(), argv));
    }

    @Test
    void everyNameIsItsCommandsName() {
        for (String name : ALL) {
            assertEquals(name, Subcommands.type(name).getAnnotation(Command.class).name());
        }
        assertEquals(ALL, List.copyOf(TestCli.commandLine().getSubcommands().keySet()), "the full tree, in order");
    }

    @Test
    void theVersionAloneBuildsNoSubcommandAndPrintsTheVersion() {
        TestCli.Run run = TestCli.run("--version");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("livemig "), run.out());
        assertTrue(run.out().contains("Java " + System.getProperty("java.version")), run.out());
    }

    @Test
    void optionsOfTheRootWorkAfterTheSubcommandInAPartialTree() {
        TestCli.Run run = TestCli.run("hosts", "--insecure", "--orchestrator", "127.0.0.1:1");
        assertEquals(ExitCodes.UNAVAILABLE, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("livemig: cannot reach the orchestrator at 127.0.0.1:1"), run.err());
    }

    @Test
    void anUnknownSubcommandIsRefusedInOneLine() {
        TestCli.Run run = TestCli.run("host");
        assertEquals(ExitCodes.USAGE, run.exitCode());
        assertEquals("livemig: Unmatched argument at index 0: 'host' (see 'livemig --help')", run.err().strip());
    }
}
