package io.livemig.cli.command;

import io.livemig.agent.config.AgentConfig;
import io.livemig.common.config.ConfigException;
import io.livemig.common.input.Inputs;
import io.livemig.orchestrator.config.OrchestratorConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The servers' settings that a flag or an environment variable may override, first match wins:
 * the flag, then the variable, then the file. An override is checked with the rules the file's
 * value is checked with ({@link Inputs}), and a refusal names where the value came from.
 */
final class ServerOverrides {

    static final String AGENT_LISTEN = "LIVEMIG_AGENT_LISTEN";
    static final String LIBVIRT_URI = "LIVEMIG_LIBVIRT_URI";
    static final String ORCHESTRATOR_LISTEN = "LIVEMIG_ORCHESTRATOR_LISTEN";
    static final String DATABASE = "LIVEMIG_DATABASE";

    private ServerOverrides() {
    }

    /** A value that overrides the file's, and where it came from: "--listen" or "$LIVEMIG_AGENT_LISTEN". */
    record Override(String value, String source) {}

    /** The flag's value if given, else the variable's if set and not blank, else empty: the file's stands. */
    static Optional<Override> pick(String flagValue, String flag, Map<String, String> env, String variable) {
        if (flagValue != null) {
            return Optional.of(new Override(flagValue, flag));
        }
        String fromEnv = env.get(variable);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Optional.of(new Override(fromEnv.strip(), "$" + variable));
        }
        return Optional.empty();
    }

    /** The agent's loaded file with --listen/$LIVEMIG_AGENT_LISTEN and --libvirt-uri/$LIVEMIG_LIBVIRT_URI applied. */
    static AgentConfig.Loaded agent(AgentConfig.Loaded loaded, String listenFlag, String libvirtUriFlag,
            Map<String, String> env) throws ConfigException {
        AgentConfig agent = loaded.agent();
        Optional<Override> listen = pick(listenFlag, "--listen", env, AGENT_LISTEN);
        if (listen.isPresent()) {
            agent = agent.withListen(checked(listen.get(), Inputs::listenAddress));
        }
        Optional<Override> uri = pick(libvirtUriFlag, "--libvirt-uri", env, LIBVIRT_URI);
        if (uri.isPresent()) {
            agent = agent.withLibvirtUri(checked(uri.get(), Inputs::libvirtUri));
        }
        return new AgentConfig.Loaded(agent, loaded.cluster(), loaded.self(), loaded.security());
    }

    /**
     * The orchestrator's loaded file with --listen/$LIVEMIG_ORCHESTRATOR_LISTEN and
     * --database/$LIVEMIG_DATABASE applied; an overriding database path is taken from the current
     * directory, as any path on a command line.
     */
    static OrchestratorConfig.Loaded orchestrator(OrchestratorConfig.Loaded loaded, String listenFlag,
            String databaseFlag, Map<String, String> env) throws ConfigException {
        OrchestratorConfig config = loaded.config();
        Optional<Override> listen = pick(listenFlag, "--listen", env, ORCHESTRATOR_LISTEN);
        if (listen.isPresent()) {
            config = config.withListen(checked(listen.get(), Inputs::listenAddress));
        }
        Path database = loaded.database();
        Optional<Override> db = pick(databaseFlag, "--database", env, DATABASE);
        if (db.isPresent()) {
            database = Path.of(checked(db.get(), ServerOverrides::databasePath)).toAbsolutePath();
        }
        return new OrchestratorConfig.Loaded(config, loaded.cluster(), database, loaded.policy(), loaded.limits(),
                loaded.security());
    }

    private static Optional<String> databasePath(String field, String value) {
        if (value.isBlank() || value.chars().anyMatch(Character::isISOControl)) {
            return Optional.of(field + " must be the path of the history file, got '" + value.strip() + "'");
        }
        if (value.endsWith("/")) {
            return Optional.of(field + " must be a file, not a directory, got '" + value + "'");
        }
        return Optional.empty();
    }

    private static String checked(Override o, BiFunction<String, String, Optional<String>> rule)
            throws ConfigException {
        Optional<String> problem = rule.apply(o.source(), o.value());
        if (problem.isPresent()) {
            throw new ConfigException(problem.get());
        }
        return o.value();
    }
}
