package io.livemig.agent.libvirt;

import io.livemig.agent.core.MigrationFlag;
import io.livemig.agent.core.MigrationFlags;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.agent.core.migration.LaunchPlan;
import io.livemig.agent.core.migration.MigrationSpec;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.TypedIntParameter;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUlongParameter;

/**
 * The typed parameters and flags of one virDomainMigrate3 call, derived from a
 * {@link MigrationSpec}. Pure: no libvirt call, so the mapping is unit-tested.
 *
 * @param params typed parameters, in the order libvirt-domain.h lists them
 * @param flags  VIR_MIGRATE_* bits: the spec's, plus those its compression needs
 */
record Migrate3Call(List<TypedParameter> params, long flags) {

    // VIR_MIGRATE_PARAM_* names from libvirt-domain.h.
    static final String URI = "migrate_uri";
    static final String DEST_XML = "destination_xml";
    static final String PERSIST_XML = "persistent_xml";
    static final String BANDWIDTH = "bandwidth";
    /** VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY (libvirt 5.1): post-copy is otherwise unlimited. */
    static final String BANDWIDTH_POSTCOPY = "bandwidth.postcopy";
    static final String COMPRESSION = "compression";
    static final String PARALLEL_CONNECTIONS = "parallel.connections";
    /** May be given once per disk: the disks (target device names) copied with the VM. */
    static final String MIGRATE_DISKS = "migrate_disks";

    Migrate3Call {
        params = List.copyOf(params);
    }

    /**
     * Maps the spec. Without a migration URI, data goes to the host named in the destination URI
     * (tcp:HOST), because libvirt would otherwise use the destination's own hostname, which the
     * source may not resolve.
     *
     * <p>Compression: XBZRLE sets VIR_MIGRATE_COMPRESSED with method "xbzrle" (single stream only:
     * QEMU's multifd cannot do XBZRLE). ZSTD is a multifd method: VIR_MIGRATE_COMPRESSED +
     * VIR_MIGRATE_PARALLEL with method "zstd", and QEMU's default of 2 channels unless the spec
     * asks for more. More than one connection without compression sets VIR_MIGRATE_PARALLEL.
     *
     * @throws IllegalArgumentException for combinations libvirt or QEMU would refuse
     */
    static Migrate3Call of(MigrationSpec spec) {
        List<TypedParameter> params = new ArrayList<>();
        LaunchPlan launch = spec.launch();
        MigrationFlags flags = launch.flags();
        String uri = spec.migrateUri() != null
                ? spec.migrateUri()
                : MigrationRequest.defaultMigrateUri(spec.destinationUri()).orElse(null);
        if (uri != null) {
            params.add(new TypedStringParameter(URI, uri));
        }
        if (spec.destinationXml() != null) {
            params.add(new TypedStringParameter(DEST_XML, spec.destinationXml()));
        }
        if (spec.persistentXml() != null) {
            params.add(new TypedStringParameter(PERSIST_XML, spec.persistentXml()));
        }
        if (launch.bandwidthMiBps() > 0) {
            params.add(new TypedUlongParameter(BANDWIDTH, launch.bandwidthMiBps()));
            if (flags.has(MigrationFlag.POSTCOPY)) {
                // A limit is meant for the whole migration, not for its pre-copy part only.
                params.add(new TypedUlongParameter(BANDWIDTH_POSTCOPY, launch.bandwidthMiBps()));
            }
        }
        boolean parallel = launch.parallelConnections() > 1 || flags.has(MigrationFlag.PARALLEL);
        switch (launch.compression()) {
            case XBZRLE -> {
                if (parallel) {
                    throw new IllegalArgumentException(
                            "XBZRLE compression works on a single migration stream, not with parallel connections");
                }
                params.add(new TypedStringParameter(COMPRESSION, "xbzrle"));
                flags = flags.with(MigrationFlag.COMPRESSED);
            }
            case ZSTD -> {
                params.add(new TypedStringParameter(COMPRESSION, "zstd"));
                flags = flags.with(MigrationFlag.COMPRESSED).with(MigrationFlag.PARALLEL);
                parallel = true;
            }
            case NONE -> {
                if (parallel) {
                    flags = flags.with(MigrationFlag.PARALLEL);
                }
            }
        }
        if (parallel && launch.parallelConnections() > 1) {
            params.add(new TypedIntParameter(PARALLEL_CONNECTIONS, launch.parallelConnections()));
        }
        for (String disk : spec.migrateDisks()) {
            params.add(new TypedStringParameter(MIGRATE_DISKS, disk));
        }
        return new Migrate3Call(params, flags.toLibvirt());
    }

    /** The parameters as libvirt-java takes them. */
    TypedParameter[] paramArray() {
        return params.toArray(new TypedParameter[0]);
    }
}
