package io.livemig.agent.service;

/**
 * A request the agent refuses or cannot carry out, with a code the transport maps to its own
 * status (gRPC: the code of the same name) and a one-line message for people.
 */
public final class AgentException extends Exception {

    public enum Code {
        INVALID_ARGUMENT,
        NOT_FOUND,
        ALREADY_EXISTS,
        FAILED_PRECONDITION,
        RESOURCE_EXHAUSTED,
        UNAVAILABLE,
        INTERNAL
    }

    private final Code code;

    public AgentException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public AgentException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
