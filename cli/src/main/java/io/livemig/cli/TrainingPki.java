package io.livemig.cli;

import io.livemig.common.tls.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate for {@link CdsTraining}: one self-signed EC P-256 certificate for
 * 127.0.0.1, made by the JDK's own keytool, that serves as CA, server and client certificate.
 * It is trusted nowhere but in the training run, and deleted with the training's directory.
 */
final class TrainingPki {

    private static final String PASSWORD = "livemig-training";

    private TrainingPki() {
    }

    /** Writes ca.pem (= cert.pem) and key.pem (PKCS #8) into {@code dir}. */
    static TlsSettings create(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Path store = dir.resolve("training.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "training",
                "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=livemig training", "-ext",
                "san=ip:127.0.0.1", "-validity", "1", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(keytool + " did not make a certificate");
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        Key key = keys.getKey("training", PASSWORD.toCharArray());
        Certificate certificate = keys.getCertificate("training");
        Path cert = dir.resolve("cert.pem");
        Path keyFile = dir.resolve("key.pem");
        Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
        return new TlsSettings(cert, cert, keyFile);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
