package io.livemig.agent.core.policy;

import io.livemig.agent.core.migration.MigrationSpec.Compression;
import java.util.Locale;
import java.util.Objects;

/**
 * Whether to compress the migration stream, and why. QEMU fixes compression when the migration
 * starts, so this is decided from what is known then, never from the running job.
 *
 * @param compression the choice
 * @param reason      why, in words
 */
public record CompressionChoice(Compression compression, String reason) {

    /** Below this share of the link, a guest re-dirties too little for XBZRLE's deltas to pay. */
    static final double XBZRLE_MIN_DIRTY_SHARE = 0.10;

    public CompressionChoice {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Compression pays only when the link, not the CPU, is the bottleneck. Uses: the configured
     * compression (an explicit choice always wins), the mode (only AUTO chooses by itself), the
     * link rate ({@code linkMiBps}: configured, or measured by an earlier migration to the same
     * host; 0 = unknown), {@code compressBelowLinkMiBps} (128 MiB/s, about 1 Gbit/s), the number of
     * connections, and the guest's expected dirty rate. Rules, first match wins:
     * <ol>
     *   <li>compression configured: that;</li>
     *   <li>mode is not AUTO: NONE;</li>
     *   <li>link rate unknown: NONE (no evidence the link is the bottleneck);</li>
     *   <li>link >= compressBelowLinkMiBps: NONE (compressing would make the CPU the bottleneck);</li>
     *   <li>slow link, >= 2 connections: ZSTD (multifd threads compress in parallel, and it shrinks
     *       the first pass too);</li>
     *   <li>slow link, one stream, and the guest re-dirties at least 10 % of the link rate (or its
     *       dirty rate is unknown): XBZRLE (re-sent pages go as deltas against a cache);</li>
     *   <li>otherwise NONE (one stream, little re-dirtying: nothing to gain).</li>
     * </ol>
     *
     * @param expectedDirtyRateBytesPerSec the guest's dirty rate if known beforehand (e.g. libvirt's
     *                                     domdirtyrate-calc), negative when unknown
     */
    public static CompressionChoice chooseCompression(CopyMode mode, PolicySettings settings,
            long expectedDirtyRateBytesPerSec) {
        if (settings.compression() != null) {
            return new CompressionChoice(settings.compression(), "configured");
        }
        if (mode != CopyMode.AUTO) {
            return new CompressionChoice(Compression.NONE, "only AUTO chooses compression by itself");
        }
        long link = settings.linkMiBps();
        if (link == 0) {
            return new CompressionChoice(Compression.NONE,
                    "link rate unknown: no sign that the link is the bottleneck");
        }
        if (link >= settings.compressBelowLinkMiBps()) {
            return new CompressionChoice(Compression.NONE, "link of " + link + " MiB/s is fast (>= "
                    + settings.compressBelowLinkMiBps() + "): compressing would make the CPU the bottleneck");
        }
        String slow = "link of " + link + " MiB/s is the bottleneck (< " + settings.compressBelowLinkMiBps() + ")";
        if (settings.parallelConnections() >= 2) {
            return new CompressionChoice(Compression.ZSTD,
                    slow + ": zstd over " + settings.parallelConnections() + " multifd connections");
        }
        double linkBytesPerSec = link * 1048576.0;
        if (expectedDirtyRateBytesPerSec < 0) {
            return new CompressionChoice(Compression.XBZRLE,
                    slow + " and the dirty rate is unknown: XBZRLE sends re-dirtied pages as deltas");
        }
        double share = expectedDirtyRateBytesPerSec / linkBytesPerSec;
        if (share >= XBZRLE_MIN_DIRTY_SHARE) {
            return new CompressionChoice(Compression.XBZRLE, String.format(Locale.ROOT,
                    "%s and the guest re-dirties %.0f%% of it: XBZRLE sends re-dirtied pages as deltas",
                    slow, share * 100));
        }
        return new CompressionChoice(Compression.NONE, String.format(Locale.ROOT,
                "%s, but one stream and the guest re-dirties only %.0f%% of it: nothing to gain",
                slow, share * 100));
    }
}
