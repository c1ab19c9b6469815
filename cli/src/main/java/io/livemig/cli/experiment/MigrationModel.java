package io.livemig.cli.experiment;

import java.util.Locale;

/**
 * The textbook analytical model of a live migration, to set measurements against. Pure.
 *
 * <p>Symbols: M memory, W the dirtied working set ({@code dirtyBytes}), D the dirty rate, B the
 * link rate, T the allowed downtime. Time is bytes / B throughout: the model assumes the stream
 * runs at the link rate and ignores setup, compression and CPU limits.
 *
 * <ul>
 *   <li><b>precopy</b> (also auto, which the model treats as pre-copy, and the precopy baseline):
 *       pass 1 sends V1 = M. Pass i sends what the guest dirtied while pass i-1 ran,
 *       {@code Vi = min(W, D * V(i-1) / B)}: bounded by W because the guest only rewrites its
 *       dirty area, however long a pass takes. After each pass from the second on, if
 *       {@code Vi <= B * T} it is sent with the guest paused: passes = i, downtime = Vi / B.
 *       Otherwise the series is cut at {@value #MAX_PASSES} passes and the model reports
 *       {@code converges = false}, with downtime the stop-and-copy of V{@value #MAX_PASSES}; that
 *       happens when D / B &gt;= 1 and W &gt; B * T (V never shrinks) or when it shrinks too slowly.
 *       bytes = V1 + ... + V(passes), total = bytes / B.</li>
 *   <li><b>stopcopy</b>: the guest is paused for one pass: passes 1, bytes M,
 *       total = downtime = M / B.</li>
 *   <li><b>postcopy</b>: livemig's postcopy mode switches after the first full pass, so: one pass
 *       of M, then the pages dirtied during it are pulled by the destination,
 *       bytes = M + min(W, D * M / B), total = bytes / B, passes 1. Downtime is only the
 *       device-state stop at the switch, which the model takes as 0.</li>
 * </ul>
 */
public final class MigrationModel {

    /** Where pre-copy is cut off (QEMU itself has no cap; livemig's timeouts end it in practice). */
    public static final int MAX_PASSES = 30;
    /** Allowed downtime when the run leaves it at 0: libvirt's and livemig's default. */
    public static final long DEFAULT_MAX_DOWNTIME_MS = 300;
    /** Link rate for an unlimited link (0) in {@link #predict(String, long, long, long, long, long)}: 1 GiB/s. */
    public static final long DEFAULT_LINK_BYTES_PER_S = 1024L * 1024 * 1024;

    private static final double MIB = 1024.0 * 1024.0;

    private MigrationModel() {}

    /** {@link #predict(String, long, long, long, long, long, long)} with an unlimited link taken as 1 GiB/s. */
    public static ModelPrediction predict(String mode, long memBytes, long dirtyBytes, long dirtyRateBytesPerS,
            long linkBytesPerS, long maxDowntimeMs) {
        return predict(mode, memBytes, dirtyBytes, dirtyRateBytesPerS, linkBytesPerS, maxDowntimeMs,
                DEFAULT_LINK_BYTES_PER_S);
    }

    /**
     * The model's prediction for one run.
     *
     * @param mode                  precopy, auto, stopcopy or postcopy
     * @param linkBytesPerS         link rate B; 0 means unlimited, for which {@code defaultLinkBytesPerS}
     *                              (what the wire actually does) is used
     * @param maxDowntimeMs         allowed downtime T; 0 for {@value #DEFAULT_MAX_DOWNTIME_MS} ms
     * @param defaultLinkBytesPerS  rate of an unlimited link, &gt; 0
     */
    public static ModelPrediction predict(String mode, long memBytes, long dirtyBytes, long dirtyRateBytesPerS,
            long linkBytesPerS, long maxDowntimeMs, long defaultLinkBytesPerS) {
        if (memBytes <= 0 || dirtyBytes < 0 || dirtyRateBytesPerS < 0 || linkBytesPerS < 0 || maxDowntimeMs < 0) {
            throw new IllegalArgumentException("memory must be > 0 and dirty bytes, dirty rate, link and downtime >= 0, got M="
                    + memBytes + " W=" + dirtyBytes + " D=" + dirtyRateBytesPerS + " B=" + linkBytesPerS + " T=" + maxDowntimeMs);
        }
        if (defaultLinkBytesPerS <= 0) {
            throw new IllegalArgumentException("default link rate must be > 0, got " + defaultLinkBytesPerS);
        }
        double b = linkBytesPerS == 0 ? defaultLinkBytesPerS : linkBytesPerS;
        String link = String.format(Locale.ROOT, "B=%s MiB/s%s", num(b / MIB), linkBytesPerS == 0 ? " (unlimited link, default rate)" : "");
        return switch (mode) {
            case "precopy", "auto" -> precopy(memBytes, dirtyBytes, dirtyRateBytesPerS, b,
                    maxDowntimeMs == 0 ? DEFAULT_MAX_DOWNTIME_MS : maxDowntimeMs, link);
            case "stopcopy" -> new ModelPrediction(1, memBytes, ms(memBytes, b), ms(memBytes, b), true,
                    "stop-and-copy: bytes=M, total=downtime=M/B; " + link);
            case "postcopy" -> {
                double bytes = memBytes + Math.min(dirtyBytes, dirtyRateBytesPerS * (memBytes / b));
                yield new ModelPrediction(1, Math.round(bytes), ms(bytes, b), 0, true,
                        "post-copy after one pass: bytes=M+min(W, D*M/B), total=bytes/B, downtime=0 (device state only); " + link);
            }
            default -> throw new IllegalArgumentException("unknown mode '" + mode + "' (known: precopy, auto, stopcopy, postcopy)");
        };
    }

    private static ModelPrediction precopy(long m, long w, long d, double b, long maxDowntimeMs, String link) {
        double threshold = b * maxDowntimeMs / 1000.0;
        double v = m;
        double bytes = m;
        boolean shrinking = true;
        for (int pass = 2; pass <= MAX_PASSES; pass++) {
            double next = Math.min(w, d * (v / b));
            shrinking = next < v;
            v = next;
            bytes += v;
            if (v <= threshold) {
                return new ModelPrediction(pass, Math.round(bytes), ms(bytes, b), ms(v, b), true, String.format(Locale.ROOT,
                        "pre-copy geometric: V1=M, Vi=min(W, D*V(i-1)/B), stop when Vi <= B*T=%s MiB (pass %d), "
                                + "downtime=Vi/B, total=sum(Vi)/B; %s, T=%d ms", num(threshold / MIB), pass, link, maxDowntimeMs));
            }
        }
        return new ModelPrediction(MAX_PASSES, Math.round(bytes), ms(bytes, b), ms(v, b), false, String.format(Locale.ROOT,
                "pre-copy geometric: V1=M, Vi=min(W, D*V(i-1)/B) %s above B*T=%s MiB, cut at %d passes, "
                        + "downtime=V%d/B, total=sum(Vi)/B; %s, T=%d ms",
                shrinking ? "shrinks too slowly, stays" : "does not shrink (D/B >= 1), stays",
                num(threshold / MIB), MAX_PASSES, MAX_PASSES, link, maxDowntimeMs));
    }

    private static long ms(double bytes, double bytesPerS) {
        return Math.round(bytes * 1000.0 / bytesPerS);
    }

    private static String num(double x) {
        return x == Math.rint(x) ? String.valueOf((long) x) : String.format(Locale.ROOT, "%.2f", x);
    }
}
