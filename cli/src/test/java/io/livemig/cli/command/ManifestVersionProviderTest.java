package io.livemig.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.jar.Manifest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The commit in the manifest is shown only when the build had one. */
class ManifestVersionProviderTest {

    @ParameterizedTest
    @CsvSource(nullValues = "-", delimiter = '|', value = {
        "Livemig-Commit: 1a2b3c4d5e6f  | 1a2b3c4d5e6f",
        "'Livemig-Commit: '            | -",
        "Livemig-Commit: ${livemig.git.commit} | -",
        "Implementation-Version: 1.0   | -"})
    void commitOfTheManifest(String entry, String expected) throws Exception {
        Manifest m = new Manifest(new ByteArrayInputStream(("Manifest-Version: 1.0\n" + entry + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        if (expected == null) {
            assertNull(ManifestVersionProvider.commitOf(m));
        } else {
            assertEquals(expected, ManifestVersionProvider.commitOf(m));
        }
    }
}
