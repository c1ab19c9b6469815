package io.livemig.cli.command;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "completion",
        description = {"Print a shell completion script for livemig: its commands, options and option values.",
            "The script is picocli's bash completion, which zsh runs through bashcompinit (the script",
            "loads it when it finds itself in zsh)."},
        mixinStandardHelpOptions = true, versionProvider = ManifestVersionProvider.class,
        footer = {"%nExamples:",
            "  source <(livemig completion bash)                  # this shell only",
            "  livemig completion bash > /etc/bash_completion.d/livemig",
            "  source <(livemig completion zsh)                   # in ~/.zshrc"},
        exitCodeListHeading = ExitCodes.HELP_HEADING,
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_USAGE})
final class CompletionCommand implements Callable<Integer> {

    /** The shells picocli's script serves. */
    enum Shell { bash, zsh }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    public Integer call() {
        // One script for both: picocli's bash script calls bashcompinit itself under zsh.
        String script = AutoComplete.bash(spec.root().name(), spec.root().commandLine());
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
