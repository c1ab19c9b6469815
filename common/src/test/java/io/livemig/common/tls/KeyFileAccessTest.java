package io.livemig.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL's rule for a private key, as an operator meets it: who owns the file and its mode. */
class KeyFileAccessTest {

    private static final Path KEY = Path.of("/etc/livemig/pki/host1.key");

    private static String problem(String owner, String user, String permissions) {
        return KeyFileAccess.problem(owner, user, PosixFilePermissions.fromString(permissions), KEY);
    }

    @Test
    void theOwnerAloneMayReadItsOwnKey() {
        assertNull(problem("livemig", "livemig", "rw-------"));
        assertNull(problem("livemig", "livemig", "r--------"));
        assertNull(problem("root", "root", "rw-------"));
        assertEquals("its group may access it (mode 0640); a private key must be 0600 at most: run chmod 600 " + KEY,
                problem("livemig", "livemig", "rw-r-----"));
        assertEquals("its group may access it (mode 0640); a private key must be 0600 at most: run chmod 600 " + KEY,
                problem("root", "root", "rw-r-----"), "root's own process gets no group exception");
        assertEquals("others may access it (mode 0644); a private key must not be: run chmod 600 " + KEY,
                problem("livemig", "livemig", "rw-r--r--"));
    }

    @Test
    void aKeyOwnedByRootMayBeReadByItsGroup() {
        assertNull(problem("root", "livemig", "rw-r-----"));
        assertEquals("its group may access it (mode 0660); a private key must be 0640 at most, as it is root's: "
                + "run chmod 640 " + KEY, problem("root", "livemig", "rw-rw----"));
        assertEquals("others may access it (mode 0604); a private key must not be: run chmod 600 " + KEY,
                problem("root", "livemig", "rw----r--"));
    }

    @Test
    void aKeyOwnedBySomeoneElseIsRefused() {
        assertEquals("owned by alice; a private key must be owned by livemig (the user livemig runs as) or root: "
                + "run chown livemig " + KEY, problem("alice", "livemig", "rw-------"));
    }

    @Test
    void aRealFilesOwnerAndModeAreRead(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("k.key");
        Files.writeString(key, "x");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals("others may access it (mode 0666); a private key must not be: run chmod 600 " + key,
                KeyFileAccess.problem(key));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertNull(KeyFileAccess.problem(key));
    }
}
