package io.livemig.agent.core;

/** How a host virtualises guests. */
public enum DomainType {
    /** Hardware-assisted: libvirt domain type "kvm". */
    KVM,
    /** Emulated by QEMU's TCG: libvirt domain type "qemu". */
    QEMU,
    /** Neither is offered for the host's architecture. */
    UNKNOWN
}
