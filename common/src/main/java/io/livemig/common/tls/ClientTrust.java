package io.livemig.common.tls;

import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSslCertificateException;
import io.grpc.netty.shaded.io.netty.internal.tcnative.CertificateVerifier;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A server's check of its clients' certificates: the JDK's PKIX trust manager over the CA file,
 * as gRPC would make it, except that a certificate no trusted CA signed is refused with TLS's
 * "unknown CA" alert. Netty's OpenSSL engine turns a trust manager's refusal it has no code for
 * into "internal error", so the client could not tell a certificate from another CA from a
 * server fault; with the X.509 error code OpenSSL itself would use, the client is told
 * {@code unknown CA}. Expired certificates already get "certificate expired".
 */
final class ClientTrust extends X509ExtendedTrustManager {

    private final X509ExtendedTrustManager pkix;

    private ClientTrust(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    static TrustManager[] of(Path ca) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        List<X509Certificate> certificates = PemFiles.certificates(ca);
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("ca-" + i, certificates.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager x509) {
                return new TrustManager[] {new ClientTrust(x509)};
            }
        }
        throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
    }

    /** {@code refused}, or the same refusal with OpenSSL's code for an unknown issuer when it is one. */
    static CertificateException withAlert(CertificateException refused) {
        for (Throwable t = refused; t != null; t = t.getCause()) {
            if (TlsRefusal.unknownIssuer(t)) {
                OpenSslCertificateException unknownCa = new OpenSslCertificateException(
                        "client certificate not signed by a trusted CA",
                        CertificateVerifier.X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
                unknownCa.initCause(refused);
                return unknownCa;
            }
        }
        return refused;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            throw withAlert(e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw withAlert(e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        try {
            pkix.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw withAlert(e);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
