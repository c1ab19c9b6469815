package io.livemig.cli.command;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "version", description = "Print the livemig version.", mixinStandardHelpOptions = true,
        versionProvider = ManifestVersionProvider.class,
        footer = {"%nExamples:", "  livemig version", "  livemig --version"})
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new ManifestVersionProvider().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return ExitCodes.OK;
    }
}
