package io.livemig.common.access;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call what on one livemig server, once TLS has established that the caller holds a
 * certificate from the CA. Its identity is the certificate's CN.
 *
 * <ul>
 *   <li>{@link Access#READ} methods, and every method of other services (health, reflection):
 *       any identity;
 *   <li>{@link Access#CONTROL} methods: the identities in {@code allow};
 *   <li>{@link Access#INCOMING} methods: {@code allow} and the {@code peers} (other agents).
 * </ul>
 *
 * A method of the guarded service that the table does not classify is refused to everyone, so a
 * new RPC is closed until someone decides who may call it.
 *
 * @param where   what the server is, for the refusal ("agent lab-a", "the orchestrator")
 * @param service the guarded service's full name (livemig.agent.v1.AgentService)
 * @param methods the guarded service's methods by bare name
 */
public record AccessPolicy(String where, String service, Map<String, Access> methods, Set<String> allow,
        Set<String> peers) {

    public enum Access { READ, CONTROL, INCOMING }

    public AccessPolicy {
        methods = Map.copyOf(methods);
        allow = Set.copyOf(allow);
        peers = Set.copyOf(peers);
    }

    /** A service's method table from its methods grouped by access; a method in two groups is a mistake. */
    public static Map<String, Access> methods(Map<Access, List<String>> byAccess) {
        Map<String, Access> methods = new HashMap<>();
        byAccess.forEach((access, names) -> names.forEach(name -> {
            if (methods.put(name, access) != null) {
                throw new IllegalArgumentException(name + " is classified twice");
            }
        }));
        return Map.copyOf(methods);
    }

    /** Why {@code identity} may not call {@code service/method}, or empty when it may. */
    public Optional<String> refusal(String identity, String service, String method) {
        if (!this.service.equals(service)) {
            return Optional.empty();
        }
        Access access = methods.get(method);
        boolean allowed = access != null && switch (access) {
            case READ -> true;
            case CONTROL -> allow.contains(identity);
            case INCOMING -> allow.contains(identity) || peers.contains(identity);
        };
        return allowed ? Optional.empty()
                : Optional.of("identity '" + identity + "' may not call " + method + " on " + where);
    }
}
