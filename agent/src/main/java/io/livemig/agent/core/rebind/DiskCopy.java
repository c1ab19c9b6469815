package io.livemig.agent.core.rebind;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A local disk that moves with the VM: the agent pre-creates {@code path} on the target (same
 * format, same virtual size) before the migration, and lists {@code targetDev} in libvirt's
 * migrate_disks with VIR_MIGRATE_NON_SHARED_DISK.
 *
 * @param targetDev     the guest device, e.g. "vda" (what migrate_disks names)
 * @param sourceType    libvirt's disk type: "file" or "block"
 * @param path          the image path, the same on both hosts
 * @param format        the driver type, e.g. "qcow2" or "raw"; "raw" when the XML names none
 * @param capacityBytes virtual size, unknown to the planner (it reads only XML): the agent fills it
 */
public record DiskCopy(String targetDev, String sourceType, String path, String format, OptionalLong capacityBytes) {

    public DiskCopy {
        Objects.requireNonNull(targetDev, "targetDev");
        Objects.requireNonNull(sourceType, "sourceType");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(capacityBytes, "capacityBytes");
    }

    public DiskCopy withCapacityBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + bytes);
        }
        return new DiskCopy(targetDev, sourceType, path, format, OptionalLong.of(bytes));
    }
}
