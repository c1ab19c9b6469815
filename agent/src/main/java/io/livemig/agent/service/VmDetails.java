package io.livemig.agent.service;

import io.livemig.agent.core.VmInfo;
import java.util.List;

/** A VM and the host-local resources it is bound to. */
public record VmDetails(VmInfo vm, List<BindingView> bindings) {

    /** One binding, for display: kind (nic, disk, ...), device, resource. */
    public record BindingView(String kind, String device, String resource) {}
}
