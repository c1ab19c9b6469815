package io.livemig.agent.core.rebind;

import java.util.List;
import java.util.Objects;

/**
 * One shared file system as one host mounts it: the same storage (same {@code storageId}) can be
 * mounted at a different prefix on each host, e.g. the lab's shared directory seen as
 * {@code /mnt/lab-a-shared} on lab-a and {@code /mnt/lab-b-shared} on lab-b. A path below the
 * prefix on the source is the same file as the same relative path below the target's prefix.
 *
 * <p>Each agent reports its own mounts (it cannot know the other host's); the planner pairs source
 * and target mounts by {@code storageId}. A multipath SAN or a cluster LVM that shows the same
 * block devices everywhere is declared the same way, e.g. {@code ("san", "/dev/mapper")}.
 *
 * @param storageId  names the storage across hosts
 * @param pathPrefix absolute directory where this host sees it
 */
public record SharedStorage(String storageId, String pathPrefix) {

    public SharedStorage {
        Objects.requireNonNull(storageId, "storageId");
        if (storageId.isBlank()) {
            throw new IllegalArgumentException("storageId must not be blank");
        }
        if (!HostPaths.isAbsolute(pathPrefix)) {
            throw new IllegalArgumentException("shared storage '" + storageId + "': path prefix must be absolute, got '" + pathPrefix + "'");
        }
        pathPrefix = HostPaths.normalize(pathPrefix);
    }

    static List<SharedStorage> checkedList(List<SharedStorage> storages, String host) {
        List<SharedStorage> copy = List.copyOf(Objects.requireNonNull(storages, "sharedStorage"));
        if (copy.stream().map(SharedStorage::storageId).distinct().count() != copy.size()) {
            throw new IllegalArgumentException(host + ": a shared storage id is listed twice: " + copy);
        }
        return copy;
    }
}
