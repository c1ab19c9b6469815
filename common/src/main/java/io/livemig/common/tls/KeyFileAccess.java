package io.livemig.common.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who may read a private key file, by PostgreSQL's rule for its server key: a key owned by the
 * user this process runs as must give its group and others nothing (0600 at most); a key owned by
 * root may also be read by its group (0640 at most), so that root can hand a key to a service's
 * group; a key owned by anyone else is refused.
 */
final class KeyFileAccess {

    static final String ROOT = "root";

    private KeyFileAccess() {
    }

    /**
     * Why {@code key} is too open, as one line naming the fix, or null when it is not (or when its
     * file system has no POSIX permissions to check).
     */
    static String problem(Path key) {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(key, PosixFileAttributes.class);
        } catch (UnsupportedOperationException e) {
            return null;
        } catch (IOException e) {
            return "cannot be read";
        }
        return problem(attributes.owner().getName(), System.getProperty("user.name"), attributes.permissions(),
                key);
    }

    /** The rule itself: the file's owner, the user this process runs as, the file's permissions. */
    static String problem(String owner, String user, Set<PosixFilePermission> permissions, Path key) {
        String mode = mode(permissions);
        if (!owner.equals(user) && !owner.equals(ROOT)) {
            return "owned by " + owner + "; a private key must be owned by " + user + " (the user livemig runs as) or "
                    + ROOT + ": run chown " + user + " " + key;
        }
        if (has(permissions, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE)) {
            return "others may access it (mode " + mode + "); a private key must not be: run chmod 600 " + key;
        }
        boolean groupMayRead = owner.equals(ROOT) && !owner.equals(user);
        Set<PosixFilePermission> groupRefused = EnumSet.of(PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE);
        if (!groupMayRead) {
            groupRefused.add(PosixFilePermission.GROUP_READ);
        }
        if (permissions.stream().anyMatch(groupRefused::contains)) {
            String allowed = groupMayRead ? "0640 at most, as it is root's" : "0600 at most";
            return "its group may access it (mode " + mode + "); a private key must be " + allowed + ": run chmod "
                    + (groupMayRead ? "640 " : "600 ") + key;
        }
        return null;
    }

    private static boolean has(Set<PosixFilePermission> permissions, PosixFilePermission... any) {
        for (PosixFilePermission p : any) {
            if (permissions.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** The permissions as the four octal digits chmod takes, e.g. 0644. */
    static String mode(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission p : permissions) {
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", bits);
    }
}
