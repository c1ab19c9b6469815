package io.livemig.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A self-signed certificate (CN=sample) and its PKCS#8 EC key that parse as PEM, for tests that
 * load configuration files without a TLS handshake (no openssl needed). Nothing trusts them.
 */
public final class SamplePem {

    public static final String CERTIFICATE = """
            -----BEGIN CERTIFICATE-----
            MIIBeTCCAR+gAwIBAgIUWbaM6WnVt9tqLJCfzyWqZdY/s3kwCgYIKoZIzj0EAwIw
            ETEPMA0GA1UEAwwGc2FtcGxlMCAXDTI2MTIwNTEyMDQ0OFoYDzIxMjYxMTExMTIw
            NDQ4WjARMQ8wDQYDVQQDDAZzYW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNC
            AARQI4KGMDuQJZwpSlPAZVN/eAwC1eG0vQ50aMiqpcHCe9GS4RbI4MtgBDxBWZsy
            NzsOHhmDUS0CIO997eHeSI7Xo1MwUTAdBgNVHQ4EFgQUqR4uJpGoAoMMMol9khq4
            vEXJpnUwHwYDVR0jBBgwFoAUqR4uJpGoAoMMMol9khq4vEXJpnUwDwYDVR0TAQH/
            BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA22E3cO6Tr0kTETplmnMM5SmdiKal
            kI95JwSKYNLwkEwCIDjXA+jdxtmm7Mv9cTb6GgbWWMF3yW+XUnXYXH7Z/Lod
            -----END CERTIFICATE-----
            """;

    public static final String KEY = """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAg+hPPuyxJU0N57J
            CMJAKOvXv0LVd/MS4/lZBXHM9uihRANCAARQI4KGMDuQJZwpSlPAZVN/eAwC1eG0
            vQ50aMiqpcHCe9GS4RbI4MtgBDxBWZsyNzsOHhmDUS0CIO997eHeSI7X
            -----END PRIVATE KEY-----
            """;

    private SamplePem() {
    }

    /**
     * Writes each file: the key to names ending in ".key" (mode 0600, as livemig wants a key), the
     * certificate to the others.
     */
    public static void write(Path dir, String... names) throws IOException {
        Files.createDirectories(dir);
        for (String name : names) {
            Path file = dir.resolve(name);
            Files.writeString(file, name.endsWith(".key") ? KEY : CERTIFICATE);
            if (name.endsWith(".key")) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        }
    }
}
