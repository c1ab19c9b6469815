package io.livemig.cli.log;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * livemig's Logback configuration, made in code rather than read from a logback.xml: parsing XML
 * (Joran) costs a short client command more than the command itself. Logback finds this class
 * through {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}.
 *
 * <p>One line per event on stderr (the lab, systemd and shells collect it from there):
 * <pre>2026-11-25T01:02:03.456Z INFO  [migration=m-7 vm=web1] agent: migration succeeded: ...</pre>
 * Levels are set by {@link LogLevels} from -v and $LIVEMIG_LOG_LEVEL before anything logs; these
 * are the quiet defaults. Stack traces are left out ({@code %nopex}): messages carry the cause.
 *
 * <p>{@code -Dlogback.configurationFile=FILE} still wins: then this steps aside and Logback reads
 * that file as usual.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    /** The one appender, as tests and {@code LogCapture} find it on the root logger. */
    public static final String APPENDER = "STDERR";

    /** {@code %migration} and {@code %source} are livemig's own converters. */
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level %migration%source: %msg%n%nopex";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        // grpc-java logs through java.util.logging: into Logback with the rest, whoever configures it.
        // Here rather than at start, so that a run that never logs (--help, --version) never starts
        // java.util.logging either.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        return configure(context, System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY));
    }

    /** {@code configurationFile}: the value of -Dlogback.configurationFile, or null. */
    ExecutionStatus configure(LoggerContext context, String configurationFile) {
        if (configurationFile != null && !configurationFile.isBlank()) {
            addInfo(ClassicConstants.CONFIG_FILE_PROPERTY + " is set: leaving the configuration to " + configurationFile);
            return ExecutionStatus.INVOKE_NEXT_IF_ANY; // Logback's own configurator reads the file
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The context property naming the daemon this process runs, for {@link LogSourceConverter}. */
    static final String DAEMON = "livemig.daemon";

    /**
     * Names the daemon this process runs ({@code command}: agent or orchestrator) in the lines its
     * shared code writes, which would otherwise say "livemig"; any other command changes nothing.
     */
    public static void daemon(String command) {
        if ((command.equals("agent") || command.equals("orchestrator"))
                && org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.putProperty(DAEMON, command);
        }
    }

    /** Configures {@code context} as livemig logs: the appender, the converters, the quiet levels. */
    static void apply(LoggerContext context) {
        // grpc-java logs through java.util.logging, routed here (configure); this keeps its levels in step.
        LevelChangePropagator julLevels = new LevelChangePropagator();
        julLevels.setContext(context);
        julLevels.setResetJUL(true);
        julLevels.start();
        context.addListener(julLevels);

        registerConverter(context, "migration", LogContextConverter::new);
        registerConverter(context, "source", LogSourceConverter::new);

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();

        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(APPENDER);
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();

        context.getLogger("io.livemig").setLevel(Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(appender);
    }

    /** As a logback.xml {@code <conversionRule>} does: in the context's registry, for every pattern. */
    private static void registerConverter(LoggerContext context, String word, Supplier<DynamicConverter<?>> converter) {
        @SuppressWarnings("unchecked")
        Map<String, Supplier<DynamicConverter<?>>> rules = (Map<String, Supplier<DynamicConverter<?>>>) context
                .getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        if (rules == null) {
            rules = new HashMap<>();
            context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        }
        rules.put(word, converter);
    }
}
