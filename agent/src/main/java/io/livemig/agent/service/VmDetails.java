package io.livemig.agent.service;

import io.livemig.agent.core.VmInfo;
import java.util.List;

/**
 * A VM, the host-local resources it is bound to, and its load.
 *
 * @param cpuUtilisation 0..1 of its vCPUs over the agent's last sampling interval
 * @param dirtyRateBytesPerSec memory dirtied per second as last measured, 0 if not measured
 */
public record VmDetails(VmInfo vm, List<BindingView> bindings, double cpuUtilisation, long dirtyRateBytesPerSec,
        long ramHeldBytes) {

    /** One binding, for display: kind (nic, disk, ...), device, resource. */
    public record BindingView(String kind, String device, String resource) {}
}
