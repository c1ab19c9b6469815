package io.livemig.agent.core.policy;

import java.util.Objects;

/**
 * One steering call on a running migration (a {@code MigrationJob} method), with the reason the
 * policy had for it. "Do nothing" is an empty list of actions. An operator's downtime or
 * bandwidth was checked where the request entered the agent; the policy's own come from its
 * settings.
 */
public sealed interface Action {

    /** Why, in words fit for a log and the migration report. */
    String reason();

    /** virDomainMigrateSetMaxDowntime. */
    record SetMaxDowntime(long downtimeMs, String reason) implements Action {
        public SetMaxDowntime {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** virDomainMigrateSetMaxSpeed; 0 is unlimited. */
    record SetBandwidth(long bandwidthMiBps, String reason) implements Action {
        public SetBandwidth {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Take {@code percent} of the guest's CPU time away. */
    record Throttle(int percent, String reason) implements Action {
        public Throttle {
            Objects.requireNonNull(reason, "reason");
            if (percent < 0 || percent > 99) {
                throw new IllegalArgumentException("percent must be 0..99: " + percent);
            }
        }
    }

    /** virDomainMigrateStartPostCopy. */
    record StartPostCopy(String reason) implements Action {
        public StartPostCopy {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Pause the guest on the source; it resumes on the destination. */
    record SuspendSource(String reason) implements Action {
        public SuspendSource {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** virDomainAbortJob. */
    record Abort(String reason) implements Action {
        public Abort {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
