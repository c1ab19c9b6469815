package io.livemig.cli.command;

import io.livemig.orchestrator.placement.HostAvailability;
import java.util.List;

/**
 * host-state's STATE: up, draining or maintenance, the orchestrator's {@link HostAvailability};
 * down is decided by health checks, not set.
 */
final class HostStateOption extends EnumOption<HostAvailability> {

    HostStateOption() {
        super(List.of(HostAvailability.UP, HostAvailability.DRAINING, HostAvailability.MAINTENANCE));
    }
}
