package io.livemig.cli;

import java.util.Locale;

/** Human-readable figures. */
final class Units {
    private static final double MIB = 1024.0 * 1024.0;

    private Units() {}

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / MIB);
    }
}
