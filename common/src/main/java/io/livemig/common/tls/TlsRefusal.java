package io.livemig.common.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXReason;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Why a TLS handshake failed, in words, from the exceptions under a failed call: what the other
 * side said (its TLS alert: certificate expired, unknown CA, no client certificate) or what this
 * side found wrong with the other's certificate. Netty and OpenSSL name these with class names and
 * error codes ({@code ReferenceCountedOpenSslEngine$OpenSslException: error:10000415:...
 * SSLV3_ALERT_CERTIFICATE_EXPIRED}); a person reads "the orchestrator at 10.0.0.5:7080 refused
 * this client's certificate: it has expired (certificate expired)".
 */
public final class TlsRefusal {

    /** OpenSSL's name of a TLS alert received from the peer, e.g. SSLV3_ALERT_CERTIFICATE_EXPIRED. */
    private static final Pattern ALERT = Pattern.compile("\\b(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)\\b");

    private TlsRefusal() {
    }

    /**
     * The reason, one line without class names, or null when {@code failure} is not a TLS
     * handshake failure. {@code peer} names the other side ("the orchestrator at HOST:PORT",
     * "the agent of lab-a"), {@code self} this side ("this client").
     */
    public static String describe(Throwable failure, String peer, String self) {
        boolean tls = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException
                    || t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return "the certificate of " + peer + " has expired (certificate expired)";
            }
            if (t instanceof CertificateNotYetValidException
                    || t instanceof CertPathValidatorException v && v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return "the certificate of " + peer + " is not valid yet (check both clocks)";
            }
            if (unknownIssuer(t)) {
                return "the certificate of " + peer + " is not signed by the CA " + self + " trusts (unknown CA)";
            }
            String message = t.getMessage();
            if (message != null) {
                Matcher alert = ALERT.matcher(message);
                if (alert.find()) {
                    return alert(alert.group(1), peer, self);
                }
                if (message.contains("No subject alternative") || message.contains("No name matching")) {
                    return "the certificate of " + peer + " does not name the address dialled (not in its subjectAltName)";
                }
            }
            tls |= t instanceof SSLException;
        }
        return tls ? "the TLS handshake with " + peer + " failed" : null;
    }

    /**
     * Whether {@code t} is the JDK's refusal of a certificate chain that leads to no trusted CA:
     * no path could be built, or the path found ends at no trust anchor.
     */
    static boolean unknownIssuer(Throwable t) {
        return t instanceof CertPathBuilderException
                || t instanceof CertPathValidatorException v && v.getReason() == PKIXReason.NO_TRUST_ANCHOR;
    }

    /** What an alert from the peer says about this side's certificate. */
    private static String alert(String name, String peer, String self) {
        return switch (name) {
            case "CERTIFICATE_EXPIRED" -> peer + " refused " + self + "'s certificate: it has expired (certificate expired)";
            case "UNKNOWN_CA" -> peer + " does not trust the CA that signed " + self + "'s certificate (unknown CA)";
            case "CERTIFICATE_REQUIRED" -> peer + " requires a client certificate (no client certificate)";
            case "CERTIFICATE_REVOKED" -> peer + " refused " + self + "'s certificate: it was revoked";
            case "BAD_CERTIFICATE", "CERTIFICATE_UNKNOWN", "UNSUPPORTED_CERTIFICATE" ->
                    peer + " refused " + self + "'s certificate (TLS alert: " + words(name) + ")";
            default -> peer + " refused the handshake (TLS alert: " + words(name) + ")";
        };
    }

    private static String words(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
