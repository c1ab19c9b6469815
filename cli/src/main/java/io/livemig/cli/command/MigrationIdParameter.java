package io.livemig.cli.command;

import io.livemig.common.input.Inputs;
import picocli.CommandLine.Parameters;

/** The ID of the commands that act on one orchestrator migration (watch, abort). */
final class MigrationIdParameter {

    @Parameters(index = "0", paramLabel = "ID", description = "The migration's id (e.g. m-000042).")
    String id;

    /** The id, once it passes the shared rules: a bad one is refused before any call. */
    String checked() {
        Refuse.ifPresent(Inputs.id("migration id", id));
        return id;
    }
}
