package io.livemig.common.access;

import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** A certificate subject's identity: its CN (pki.sh issues CN=NAME). */
public final class Identities {

    private Identities() {
    }

    /** The CN of an RFC 2253 distinguished name ("CN=lab-a,O=x"), or empty when it has none. */
    public static Optional<String> commonName(String distinguishedName) {
        try {
            LdapName name = new LdapName(distinguishedName);
            // The most specific RDN comes last in LdapName's order.
            for (int i = name.size() - 1; i >= 0; i--) {
                Rdn rdn = name.getRdn(i);
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(String.valueOf(rdn.getValue()));
                }
            }
            return Optional.empty();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }
}
