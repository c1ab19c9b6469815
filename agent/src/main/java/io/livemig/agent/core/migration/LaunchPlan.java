package io.livemig.agent.core.migration;

import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.migration.MigrationSpec.Compression;
import io.livemig.agent.core.policy.CompressionChoice;
import io.livemig.agent.core.policy.CopyMode;
import io.livemig.agent.core.policy.PolicySettings;
import java.util.Objects;

/**
 * What a migration starts with, decided once before it starts: the hypervisor applies all of it
 * at the start, and afterwards only the policy's steering changes the downtime or the bandwidth.
 * The values were checked where they entered the agent; nothing here checks them again.
 *
 * @param flags               libvirt migration flags (LIVE or not, POSTCOPY, AUTO_CONVERGE, ...)
 * @param maxDowntimeMs       allowed downtime at the start, 0 for libvirt's default (300 ms)
 * @param bandwidthMiBps      bandwidth limit at the start, 0 for unlimited
 * @param compression         compression of the stream (QEMU cannot change it later)
 * @param compressionReason   why that compression, in words
 * @param parallelConnections multifd connections, 0 or 1 for a single stream
 */
public record LaunchPlan(
        MigrationFlags flags,
        long maxDowntimeMs,
        long bandwidthMiBps,
        Compression compression,
        String compressionReason,
        int parallelConnections) {

    /**
     * What the target side adds to the flags.
     *
     * @param copiesDisks           disks on local storage are copied with the VM (NON_SHARED_DISK)
     * @param declaredSharedStorage a disk is on storage the cluster file declares shared, which
     *                              libvirt cannot know to be shared (UNSAFE)
     * @param tls                   the migration stream goes over TLS
     */
    public record Target(boolean copiesDisks, boolean declaredSharedStorage, boolean tls) {}

    public LaunchPlan {
        Objects.requireNonNull(flags, "flags");
        compression = compression == null ? Compression.NONE : compression;
        compressionReason = compressionReason == null ? "" : compressionReason;
    }

    /** Settings given directly, without a policy (libvirt's one-call migration, tests). */
    public static LaunchPlan of(MigrationFlags flags, long maxDowntimeMs, long bandwidthMiBps, Compression compression,
            int parallelConnections) {
        return new LaunchPlan(flags, maxDowntimeMs, bandwidthMiBps, compression, "given", parallelConnections);
    }

    /**
     * The launch of a migration in {@code mode} under {@code settings}: the downtime, bandwidth and
     * connections of the settings, the compression chosen from them and the link (QEMU fixes it at
     * the start), and the flags the mode, the settings and the target need.
     *
     * @param autoConverge the caller asked for QEMU's auto-convergence
     */
    public static LaunchPlan of(CopyMode mode, boolean autoConverge, PolicySettings settings, Target target) {
        MigrationFlags flags = MigrationFlags.of(MigrationFlag.PERSIST_DEST, MigrationFlag.UNDEFINE_SOURCE);
        if (mode.isLive()) {
            flags = flags.with(MigrationFlag.LIVE);
        }
        if (mode.needsPostcopyFlag(settings)) {
            flags = flags.with(MigrationFlag.POSTCOPY);
        }
        // auto throttles through QEMU's auto-converge, which can only be enabled at the start.
        if (autoConverge || mode == CopyMode.AUTO && settings.throttleAllowed()) {
            flags = flags.with(MigrationFlag.AUTO_CONVERGE);
        }
        if (target.copiesDisks()) {
            flags = flags.with(MigrationFlag.NON_SHARED_DISK);
        }
        // libvirt trusts only file systems it knows to be shared (NFS, GlusterFS, ...). Storage the
        // cluster file declares shared (the same storage mounted on every host) is shared too.
        if (target.declaredSharedStorage()) {
            flags = flags.with(MigrationFlag.UNSAFE);
        }
        if (target.tls()) {
            flags = flags.with(MigrationFlag.TLS);
        }
        // Compression is fixed when the migration starts: decided now, from the knobs and the link.
        CompressionChoice compression = CompressionChoice.chooseCompression(mode, settings, -1);
        return new LaunchPlan(flags, settings.maxDowntimeMs(), settings.bandwidthMiBps(), compression.compression(),
                compression.reason(), settings.parallelConnections());
    }
}
