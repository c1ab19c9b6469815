package io.livemig.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/** Captures what livemig's loggers ({@code io.livemig}) log while open, at the given level. */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level previous;
    /**
     * Fixes each event's MDC on the logging thread before another thread can see it: logback
     * reads the MDC lazily, from whichever thread asks first.
     */
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent event) {
            event.prepareForDeferredProcessing();
            super.append(event);
        }
    };

    public LogCapture(Level level) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        logger = context.getLogger("io.livemig");
        previous = logger.getLevel();
        logger.setLevel(level);
        appender.setContext(context);
        appender.start();
        logger.addAppender(appender);
    }

    public synchronized List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    public List<ILoggingEvent> matching(Predicate<ILoggingEvent> filter) {
        return events().stream().filter(filter).toList();
    }

    /** Waits up to {@code timeout} for an event that matches (the end line follows the published result). */
    public ILoggingEvent await(Predicate<ILoggingEvent> filter, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ILoggingEvent> found = matching(filter);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no such log event in " + events().stream()
                        .map(ILoggingEvent::getFormattedMessage).toList());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previous);
    }
}
