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

    /**
     * A time left, rounded up to the second so that a running migration never shows 0 s before it
     * is done: "7 s", "2 min 05 s", "1 h 02 min".
     */
    public static String timeLeft(long ms) {
        long s = (Math.max(0, ms) + 999) / 1000;
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60);
    }

    /** "512.0 MiB" below 1 GiB, "15.6 GiB" from there. */
    public static String size(long bytes) {
        return bytes < GIB ? mib(bytes) : String.format(Locale.ROOT, "%.1f GiB", bytes / GIB);
    }
}
