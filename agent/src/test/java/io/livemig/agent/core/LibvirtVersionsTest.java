package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LibvirtVersionsTest {

    @ParameterizedTest
    @CsvSource({"11003000, 11.3.0", "10000002, 10.0.2", "7002000, 7.2.0", "2, 0.0.2", "0, 0.0.0", "-1, unknown"})
    void formatsLibvirtsEncodedVersions(long encoded, String dotted) {
        assertEquals(dotted, LibvirtVersions.dotted(encoded));
    }
}
