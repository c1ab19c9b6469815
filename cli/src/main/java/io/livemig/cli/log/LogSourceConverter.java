package io.livemig.cli.log;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %source} in the log pattern ({@link LogSetup}): which part of livemig speaks (agent, orchestrator, livemig),
 * or the logger's name for third-party libraries.
 */
public final class LogSourceConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return source(event.getLoggerName());
    }

    static String source(String logger) {
        if (logger.equals("io.livemig.agent") || logger.startsWith("io.livemig.agent.")) {
            return "agent";
        }
        if (logger.equals("io.livemig.orchestrator") || logger.startsWith("io.livemig.orchestrator.")) {
            return "orchestrator";
        }
        if (logger.startsWith("io.livemig")) {
            return "livemig";
        }
        return logger;
    }
}
