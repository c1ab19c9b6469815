package io.livemig.orchestrator.service;

/** An agent call failed; {@link #refused()} when the agent answered no, not when it was unreachable. */
public final class AgentCallException extends Exception {

    private final boolean refused;

    public AgentCallException(String message, boolean refused, Throwable cause) {
        super(message, cause);
        this.refused = refused;
    }

    public boolean refused() {
        return refused;
    }
}
