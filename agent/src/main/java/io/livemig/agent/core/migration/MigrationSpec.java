package io.livemig.agent.core.migration;

import io.livemig.agent.core.MigrationFlags;
import java.util.List;
import java.util.Objects;

/**
 * Everything the hypervisor needs to start one migration (virDomainMigrate3's parameters).
 *
 * @param vmName         domain name on the source
 * @param sourceUri      libvirt URI of the source host
 * @param destinationUri libvirt URI of the destination host
 * @param migrateUri     where QEMU sends the migration stream, e.g. tcp:10.0.0.2
 * @param destinationXml domain XML for the destination (resource rebinding), null to keep it
 * @param persistentXml  persistent definition for the destination, null to keep the source's
 * @param launch         flags, downtime, bandwidth, compression and connections to start with
 * @param migrateDisks   disks (target device names) on local storage to copy with the VM
 *                       (VIR_MIGRATE_PARAM_MIGRATE_DISKS, with the NON_SHARED_DISK flag)
 */
public record MigrationSpec(
        String vmName,
        String sourceUri,
        String destinationUri,
        String migrateUri,
        String destinationXml,
        String persistentXml,
        LaunchPlan launch,
        List<String> migrateDisks) {

    /** Compression of the migration stream. */
    public enum Compression {
        NONE,
        /** XBZRLE: sends deltas of pages that were sent before (helps with repeated dirtying). */
        XBZRLE,
        /** zstd over multifd (parallel connections). */
        ZSTD
    }

    public MigrationSpec {
        Objects.requireNonNull(vmName, "vmName");
        Objects.requireNonNull(sourceUri, "sourceUri");
        Objects.requireNonNull(destinationUri, "destinationUri");
        Objects.requireNonNull(launch, "launch");
        migrateDisks = migrateDisks == null ? List.of() : List.copyOf(migrateDisks);
    }

    /** A migration with its launch settings given one by one. */
    public MigrationSpec(String vmName, String sourceUri, String destinationUri, String migrateUri,
            MigrationFlags flags, String destinationXml, String persistentXml, long bandwidthMiBps,
            long maxDowntimeMs, Compression compression, int parallelConnections, List<String> migrateDisks) {
        this(vmName, sourceUri, destinationUri, migrateUri, destinationXml, persistentXml,
                LaunchPlan.of(flags, maxDowntimeMs, bandwidthMiBps, compression, parallelConnections), migrateDisks);
    }

    /** A migration that copies no disks (they are on shared storage, or there are none). */
    public MigrationSpec(String vmName, String sourceUri, String destinationUri, String migrateUri,
            MigrationFlags flags, String destinationXml, String persistentXml, long bandwidthMiBps,
            long maxDowntimeMs, Compression compression, int parallelConnections) {
        this(vmName, sourceUri, destinationUri, migrateUri, flags, destinationXml, persistentXml, bandwidthMiBps,
                maxDowntimeMs, compression, parallelConnections, List.of());
    }

    public MigrationFlags flags() {
        return launch.flags();
    }

    public long bandwidthMiBps() {
        return launch.bandwidthMiBps();
    }

    public long maxDowntimeMs() {
        return launch.maxDowntimeMs();
    }

    public Compression compression() {
        return launch.compression();
    }

    public int parallelConnections() {
        return launch.parallelConnections();
    }
}
