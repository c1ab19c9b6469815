package io.livemig.cli;

import io.livemig.agent.grpc.FakeHypervisor;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** The whole command line as tests run it: no hypervisor, plaintext channels, an empty environment. */
public final class TestCli {

    public record Run(int exitCode, String out, String err) {}

    private TestCli() {
    }

    /** The command tree, for walking its specs. */
    public static CommandLine commandLine() {
        return Main.commandLine(FakeHypervisor.replaying(List.of(), null), new AgentChannels(AgentChannels.PLAINTEXT),
                false, new ClientEnvironment(Map.of(), List.of(), Duration.ofSeconds(10)),
                new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
    }

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (AgentChannels channels = new AgentChannels(AgentChannels.PLAINTEXT)) {
            int code = Main.execute(() -> FakeHypervisor.replaying(List.of(), null), channels, false,
                    new ClientEnvironment(Map.of(), List.of(), Duration.ofSeconds(10)),
                    new PrintWriter(out, true), new PrintWriter(err, true), args);
            return new Run(code, out.toString(), err.toString());
        }
    }
}
