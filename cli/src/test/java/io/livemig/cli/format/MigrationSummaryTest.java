package io.livemig.cli.format;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.proto.orchestrator.v1.Migration;
import io.livemig.proto.orchestrator.v1.MigrationState;
import org.junit.jupiter.api.Test;

class MigrationSummaryTest {

    /** AUTO's plan, first in the history's steps, is shown as the plan with its objective, not as an escalation. */
    @Test
    void theAutoPlanIsShownApartFromTheEscalations() {
        Migration m = Migration.newBuilder().setVm("web1").setState(MigrationState.MIGRATION_STATE_SUCCEEDED)
                .setSource("a").setTarget("b").setModeRequested("auto").setModeUsed("postcopy")
                .addEscalations("0.0 s plan safe: pre-copy does not converge: the guest dirties 48.0 MiB/s and memory "
                        + "is sent at 32.0 MiB/s; post-copy after the first pass")
                .addEscalations("8.6 s postcopy 0: planned before the start (objective safe): ...")
                .build();
        String text = MigrationFormat.summary(m);
        assertTrue(text.contains("\n  plan (objective safe): pre-copy does not converge: the guest dirties 48.0 MiB/s"),
                text);
        assertTrue(text.contains("\n  escalation at 8.6 s postcopy 0: planned before the start (objective safe)"), text);
        assertTrue(!text.contains("escalation at 0.0 s plan"), text);
    }
}
