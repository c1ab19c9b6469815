package io.livemig.cli.command;

import java.lang.reflect.Field;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * livemig's subcommands, and which of them a run needs. picocli builds a command's model by
 * reflection over its class, its options and their types when the command is added, which for
 * all of them costs a short command such as {@code livemig hosts} a good part of its start (and
 * loads the servers' and the experiments' classes for nothing); so a run adds only the subcommand
 * its arguments name. Help that lists them, completion scripts and anything this cannot read
 * with certainty get all of them, which is what picocli's own parsing and messages then see.
 */
public final class Subcommands {

    /** Every subcommand's name, in the order the help lists them. */
    public static final List<String> ALL = List.of("version", "agent", "orchestrator", "hosts", "vms", "migrate",
            "watch", "abort", "history", "rebalance", "drain", "host-state", "direct-migrate", "experiment", "config",
            "completion");

    private Subcommands() {
    }

    /** The class of the subcommand {@code name}, one of {@link #ALL}; loaded only when asked for. */
    static Class<?> type(String name) {
        return switch (name) {
            case "version" -> VersionCommand.class;
            case "agent" -> AgentCommand.class;
            case "orchestrator" -> OrchestratorCommand.class;
            case "hosts" -> HostsCommand.class;
            case "vms" -> VmsCommand.class;
            case "migrate" -> MigrateCommand.class;
            case "watch" -> WatchCommand.class;
            case "abort" -> AbortCommand.class;
            case "history" -> HistoryCommand.class;
            case "rebalance" -> RebalanceCommand.class;
            case "drain" -> DrainCommand.class;
            case "host-state" -> HostStateCommand.class;
            case "direct-migrate" -> DirectMigrateCommand.class;
            case "experiment" -> ExperimentCommand.class;
            case "config" -> ConfigCommand.class;
            case "completion" -> CompletionCommand.class;
            default -> throw new IllegalArgumentException("no subcommand " + name);
        };
    }

    /**
     * Reads the annotations of the subcommand {@code args} name, of its fields and of its mixins'
     * (none when they name none), as picocli does when it adds it: reflection parses them once per
     * JVM and makes a proxy class per annotation type, both shared with picocli afterwards. For a
     * second thread to do while the first builds the root command.
     */
    public static void readAnnotations(String... args) {
        for (String arg : args) {
            if (ALL.contains(arg)) {
                readAnnotations(type(arg), 0);
                return;
            }
        }
    }

    private static void readAnnotations(Class<?> type, int depth) {
        type.getAnnotations();
        for (Field field : type.getDeclaredFields()) {
            field.getAnnotations();
            if (depth < 2 && field.isAnnotationPresent(CommandLine.Mixin.class)) {
                readAnnotations(field.getType(), depth + 1);
            }
        }
    }

    /** Adds the subcommands {@code names} to the root {@code commandLine}, made by its factory. */
    public static void addTo(CommandLine commandLine, List<String> names) {
        for (String name : names) {
            commandLine.addSubcommand(name, type(name));
        }
    }

    /**
     * The subcommands a run with {@code args} needs: the one named after the root's own options
     * ({@code root}: the root command, without subcommands); none for {@code --version} alone; all
     * of them for the root's help, for {@code completion} (its script covers the whole tree), and
     * for anything else: no subcommand, an unknown one, an unknown option, an argument file.
     */
    public static List<String> neededBy(CommandSpec root, String... args) {
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (ALL.contains(arg)) {
                return arg.equals("completion") ? ALL : List.of(arg);
            }
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                return ALL; // a positional argument, an @file or the end of options: picocli says what it makes of them
            }
            int equals = arg.indexOf('=');
            OptionSpec option = root.findOption(equals < 0 ? arg : arg.substring(0, equals));
            if (option != null) {
                if (option.usageHelp()) {
                    return ALL;
                }
                version |= option.versionHelp();
                if (equals < 0 && option.arity().max() > 0) {
                    i++; // its value, which may be spelled like a subcommand
                }
            } else if (!arg.startsWith("--") && arg.length() > 2) {
                // -vv: short flags given together
                for (char c : arg.substring(1).toCharArray()) {
                    OptionSpec flag = root.findOption(c);
                    if (flag == null || flag.arity().max() > 0 || flag.usageHelp()) {
                        return ALL;
                    }
                    version |= flag.versionHelp();
                }
            } else {
                return ALL;
            }
        }
        return version ? List.of() : ALL;
    }
}
