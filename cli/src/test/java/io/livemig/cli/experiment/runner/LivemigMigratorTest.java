package io.livemig.cli.experiment.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.StartMigrationRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class LivemigMigratorTest {

    @Test
    void theRecordedCommandIsEveryFieldOfTheRequestAsSent() {
        StartMigrationRequest request = StartMigrationRequest.newBuilder().setVmName("exp-classic")
                .setTargetAgent("10.0.0.2:7701").setOptions(MigrationOptions.newBuilder()
                        .setMode(MigrationMode.MIGRATION_MODE_PRECOPY).setMaxDowntimeMs(300).setBandwidthMibps(32)
                        .setTimeoutS(45))
                .build();
        assertEquals(List.of("StartMigration", "vm_name=exp-classic", "target_agent=10.0.0.2:7701",
                "options.mode=MIGRATION_MODE_PRECOPY", "options.max_downtime_ms=300", "options.bandwidth_mibps=32",
                "options.timeout_s=45"), LivemigMigrator.describe(request));
    }

    @Test
    void autoSendsItsObjectiveAndNoOtherModeOne() {
        assertEquals(List.of("StartMigration", "vm_name=exp-advice", "target_agent=10.0.0.2:7701",
                "options.mode=MIGRATION_MODE_AUTO", "options.max_downtime_ms=300", "options.bandwidth_mibps=32",
                "options.timeout_s=120", "options.objective=AUTO_OBJECTIVE_FASTEST"),
                LivemigMigrator.describe(LivemigMigrator.request("exp-advice", "10.0.0.2:7701", "auto", 32, 300, 120,
                        "fastest")));
        assertEquals(List.of("StartMigration", "vm_name=exp-advice", "target_agent=10.0.0.2:7701",
                "options.mode=MIGRATION_MODE_AUTO", "options.objective=AUTO_OBJECTIVE_SAFE"),
                LivemigMigrator.describe(LivemigMigrator.request("exp-advice", "10.0.0.2:7701", "auto", 0, 0, 0, "safe")));
        assertEquals(List.of("StartMigration", "vm_name=exp-advice", "target_agent=10.0.0.2:7701",
                "options.mode=MIGRATION_MODE_STOPCOPY", "options.timeout_s=120"),
                LivemigMigrator.describe(LivemigMigrator.request("exp-advice", "10.0.0.2:7701", "stopcopy", 0, 0, 120, "")));
    }

    @Test
    void fieldsLeftAtTheirDefaultAreNotSentSoNotListed() {
        StartMigrationRequest request = StartMigrationRequest.newBuilder().setVmName("vm").setTargetAgent("t:1")
                .setOptions(MigrationOptions.newBuilder().setMode(MigrationMode.MIGRATION_MODE_POSTCOPY)).build();
        assertEquals(List.of("StartMigration", "vm_name=vm", "target_agent=t:1", "options.mode=MIGRATION_MODE_POSTCOPY"),
                LivemigMigrator.describe(request));
    }
}
