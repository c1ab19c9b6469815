package io.livemig.agent.service;

/** The other hosts' agents, as the source of a migration talks to the target's. */
public interface PeerAgents {

    /** Asks the target agent to validate, plan and reserve an incoming migration. */
    Incoming prepareIncoming(String agentAddress, IncomingRequest request) throws AgentException;

    /** Releases a reservation (after the migration ended, or when it never started). */
    void releaseIncoming(String agentAddress, String reservationId) throws AgentException;
}
