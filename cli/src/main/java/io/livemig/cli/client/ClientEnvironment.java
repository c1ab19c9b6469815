package io.livemig.cli.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the client commands take from their surroundings: the environment variables, the client
 * files that may name an orchestrator, and how long an orchestrator call may take. Production
 * uses {@link #system()}; tests pass their own, so that nothing depends on the machine running them.
 *
 * @param env environment variables ($LIVEMIG_CLUSTER, $LIVEMIG_ORCHESTRATOR)
 * @param clientFiles client files, first readable one wins (see {@link ClientTarget})
 * @param callDeadline the deadline of every unary orchestrator call
 */
public record ClientEnvironment(Map<String, String> env, List<Path> clientFiles, Duration callDeadline) {

    static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

    public ClientEnvironment {
        env = Map.copyOf(env);
        clientFiles = List.copyOf(clientFiles);
    }

    public static ClientEnvironment system() {
        return new ClientEnvironment(System.getenv(), ClientTarget.CLIENT_FILES, CALL_DEADLINE);
    }

    /** {@link #system()} with another process's environment variables (the resident client's caller). */
    public static ClientEnvironment of(Map<String, String> env) {
        return new ClientEnvironment(env, ClientTarget.CLIENT_FILES, CALL_DEADLINE);
    }
}
