package io.livemig.agent.libvirt;

import io.livemig.agent.core.GuestRam;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * A guest's QEMU process on this machine, found by the domain's UUID on its command line
 * ({@code -uuid UUID}, as libvirt starts it), and how much of its RAM the process holds
 * ({@link GuestRam}, from {@code /proc/PID/smaps}). Each figure is kept for as long as the
 * caller allows: a QEMU's memory map has a thousand lines and more, and the agent is listed every
 * few seconds. Best effort: what cannot be read gives no figure.
 */
final class QemuProcesses {

    private record Held(long pid, long memoryBytes, long atNanos, OptionalLong bytes) {}

    private final Path proc;
    private final LongSupplier clockNanos;
    private final Executor background;
    private final Map<String, Held> held = new ConcurrentHashMap<>(); // domain UUID -> last figure
    private final Set<String> reading = ConcurrentHashMap.newKeySet(); // UUIDs read in the background now

    QemuProcesses(Path proc, LongSupplier clockNanos, Executor background) {
        this.proc = proc;
        this.clockNanos = clockNanos;
        this.background = background;
    }

    /**
     * The last figure of the domain {@code uuid} of {@code memoryBytes}, at once, however old
     * (empty before the first); read again in the background when it is {@code maxAgeNanos} old
     * or more. For listings, which must not wait for a walk of /proc or a memory map.
     */
    OptionalLong lastRamHeld(String uuid, long memoryBytes, long maxAgeNanos) {
        Held last = held.get(uuid);
        boolean fresh = last != null && last.memoryBytes() == memoryBytes
                && clockNanos.getAsLong() - last.atNanos() < maxAgeNanos;
        if (!fresh && reading.add(uuid)) {
            try {
                background.execute(() -> {
                    try {
                        ramHeld(uuid, memoryBytes, maxAgeNanos);
                    } finally {
                        reading.remove(uuid);
                    }
                });
            } catch (RuntimeException e) {
                reading.remove(uuid); // the executor refused: the next listing tries again
            }
        }
        return last != null && last.memoryBytes() == memoryBytes ? last.bytes() : OptionalLong.empty();
    }

    /**
     * The RAM held for the running domain {@code uuid} of {@code memoryBytes}, read at most
     * {@code maxAgeNanos} ago (now, if need be); empty if not found or not readable.
     */
    OptionalLong ramHeld(String uuid, long memoryBytes, long maxAgeNanos) {
        long now = clockNanos.getAsLong();
        Held last = held.get(uuid);
        boolean stillRuns = last != null && last.pid() >= 0 && runs(last.pid(), uuid);
        // Not found is kept as long as a figure: a guest whose QEMU is not on this machine would
        // otherwise cost a walk of /proc at every listing.
        if (last != null && last.memoryBytes() == memoryBytes && now - last.atNanos() < maxAgeNanos
                && (last.pid() < 0 || stillRuns)) {
            return last.bytes();
        }
        long pid = stillRuns ? last.pid() : find(uuid);
        OptionalLong bytes = OptionalLong.empty();
        if (pid >= 0) {
            try {
                List<String> smaps = Files.readAllLines(proc.resolve(Long.toString(pid)).resolve("smaps"),
                        StandardCharsets.UTF_8);
                bytes = GuestRam.residentBytes(smaps, memoryBytes);
            } catch (IOException | RuntimeException e) {
                // gone meanwhile, or not ours to read: no figure
            }
        }
        held.put(uuid, new Held(pid, memoryBytes, now, bytes));
        if (held.size() > 4096) {
            held.keySet().removeIf(u -> !u.equals(uuid)); // domains come and go: keep the map bounded
        }
        return bytes;
    }

    private boolean runs(long pid, String uuid) {
        try {
            return hasUuid(Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("cmdline")), uuid);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private long find(String uuid) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                if (runs(pid, uuid)) {
                    return pid;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Whether the NUL-separated command line has "-uuid" followed by {@code uuid}. */
    static boolean hasUuid(byte[] cmdline, String uuid) {
        String line = new String(cmdline, StandardCharsets.UTF_8);
        return line.contains("\0-uuid\0" + uuid + "\0") || line.contains("\0-uuid\0" + uuid.toLowerCase(java.util.Locale.ROOT) + "\0");
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
