package io.livemig.agent.service;

/** The other hosts' agents, as the source of a migration talks to the target's. */
public interface PeerAgents {

    /** Asks the target agent to validate, plan and reserve an incoming migration. */
    Incoming prepareIncoming(String agentAddress, IncomingRequest request) throws AgentException;

    /**
     * Releases a reservation (after the migration ended, or when it never started). Returns whether
     * the target removed the definition of the migration's VM that had died there.
     */
    boolean releaseIncoming(String agentAddress, String reservationId) throws AgentException;
}
