package io.livemig.common.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What gRPC's TLS (Netty) can read, checked before a server or a client starts, so that a file
 * that exists but is not PEM is refused with its name instead of failing later without one:
 * certificates as PEM {@code CERTIFICATE} blocks, the key as one unencrypted PKCS#8
 * {@code PRIVATE KEY} block (RSA, EC or DSA), as scripts/pki.sh makes them.
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
                        new ByteArrayInputStream(Base64.getMimeDecoder().decode(m.group(2))));
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

    private static boolean parsesAsKey(String base64) {
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                return true;
            } catch (GeneralSecurityException e) {
                // not this algorithm
            }
        }
        return false;
    }

    private static String text(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null;
        }
    }
}
