package io.livemig.agent.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;

/**
 * What to migrate, where, and how.
 *
 * @param vmName         the domain's name on the source
 * @param sourceUri      libvirt URI of the source host, e.g. qemu+tcp://10.0.0.1/system
 * @param destinationUri libvirt URI of the destination host
 * @param migrateUri     where the source hypervisor sends migration data, e.g. tcp:10.0.0.2;
 *                       null lets libvirt use the name the destination advertises
 * @param flags          libvirt migration flags
 * @param bandwidthMiBps bandwidth limit, 0 for libvirt's default
 * @param pollInterval   how often job statistics are read while the migration runs
 */
public record MigrationRequest(
        String vmName,
        String sourceUri,
        String destinationUri,
        String migrateUri,
        MigrationFlags flags,
        long bandwidthMiBps,
        Duration pollInterval) {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(250);

    public MigrationRequest {
        requireText(vmName, "VM name");
        requireText(sourceUri, "source URI");
        requireText(destinationUri, "destination URI");
        if (migrateUri != null && (migrateUri.isBlank() || migrateUri.indexOf(':') < 1)) {
            throw new IllegalArgumentException(
                    "migration URI must look like tcp:<address>[:port], got '" + migrateUri + "'");
        }
        if (sourceUri.equals(destinationUri)) {
            throw new IllegalArgumentException("source and destination are the same: " + sourceUri);
        }
        if (flags == null) {
            throw new IllegalArgumentException("flags are required");
        }
        if (bandwidthMiBps < 0) {
            throw new IllegalArgumentException("bandwidth must be >= 0 MiB/s, got " + bandwidthMiBps);
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("poll interval must be positive, got " + pollInterval);
        }
    }

    /**
     * A live move (see {@link MigrationFlags#liveMove()}) polled every 250 ms. Without an explicit
     * migration URI, data goes to the host named in the destination URI, because libvirt would
     * otherwise use the destination's own hostname, which other hosts may not resolve.
     */
    public static MigrationRequest liveMove(String vmName, String sourceUri, String destinationUri, String migrateUri) {
        String dataUri = migrateUri != null ? migrateUri : defaultMigrateUri(destinationUri).orElse(null);
        return new MigrationRequest(vmName, sourceUri, destinationUri, dataUri,
                MigrationFlags.liveMove(), 0, DEFAULT_POLL_INTERVAL);
    }

    /** The same request with a bandwidth limit (0: libvirt's default). */
    public MigrationRequest withBandwidthMiBps(long limitMiBps) {
        return new MigrationRequest(vmName, sourceUri, destinationUri, migrateUri, flags, limitMiBps, pollInterval);
    }

    /** "tcp:HOST" for a libvirt URI naming a host (qemu+tcp://HOST/system), empty for local URIs. */
    public static Optional<String> defaultMigrateUri(String libvirtUri) {
        if (libvirtUri == null) {
            return Optional.empty();
        }
        try {
            String host = new URI(libvirtUri).getHost();
            if (host == null || host.isEmpty()) {
                return Optional.empty();
            }
            // URI.getHost() keeps the brackets of an IPv6 literal, which is what tcp: expects.
            return Optional.of("tcp:" + host);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is required");
        }
    }
}
