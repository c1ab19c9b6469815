package io.livemig.orchestrator.service;

/** A request the orchestrator refuses; the code maps to a gRPC status. */
public final class OrchestratorException extends Exception {

    public enum Code { INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, UNAVAILABLE }

    private final Code code;

    public OrchestratorException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
