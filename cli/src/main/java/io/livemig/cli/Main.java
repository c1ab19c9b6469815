package io.livemig.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.libvirt.LibvirtHypervisor;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.CallFailures;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.cli.client.ClientWarmup;
import io.livemig.cli.command.CommandFactory;
import io.livemig.cli.command.ExitCodes;
import io.livemig.cli.command.LivemigCommand;
import io.livemig.cli.command.OptionRanges;
import io.livemig.cli.command.Subcommands;
import io.livemig.cli.format.MigrationSummary;
import io.livemig.cli.log.LogSetup;
import io.livemig.common.config.ConfigException;
import io.livemig.orchestrator.history.HistoryException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** The livemig command line. Only {@link #main} exits the JVM; everything else returns exit codes. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ClientWarmup.start(args);
        Charset charset = Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, charset), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, charset), true);
        int code;
        // Closed before the exit, which would otherwise wait for the channels' event loop (see AgentChannels).
        try (AgentChannels channels = AgentChannels.secured()) {
            // A lambda, not LibvirtHypervisor::new, so that only direct-migrate loads the class.
            code = execute(() -> new LibvirtHypervisor(), channels, System.console() != null,
                    ClientEnvironment.system(), out, err, args);
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs livemig with {@code args} on a command hierarchy that has only the subcommands they need
     * ({@link Subcommands#neededBy}), and returns the exit code. {@code hypervisor} is asked for only
     * by direct-migrate. Tests call this with their own writers, channels and a fake hypervisor.
     */
    public static int execute(Supplier<? extends Hypervisor> hypervisor, AgentChannels channels, boolean terminal,
            ClientEnvironment environment, PrintWriter out, PrintWriter err, String... args) {
        return commandLine(hypervisor, channels, terminal, environment, out, err, null, args).execute(args);
    }

    /**
     * {@link #execute} for a command whose caller's working directory is not this process's (the
     * resident client): the paths given as options and arguments are taken relative to
     * {@code workingDirectory}.
     */
    public static int executeIn(Path workingDirectory, Supplier<? extends Hypervisor> hypervisor,
            AgentChannels channels, boolean terminal, ClientEnvironment environment, PrintWriter out,
            PrintWriter err, String... args) {
        return commandLine(hypervisor, channels, terminal, environment, out, err, workingDirectory, args)
                .execute(args);
    }

    /**
     * The full command hierarchy, writing to the given writers and migrating with the given
     * hypervisor. Tests call this with their own writers and a fake hypervisor.
     */
    public static CommandLine commandLine(Hypervisor hypervisor, PrintWriter out, PrintWriter err) {
        return commandLine(hypervisor, AgentChannels.secured(), false, out, err);
    }

    /**
     * The full command hierarchy with the given agent channels; {@code terminal} says whether
     * live progress may be drawn (stderr is a terminal).
     */
    public static CommandLine commandLine(Hypervisor hypervisor, AgentChannels channels, boolean terminal,
            PrintWriter out, PrintWriter err) {
        return commandLine(hypervisor, channels, terminal, ClientEnvironment.system(), out, err);
    }

    /**
     * The full command hierarchy with the given agent (and orchestrator) channels and the given
     * environment: environment variables, client files and the orchestrator call deadline.
     */
    public static CommandLine commandLine(Hypervisor hypervisor, AgentChannels channels, boolean terminal,
            ClientEnvironment environment, PrintWriter out, PrintWriter err) {
        return commandLine(() -> hypervisor, channels, terminal, environment, out, err, null, (String[]) null);
    }

    /** The hierarchy with the subcommands {@code args} need, or with all of them when {@code args} is null. */
    private static CommandLine commandLine(Supplier<? extends Hypervisor> hypervisor, AgentChannels channels,
            boolean terminal, ClientEnvironment environment, PrintWriter out, PrintWriter err, Path workingDirectory,
            String[] args) {
        LivemigCommand root = new LivemigCommand(environment);
        channels.securedBy(root::security);
        CommandLine commandLine = new CommandLine(root, new CommandFactory(hypervisor, channels, terminal));
        // Before the settings below: picocli applies them to the subcommands there are at the time.
        Subcommands.addTo(commandLine, args == null ? Subcommands.ALL
                : Subcommands.neededBy(commandLine.getCommandSpec(), args));
        LivemigCommand.finish(commandLine);
        if (workingDirectory != null) {
            // After the subcommands are added: picocli registers a converter with those there are.
            commandLine.registerConverter(Path.class, value -> workingDirectory.resolve(value));
        }
        // The ranges the help shows come from the shared input rules, not from the annotations.
        commandLine.setResourceBundle(new OptionRanges());
        // Colour only on a terminal: AUTO also checks the terminal type and honours NO_COLOR;
        // off for anything else, so help piped to a file or read by a test is plain text.
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(
                terminal ? CommandLine.Help.Ansi.AUTO : CommandLine.Help.Ansi.OFF));
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(Main::onBadUsage);
        commandLine.setExecutionExceptionHandler(Main::onFailure);
        commandLine.setExecutionStrategy(parsed -> {
            // --help and --version print and return, and nothing logs: Logback is not even started.
            Integer helped = CommandLine.executeHelpRequest(parsed);
            if (helped != null) {
                return helped;
            }
            // The log levels follow -v and the subcommand; set before the command logs anything.
            List<CommandLine> chosen = parsed.asCommandLineList();
            String command = chosen.get(chosen.size() - 1).getCommandName();
            try {
                ClientWarmup.awaitLogging();
                root.logLevels(command).apply();
                LogSetup.daemon(command);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ExecutionException(chosen.get(chosen.size() - 1), e.getMessage(), e);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return commandLine;
    }

    /** Bad usage: one line naming the problem and where help is, instead of the whole usage text. */
    private static int onBadUsage(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        command.getErr().println(name + ": " + MigrationSummary.oneLine(e.getMessage())
                + " (see '" + name + " --help')");
        command.getErr().flush();
        return ExitCodes.USAGE;
    }

    /** A failure while running: one line, no stack trace, and the exit code for its kind. */
    private static int onFailure(Exception e, CommandLine command, ParseResult parseResult) {
        command.getErr().println("livemig: " + MigrationSummary.oneLine(describe(e)));
        command.getErr().flush();
        return exitCodeOf(e);
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        // Files that cannot be written or read (experiment results, the history) are not bugs.
        if (e instanceof HypervisorException || e instanceof IllegalArgumentException || e instanceof ConfigException
                || e instanceof java.io.UncheckedIOException || e instanceof HistoryException) {
            return message == null ? e.getClass().getSimpleName() : message;
        }
        if (e instanceof StatusRuntimeException sre) {
            Status status = sre.getStatus();
            String tls = tlsFailure(sre);
            if (tls != null) {
                // The orchestrator's client names its server already (OrchestratorClient).
                String description = status.getDescription();
                return description != null && description.startsWith(CallFailures.TLS_FAILED) ? description
                        : CallFailures.TLS_FAILED + tls;
            }
            return (status.getDescription() != null ? status.getDescription() : "")
                    + " (" + status.getCode() + ")";
        }
        // Anything else is a bug; say what it was, still on one line.
        return "internal error: " + e.getClass().getName() + (message == null ? "" : ": " + message);
    }

    /** Why the TLS handshake failed (in words: see {@link CallFailures}), or null when it is not one. */
    static String tlsFailure(StatusRuntimeException e) {
        return CallFailures.tls(e, "the server");
    }

    private static int exitCodeOf(Exception e) {
        if (e instanceof IllegalArgumentException || e instanceof ConfigException) {
            return ExitCodes.USAGE;
        }
        if (e instanceof StatusRuntimeException sre) {
            if (tlsFailure(sre) != null) {
                return ExitCodes.REFUSED;
            }
            return switch (sre.getStatus().getCode()) {
                case PERMISSION_DENIED, UNAUTHENTICATED -> ExitCodes.REFUSED;
                case UNAVAILABLE, DEADLINE_EXCEEDED -> ExitCodes.UNAVAILABLE;
                case INTERNAL, UNKNOWN, CANCELLED, RESOURCE_EXHAUSTED -> ExitCodes.MIGRATION_FAILED;
                default -> ExitCodes.USAGE;
            };
        }
        if (e instanceof HypervisorException he) {
            return switch (he.reason()) {
                case HOST_UNAVAILABLE -> ExitCodes.UNAVAILABLE;
                case VM_NOT_FOUND, INVALID_REQUEST -> ExitCodes.USAGE;
                case OPERATION_FAILED, UNSUPPORTED -> ExitCodes.MIGRATION_FAILED;
            };
        }
        return ExitCodes.MIGRATION_FAILED;
    }
}
