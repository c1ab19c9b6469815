package io.livemig.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.PKIXReason;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The failures as Netty and the JDK report them, and the words an operator reads instead. */
class TlsRefusalTest {

    private static final String PEER = "the orchestrator at 10.0.0.5:7080";

    private static String describe(Throwable t) {
        return TlsRefusal.describe(t, PEER, "this client");
    }

    /** What the issue quoted: OpenSSL's alert from the server, under Netty's class name. */
    @Test
    void anAlertFromThePeerIsSaidInWords() {
        SSLException expired = new SSLException("io.grpc.netty.shaded.io.netty.handler.ssl.ReferenceCountedOpenSslEngine"
                + "$OpenSslException: error:10000415:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_EXPIRED");
        assertEquals(PEER + " refused this client's certificate: it has expired (certificate expired)",
                describe(new IOException("ssl exception", expired)));
        assertEquals(PEER + " does not trust the CA that signed this client's certificate (unknown CA)",
                describe(new SSLException("error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA")));
        assertEquals(PEER + " requires a client certificate (no client certificate)",
                describe(new SSLException("error:1000045c:SSL routines:OPENSSL_internal:TLSV13_ALERT_CERTIFICATE_REQUIRED")));
        assertEquals(PEER + " refused the handshake (TLS alert: internal error)",
                describe(new SSLException("error:10000438:SSL routines:OPENSSL_internal:TLSV1_ALERT_INTERNAL_ERROR")));
    }

    @Test
    void whatThisSideFoundWrongWithThePeersCertificate() {
        CertificateException pkix = new CertificateException("PKIX path building failed",
                new CertPathBuilderException("unable to find valid certification path to requested target"));
        assertEquals("the certificate of " + PEER + " is not signed by the CA this client trusts (unknown CA)",
                describe(new SSLHandshakeException("General OpenSslEngine problem") {
                    {
                        initCause(pkix);
                    }
                }));
        CertificateException noAnchor = new CertificateException("PKIX path validation failed",
                new CertPathValidatorException("Path does not chain with any of the trust anchors", null, null, -1,
                        PKIXReason.NO_TRUST_ANCHOR));
        assertEquals("the certificate of " + PEER + " is not signed by the CA this client trusts (unknown CA)",
                describe(new SSLException("General OpenSslEngine problem", noAnchor)));
        assertEquals("the certificate of " + PEER + " has expired (certificate expired)",
                describe(new SSLException("handshake", new CertificateException("validity", new CertificateExpiredException()))));
        assertEquals("the certificate of " + PEER + " does not name the address dialled (not in its subjectAltName)",
                describe(new SSLException(new CertificateException("No subject alternative names matching IP address "
                        + "10.0.0.5 found"))));
    }

    @Test
    void aTlsFailureWithNothingMoreToSayStillNamesThePeer() {
        assertEquals("the TLS handshake with " + PEER + " failed", describe(new SSLException("closed")));
    }

    @Test
    void anythingElseIsNotATlsFailure() {
        assertNull(describe(new IOException("Connection refused")));
        assertNull(describe(null));
    }
}
