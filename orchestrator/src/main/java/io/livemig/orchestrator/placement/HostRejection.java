package io.livemig.orchestrator.placement;

/** A host that cannot take the VM, with the first failed check and one sentence explaining it. */
public record HostRejection(String host, RejectReason reason, String explanation) {}
