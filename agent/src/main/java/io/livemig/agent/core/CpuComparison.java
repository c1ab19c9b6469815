package io.livemig.agent.core;

/**
 * What a host's hypervisor says of a guest CPU definition (virConnectCompareHypervisorCPU).
 *
 * @param verdict whether the hypervisor can give the guest that CPU
 * @param detail  libvirt's explanation when incompatible (the missing features), else a short phrase
 */
public record CpuComparison(Verdict verdict, String detail) {

    public enum Verdict {
        /** The hypervisor's CPU is the guest's CPU. */
        IDENTICAL,
        /** The hypervisor's CPU offers all the guest's CPU needs, and more. */
        SUPERSET,
        /** The guest's CPU needs something the hypervisor cannot give. */
        INCOMPATIBLE
    }

    public boolean compatible() {
        return verdict != Verdict.INCOMPATIBLE;
    }
}
