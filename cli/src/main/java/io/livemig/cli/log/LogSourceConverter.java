package io.livemig.cli.log;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %source} in the log pattern ({@link LogSetup}): which part of livemig speaks (agent, orchestrator, livemig),
 * or the logger's name for third-party libraries. Code shared by both daemons (TLS, access checks, serving,
 * metrics) speaks as the daemon that runs it, named by {@link LogSetup#daemon}.
 */
public final class LogSourceConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return source(event.getLoggerName(), getContext() == null ? null : getContext().getProperty(LogSetup.DAEMON));
    }

    static String source(String logger) {
        return source(logger, null);
    }

    /** {@code daemon}: "agent" or "orchestrator" in a daemon's process, else null. */
    static String source(String logger, String daemon) {
        if (logger.equals("io.livemig.agent") || logger.startsWith("io.livemig.agent.")) {
            return "agent";
        }
        if (logger.equals("io.livemig.orchestrator") || logger.startsWith("io.livemig.orchestrator.")) {
            return "orchestrator";
        }
        if (logger.startsWith("io.livemig")) {
            return daemon != null ? daemon : "livemig";
        }
        return logger;
    }
}
