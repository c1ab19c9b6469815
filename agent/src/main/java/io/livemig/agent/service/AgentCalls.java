package io.livemig.agent.service;

import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.service.AgentException.Code;
import io.livemig.common.input.Inputs;
import java.util.Optional;

/** The checks and the error mapping every part of the agent's service applies the same way. */
final class AgentCalls {

    private AgentCalls() {
    }

    static void requireVmName(String name) throws AgentException {
        invalidIf(Inputs.vmName(name));
    }

    static void invalidIf(Optional<String> problem) throws AgentException {
        if (problem.isPresent()) {
            throw new AgentException(Code.INVALID_ARGUMENT, problem.get());
        }
    }

    @FunctionalInterface
    interface HvCall<T> {
        T call() throws HypervisorException;
    }

    /** Runs a hypervisor call; a failure becomes the agent's error, naming the host {@code hostName}. */
    static <T> T hv(String hostName, HvCall<T> call) throws AgentException {
        try {
            return call.call();
        } catch (HypervisorException e) {
            Code code = switch (e.reason()) {
                case HOST_UNAVAILABLE -> Code.UNAVAILABLE;
                case VM_NOT_FOUND -> Code.NOT_FOUND;
                case INVALID_REQUEST -> Code.FAILED_PRECONDITION;
                case UNSUPPORTED -> Code.FAILED_PRECONDITION;
                case OPERATION_FAILED -> Code.FAILED_PRECONDITION;
            };
            throw new AgentException(code, hostName + ": " + e.getMessage(), e);
        }
    }
}
