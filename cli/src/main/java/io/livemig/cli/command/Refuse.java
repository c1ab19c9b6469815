package io.livemig.cli.command;

import java.util.Optional;

/**
 * Refuses bad input before any call, with the reason the shared rules
 * ({@link io.livemig.common.input.Inputs}) give; the CLI prints it as one line and exits 2. The
 * servers check the same again, whatever the client.
 */
final class Refuse {

    private Refuse() {
    }

    static void ifPresent(Optional<String> problem) {
        problem.ifPresent(p -> {
            throw new IllegalArgumentException(p);
        });
    }
}
