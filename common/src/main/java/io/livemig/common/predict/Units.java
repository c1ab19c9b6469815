package io.livemig.common.predict;

import java.util.Locale;

/** How the predictor writes numbers in its one-line explanations. */
final class Units {

    static final double MIB = 1024.0 * 1024.0;

    private Units() {}

    /** "197.3 MiB". */
    static String mib(double bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / MIB);
    }

    /** "32.0 MiB/s". */
    static String rate(double bytesPerS) {
        return String.format(Locale.ROOT, "%.1f MiB/s", bytesPerS / MIB);
    }

    /** "12.1 s". */
    static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
