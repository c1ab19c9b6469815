package io.livemig.cli;

import java.util.Locale;

/** Human-readable figures. */
final class Units {
    private static final double MIB = 1024.0 * 1024.0;
    private static final double GIB = MIB * 1024.0;

    private Units() {}

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / MIB);
    }

    /** "512.0 MiB" below 1 GiB, "15.6 GiB" from there. */
    static String size(long bytes) {
        return bytes < GIB ? mib(bytes) : String.format(Locale.ROOT, "%.1f GiB", bytes / GIB);
    }
}
