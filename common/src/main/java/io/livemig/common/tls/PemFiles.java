package io.livemig.common.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What gRPC's TLS (Netty) can read, checked before a server or a client starts, so that a file
 * that exists but is not PEM is refused with its name instead of failing later without one:
 * certificates as PEM {@code CERTIFICATE} blocks, the key as one unencrypted PKCS#8
 * {@code PRIVATE KEY} block (RSA, EC or DSA), as scripts/pki.sh makes them. The same rules read
 * them for use ({@link #certificates}, {@link #privateKey}).
 */
final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "DSA");

    private PemFiles() {
    }

    /** Why {@code file} holds no PEM certificate that parses, or null when it holds at least one and all parse. */
    static String certificateProblem(Path file) {
        String text = text(file);
        if (text == null) {
            return "cannot be read";
        }
        Matcher m = BLOCK.matcher(text);
        int certificates = 0;
        while (m.find()) {
            if (!m.group(1).equals("CERTIFICATE")) {
                continue;
            }
            certificates++;
            try {
                CertificateFactory.getInstance("X.509").generateCertificate(
                        new ByteArrayInputStream(decode(m.group(2))));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return "certificate " + certificates + " of the file does not parse (not a valid PEM certificate)";
            }
        }
        return certificates > 0 ? null : "not a PEM certificate (no -----BEGIN CERTIFICATE----- block)";
    }

    /** Why {@code file} holds no unencrypted PKCS#8 PEM private key that parses, or null when it does. */
    static String keyProblem(Path file) {
        String text = text(file);
        if (text == null) {
            return "cannot be read";
        }
        String wanted = "an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----, as scripts/pki.sh makes)";
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            if (type.equals("PRIVATE KEY")) {
                return parsesAsKey(m.group(2)) ? null : "not a valid PEM private key (must be " + wanted + ")";
            }
            if (type.endsWith("PRIVATE KEY")) {
                return "must be " + wanted + ", got -----BEGIN " + type + "-----";
            }
        }
        return "not a PEM private key (must be " + wanted + ")";
    }

    /** The certificates of a file that {@link #certificateProblem} accepts, in the file's order. */
    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        Matcher m = BLOCK.matcher(read(file));
        List<X509Certificate> certificates = new ArrayList<>();
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                certificates.add((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                        new ByteArrayInputStream(decode(m.group(2)))));
            }
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException(file + ": no PEM certificate");
        }
        return certificates;
    }

    /** The key of a file that {@link #keyProblem} accepts. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        Matcher m = BLOCK.matcher(read(file));
        while (m.find()) {
            if (m.group(1).equals("PRIVATE KEY")) {
                PrivateKey key = parseKey(m.group(2));
                if (key != null) {
                    return key;
                }
                break;
            }
        }
        throw new GeneralSecurityException(file + ": no unencrypted PKCS#8 PEM private key");
    }

    private static boolean parsesAsKey(String base64) {
        return parseKey(base64) != null;
    }

    private static PrivateKey parseKey(String base64) {
        byte[] der;
        try {
            der = decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this algorithm
            }
        }
        return null;
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64);
    }

    private static String text(Path file) {
        try {
            return read(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }
}
