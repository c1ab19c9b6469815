package io.livemig.agent.core;

/** libvirt's {@code virDomainState}. */
public enum DomainState {
    NO_STATE,
    RUNNING,
    BLOCKED,
    PAUSED,
    SHUTTING_DOWN,
    SHUT_OFF,
    CRASHED,
    PM_SUSPENDED;

    /** Maps libvirt's raw value (VIR_DOMAIN_NOSTATE = 0 ... VIR_DOMAIN_PMSUSPENDED = 7). */
    public static DomainState fromLibvirt(int raw) {
        DomainState[] all = values();
        return raw >= 0 && raw < all.length ? all[raw] : NO_STATE;
    }
}
