package io.livemig.cli.client;

import io.livemig.agent.core.migration.MigrationSpec;
import io.livemig.common.predict.Objective;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.proto.agent.v1.AutoObjective;
import io.livemig.proto.agent.v1.Compression;
import io.livemig.proto.orchestrator.v1.HostState;
import io.livemig.proto.orchestrator.v1.MigrationState;

/**
 * The domain's compression, auto's objective, migration states and host states as the gRPC APIs name them: the CLI
 * speaks the domain enums up to the call (as {@link ProtoModes} does for copy modes).
 */
public final class ProtoChoices {

    private ProtoChoices() {
    }

    public static Compression of(MigrationSpec.Compression compression) {
        return switch (compression) {
            case NONE -> Compression.COMPRESSION_NONE;
            case XBZRLE -> Compression.COMPRESSION_XBZRLE;
            case ZSTD -> Compression.COMPRESSION_ZSTD;
        };
    }

    public static AutoObjective of(Objective objective) {
        return switch (objective) {
            case SAFE -> AutoObjective.AUTO_OBJECTIVE_SAFE;
            case FASTEST -> AutoObjective.AUTO_OBJECTIVE_FASTEST;
        };
    }

    public static MigrationState of(RecordState state) {
        return switch (state) {
            case REQUESTED -> MigrationState.MIGRATION_STATE_REQUESTED;
            case PLANNED -> MigrationState.MIGRATION_STATE_PLANNED;
            case RUNNING -> MigrationState.MIGRATION_STATE_RUNNING;
            case SUCCEEDED -> MigrationState.MIGRATION_STATE_SUCCEEDED;
            case FAILED -> MigrationState.MIGRATION_STATE_FAILED;
            case ABORTED -> MigrationState.MIGRATION_STATE_ABORTED;
        };
    }

    public static HostState of(HostAvailability state) {
        return switch (state) {
            case UP -> HostState.HOST_STATE_UP;
            case DOWN -> HostState.HOST_STATE_DOWN;
            case DRAINING -> HostState.HOST_STATE_DRAINING;
            case MAINTENANCE -> HostState.HOST_STATE_MAINTENANCE;
        };
    }
}
