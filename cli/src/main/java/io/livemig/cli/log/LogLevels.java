package io.livemig.cli.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.Locale;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The levels of one run: livemig's own loggers ({@code io.livemig}) and everything else
 * (grpc, netty, libvirt-java, JNA). Quiet by default: the agent and orchestrator say at info what
 * an operator needs (serving, each migration's start and end, escalations, refusals); the short
 * client commands, whose stdout and stderr are their interface, only warn. -v gives debug, -vv
 * trace; without -v, $LIVEMIG_LOG_LEVEL (error, warn, info, debug, trace, off) replaces the
 * default. Third-party libraries stay at warn.
 */
public record LogLevels(Level livemig, Level thirdParty) {

    public static final String ENV = "LIVEMIG_LOG_LEVEL";

    /** {@code service}: agent or orchestrator, which run for long and log their events. */
    public static LogLevels of(int verbosity, boolean service, Map<String, String> env) {
        Level base = service ? Level.INFO : Level.WARN;
        String named = env.get(ENV);
        if (verbosity == 0 && named != null && !named.isBlank()) {
            base = parse(named);
        }
        Level livemig = switch (Math.min(verbosity, 2)) {
            case 0 -> base;
            case 1 -> Level.DEBUG;
            default -> Level.TRACE;
        };
        return new LogLevels(livemig, Level.WARN);
    }

    private static Level parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        return switch (n) {
            case "OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE" -> Level.toLevel(n);
            default -> throw new IllegalArgumentException("$" + ENV + ": unknown level '" + name.trim()
                    + "' (error, warn, info, debug, trace, off)");
        };
    }

    /**
     * Sets these levels on Logback; before anything logs, so that no line is written under the
     * wrong ones. Does nothing when slf4j is bound to something else.
     */
    public void apply() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(thirdParty);
            context.getLogger("io.livemig").setLevel(livemig);
        }
    }
}
