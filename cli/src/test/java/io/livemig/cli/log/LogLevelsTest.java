package io.livemig.cli.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.livemig.agent.grpc.FakeHypervisor;
import io.livemig.cli.Main;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.common.log.MigrationLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** Quiet by default, -v for more, $LIVEMIG_LOG_LEVEL without -v; and the one-line layout. */
class LogLevelsTest {

    static Stream<Arguments> levels() {
        return Stream.of(
                // verbosity, service (agent, orchestrator), $LIVEMIG_LOG_LEVEL, livemig's level
                Arguments.of(0, true, null, Level.INFO),
                Arguments.of(0, false, null, Level.WARN),
                Arguments.of(1, true, null, Level.DEBUG),
                Arguments.of(1, false, null, Level.DEBUG),
                Arguments.of(2, true, null, Level.TRACE),
                Arguments.of(3, false, null, Level.TRACE),
                Arguments.of(0, true, "debug", Level.DEBUG),
                Arguments.of(0, false, " Info ", Level.INFO),
                Arguments.of(0, true, "error", Level.ERROR),
                Arguments.of(1, true, "error", Level.DEBUG)); // the command line wins
    }

    @ParameterizedTest
    @MethodSource("levels")
    void levelsFollowVerbosityAndEnvironment(int verbosity, boolean service, String env, Level expected) {
        LogLevels levels = LogLevels.of(verbosity, service, env == null ? Map.of() : Map.of(LogLevels.ENV, env));
        assertEquals(expected, levels.livemig());
        assertEquals(Level.WARN, levels.thirdParty());
    }

    @Test
    void anUnknownLevelIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogLevels.of(0, true, Map.of(LogLevels.ENV, "loud")));
        assertEquals("$LIVEMIG_LOG_LEVEL: unknown level 'loud' (error, warn, info, debug, trace, off)", e.getMessage());
    }

    private static Level livemigLevel() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.livemig").getLevel();
    }

    private static int run(Map<String, String> env, String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        try (AgentChannels channels = new AgentChannels(AgentChannels.PLAINTEXT)) {
            return Main.execute(() -> FakeHypervisor.replaying(List.of(), null), channels, false,
                    new ClientEnvironment(env, List.of(), Duration.ofSeconds(1)),
                    new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true), args);
        }
    }

    @Test
    void theCommandLineSetsTheLevelsBeforeTheCommandRuns() {
        Level before = livemigLevel();
        try {
            run(Map.of(), "version");
            assertEquals(Level.WARN, livemigLevel()); // a client command: quiet
            assertFalse(LoggerFactory.getLogger("io.livemig.cli").isDebugEnabled());
            run(Map.of(), "-v", "version");
            assertEquals(Level.DEBUG, livemigLevel());
            run(Map.of(), "version", "-vv");
            assertEquals(Level.TRACE, livemigLevel());
            run(Map.of(LogLevels.ENV, "info"), "version");
            assertEquals(Level.INFO, livemigLevel());
            assertEquals(2, run(Map.of(LogLevels.ENV, "loud"), "version"));
            // the agent and orchestrator: info by default, debug with -v (they fail later: no such file)
            run(Map.of(), "agent", "--config", "/nonexistent/agent.yaml");
            assertEquals(Level.INFO, livemigLevel());
            run(Map.of(), "orchestrator", "-v", "--config", "/nonexistent/orchestrator.yaml");
            assertEquals(Level.DEBUG, livemigLevel());
        } finally {
            ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.livemig").setLevel(before);
        }
    }

    @Test
    void oneLineWithTheMigrationAndVmFromTheMdc() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger logger = context.getLogger("io.livemig.agent.service.HostAgent");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "migration started", null,
                null);
        event.setMDCPropertyMap(Map.of(MigrationLog.MIGRATION, "m-7", MigrationLog.VM, "web1"));
        assertEquals("[migration=m-7 vm=web1] ", new LogContextConverter().convert(event));
        assertEquals("agent", new LogSourceConverter().convert(event));
        assertEquals("[vm=web1] ", LogContextConverter.render(Map.of(MigrationLog.VM, "web1")));
        assertEquals("", LogContextConverter.render(Map.of()));
        assertEquals("orchestrator", LogSourceConverter.source("io.livemig.orchestrator.service.Orchestrator"));
        assertEquals("io.grpc.Server", LogSourceConverter.source("io.grpc.Server"));
        // Shared code (access checks, serving) speaks as the daemon of its process; the daemons' own code as itself.
        assertEquals("orchestrator", LogSourceConverter.source("io.livemig.common.access.AccessInterceptor", "orchestrator"));
        assertEquals("agent", LogSourceConverter.source("io.livemig.common.grpc.GrpcServing", "agent"));
        assertEquals("livemig", LogSourceConverter.source("io.livemig.common.grpc.GrpcServing", null));
        assertEquals("agent", LogSourceConverter.source("io.livemig.agent.service.HostAgent", "orchestrator"));

        // The layout LogSetup configures.
        var appender = (ch.qos.logback.core.ConsoleAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME)
                .getAppender("STDERR");
        var encoder = (ch.qos.logback.classic.encoder.PatternLayoutEncoder) appender.getEncoder();
        String line = encoder.getLayout().doLayout(event);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[migration=m-7 vm=web1\\] "
                + "agent: migration started\\R"), line);
    }
}
