package io.livemig.cli.log;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.livemig.common.log.MigrationLog;
import java.util.Map;

/**
 * {@code %migration} in the log pattern ({@link LogSetup}): "[migration=ID vm=NAME] " from the MDC, with only the keys
 * that are set, and nothing at all for events outside a migration.
 */
public final class LogContextConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        return render(event.getMDCPropertyMap());
    }

    static String render(Map<String, String> mdc) {
        String migration = mdc.get(MigrationLog.MIGRATION);
        String vm = mdc.get(MigrationLog.VM);
        if (migration == null && vm == null) {
            return "";
        }
        StringBuilder b = new StringBuilder("[");
        if (migration != null) {
            b.append("migration=").append(migration);
        }
        if (vm != null) {
            b.append(migration != null ? " " : "").append("vm=").append(vm);
        }
        return b.append("] ").toString();
    }
}
