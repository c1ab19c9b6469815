package io.livemig.orchestrator.service;

/**
 * An agent call failed; {@link #refused()} when the agent answered no, not when it was
 * unreachable, and {@link #notFound()} when its no was that it does not know what was named.
 */
public final class AgentCallException extends Exception {

    private final boolean refused;
    private final boolean notFound;

    public AgentCallException(String message, boolean refused, Throwable cause) {
        this(message, refused, false, cause);
    }

    public AgentCallException(String message, boolean refused, boolean notFound, Throwable cause) {
        super(message, cause);
        this.refused = refused || notFound;
        this.notFound = notFound;
    }

    public boolean refused() {
        return refused;
    }

    public boolean notFound() {
        return notFound;
    }
}
