package io.livemig.cli.experiment;

import java.util.Arrays;
import java.util.List;

/**
 * Downtime as seen from outside the hypervisor. Pure.
 *
 * <p>The hypervisor's downtime figure is its own account of the pause; what a user of the guest
 * sees is the longest silence: pings unanswered, heartbeats not arriving. That silence also covers
 * the network switching over to the target (the guest's gratuitous ARP) and the vCPUs getting
 * going again, which the hypervisor does not count.
 */
public final class DowntimeAnalysis {

    private DowntimeAnalysis() {}

    /**
     * The longest interval between two consecutive replies that overlaps {@code [fromMs, toMs]},
     * the migration window (which the caller extends a little on both sides). The interval is
     * counted whole, also the part outside the window: a silence that starts just before the
     * migration is still one silence.
     *
     * <p>The window's edges stand in for replies that are missing: with no reply at or before
     * {@code fromMs} the silence is counted from {@code fromMs}, with none at or after {@code toMs}
     * up to {@code toMs}; so with no reply at all the whole window is the gap. That is a lower
     * bound, which is the most the data can say.
     *
     * @param replyTimesMs times of the successful replies, in any order, same clock as the window
     */
    public static long longestGapMs(List<Long> replyTimesMs, long fromMs, long toMs) {
        if (toMs < fromMs) {
            throw new IllegalArgumentException("window ends before it starts: [" + fromMs + ", " + toMs + "]");
        }
        long[] t = replyTimesMs.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(t);
        long longest = 0;
        // The point before the one at hand: the last reply at or before the window, or its start.
        long previous = fromMs;
        for (long reply : t) {
            if (reply <= fromMs) {
                previous = reply;
                continue;
            }
            longest = Math.max(longest, reply - previous);
            previous = reply;
            if (reply >= toMs) {
                return longest;
            }
        }
        return Math.max(longest, toMs - previous);
    }

    /** {@link #longestGapMs} on the host's arrival times of the guest's heartbeats. */
    public static long heartbeatGapMs(List<RunResult.Heartbeat> heartbeats, long fromMs, long toMs) {
        return longestGapMs(heartbeats.stream().map(RunResult.Heartbeat::hostMs).toList(), fromMs, toMs);
    }

    /**
     * The mean workload write rate the heartbeats with a host time in {@code [fromMs, toMs]} report,
     * NaN when there are none: "no data" is not "no writes".
     */
    public static double meanWriteMibps(List<RunResult.Heartbeat> heartbeats, long fromMs, long toMs) {
        return heartbeats.stream()
                .filter(h -> h.hostMs() >= fromMs && h.hostMs() <= toMs)
                .mapToDouble(RunResult.Heartbeat::writeMibps)
                .average()
                .orElse(Double.NaN);
    }
}
