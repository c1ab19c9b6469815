package io.livemig.cli.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.livemig.common.log.MigrationLog;
import java.time.Instant;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The configuration LogSetup makes in code: the line livemig logs, and stepping aside for a file. */
class LogSetupTest {

    private static LoggerContext configured() {
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, setup.configure(context, null));
        return context;
    }

    private static String line(LoggerContext context, String logger, Level level, String message, Map<String, String> mdc,
            Throwable thrown) {
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger(logger), level, message, thrown,
                null);
        event.setInstant(Instant.parse("2026-11-25T01:02:03.456Z"));
        event.setMDCPropertyMap(mdc);
        @SuppressWarnings("unchecked")
        var appender = (ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME)
                .getAppender(LogSetup.APPENDER);
        return ((PatternLayoutEncoder) appender.getEncoder()).getLayout().doLayout(event);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // logger | level | migration | vm | line
        "io.livemig.agent.service.HostAgent | INFO | m-7 | web1 | 2026-11-25T01:02:03.456Z INFO  [migration=m-7 vm=web1] agent: started",
        "io.livemig.orchestrator.service.Orchestrator | WARN | m-8 | | 2026-11-25T01:02:03.456Z WARN  [migration=m-8] orchestrator: started",
        "io.livemig.cli.command.MigrateCommand | ERROR | | web2 | 2026-11-25T01:02:03.456Z ERROR [vm=web2] livemig: started",
        "io.grpc.internal.ManagedChannelImpl | DEBUG | | | 2026-11-25T01:02:03.456Z DEBUG io.grpc.internal.ManagedChannelImpl: started",
    })
    void oneLinePerEventInUtcWithTheMigrationAndTheSource(String logger, String level, String migration, String vm,
            String expected) {
        Map<String, String> mdc = new java.util.HashMap<>();
        if (migration != null) {
            mdc.put(MigrationLog.MIGRATION, migration);
        }
        if (vm != null) {
            mdc.put(MigrationLog.VM, vm);
        }
        assertEquals(expected + System.lineSeparator(),
                line(configured(), logger, Level.toLevel(level), "started", mdc, null));
    }

    @Test
    void stackTracesAreLeftOut() {
        String line = line(configured(), "io.livemig.agent", Level.WARN, "gave up", Map.of(),
                new IllegalStateException("cause"));
        assertEquals("2026-11-25T01:02:03.456Z WARN  agent: gave up" + System.lineSeparator(), line);
    }

    @Test
    void quietByDefaultOnStderrWithJavaUtilLoggingKeptInStep() {
        LoggerContext context = configured();
        assertEquals(Level.WARN, context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
        assertEquals(Level.WARN, context.getLogger("io.livemig").getLevel());
        var appender = (ConsoleAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogSetup.APPENDER);
        assertTrue(appender.isStarted());
        assertEquals("System.err", appender.getTarget());
        assertTrue(context.getCopyOfListenerList().stream().anyMatch(l -> l instanceof LevelChangePropagator));
    }

    @Test
    void aConfigurationFileNamedByThePropertyWins() {
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);
        assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, setup.configure(context, "/etc/livemig/logback.xml"));
        assertNull(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogSetup.APPENDER));
        assertTrue(context.getCopyOfListenerList().isEmpty());
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, setup.configure(context, " "));
    }

    @Test
    void thePropertyIsReadFromTheSystem() {
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", "logback-quiet-test.xml");
        try {
            LoggerContext context = new LoggerContext();
            LogSetup setup = new LogSetup();
            setup.setContext(context);
            assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, setup.configure(context));
            assertFalse(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext());
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
    }

    @Test
    void logbackFindsItAsAServiceAndConfiguredThisJvmWithIt() {
        assertTrue(ServiceLoader.load(Configurator.class).stream().anyMatch(p -> p.type() == LogSetup.class));
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        var appender = (ConsoleAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogSetup.APPENDER);
        assertEquals(LogSetup.PATTERN, ((PatternLayoutEncoder) appender.getEncoder()).getPattern());
        assertTrue(SLF4JBridgeHandler.isInstalled(), "java.util.logging (grpc-java's) goes to Logback");
    }
}
