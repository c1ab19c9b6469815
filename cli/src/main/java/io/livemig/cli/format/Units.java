package io.livemig.cli.format;

import java.util.Locale;

/** Human-readable figures. */
public final class Units {
    private static final double MIB = 1024.0 * 1024.0;
    private static final double GIB = MIB * 1024.0;

    private Units() {}

    public static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / MIB);
    }

    /** "512.0 MiB" below 1 GiB, "15.6 GiB" from there. */
    public static String size(long bytes) {
        return bytes < GIB ? mib(bytes) : String.format(Locale.ROOT, "%.1f GiB", bytes / GIB);
    }
}
