package io.livemig.agent.core.rebind;

/**
 * The domain XML handed to the planner cannot be used: not well-formed, carries a DOCTYPE (refused
 * so that no entity can be expanded), is not a {@code <domain>}, lacks its name or UUID, or has a
 * value the planner must interpret but cannot (a cpuset, a vCPU number).
 *
 * <p>The message is one line, fit to show to an operator as is.
 */
public final class InvalidDomainXmlException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidDomainXmlException(String message) {
        super(oneLine(message));
    }

    public InvalidDomainXmlException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    private static String oneLine(String message) {
        return message == null ? "invalid domain XML" : message.replaceAll("\\s+", " ").strip();
    }
}
