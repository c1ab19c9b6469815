package io.livemig.common.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * This process's certificate and key as the JDK's key manager, for gRPC's TLS credentials.
 *
 * <p>Handing gRPC the two files instead makes Netty put the key into an in-memory PKCS#12 store,
 * whose key protection (PBKDF2, 10,000 rounds, once to store and once to read back) cost a short
 * client command a noticeable part of its start. The key never leaves this process here, so it
 * goes into an in-memory JKS store, whose protection is a single hash, under a throwaway
 * password; the JDK's SunX509 key manager serves it from there.
 */
final class KeyManagers {

    private static final String ALIAS = "livemig";
    private static final char[] IN_MEMORY = "in-memory only".toCharArray();

    private KeyManagers() {
    }

    static KeyManager[] of(Path cert, Path key) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = PemFiles.certificates(cert);
        PrivateKey privateKey = PemFiles.privateKey(key);
        KeyStore store = KeyStore.getInstance("JKS");
        store.load(null, null);
        store.setKeyEntry(ALIAS, privateKey, IN_MEMORY, chain.toArray(new Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance("SunX509");
        factory.init(store, IN_MEMORY);
        return factory.getKeyManagers();
    }
}
