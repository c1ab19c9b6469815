package io.livemig.cli.client;

import io.livemig.agent.core.policy.CopyMode;
import io.livemig.proto.agent.v1.MigrationMode;

/** The domain's copy modes as the agents' API names them: the CLI speaks CopyMode up to the call. */
public final class ProtoModes {

    private ProtoModes() {
    }

    public static MigrationMode of(CopyMode mode) {
        return switch (mode) {
            case PRECOPY -> MigrationMode.MIGRATION_MODE_PRECOPY;
            case STOPCOPY -> MigrationMode.MIGRATION_MODE_STOPCOPY;
            case POSTCOPY -> MigrationMode.MIGRATION_MODE_POSTCOPY;
            case AUTO -> MigrationMode.MIGRATION_MODE_AUTO;
        };
    }
}
