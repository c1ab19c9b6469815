package io.livemig.agent.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a /proc laid out in a temporary directory: a shell, and the QEMU of one guest. */
class QemuProcessesTest {

    private static final long MIB = 1 << 20;
    private static final String UUID = "87491b33-4770-4cc4-b776-6778efb2c33f";
    private static final long KEPT = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path proc;

    private final AtomicLong clock = new AtomicLong();

    private void process(long pid, String cmdline, long ramRssKib) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.write(dir.resolve("cmdline"), (cmdline.replace(" ", "\0") + "\0").getBytes(StandardCharsets.UTF_8)); // each argument ends in NUL
        Files.writeString(dir.resolve("smaps"), String.join("\n",
                "7f8237e00000-7f8247e00000 rw-p 00000000 00:00 0 ",
                "Size:             262144 kB",
                "KernelPageSize:        4 kB",
                "Rss:              " + ramRssKib + " kB",
                "Swap:                  0 kB",
                ""));
    }

    @Test
    void theGuestsQemuIsFoundByItsUuidAndItsFigureKeptAWhile() throws IOException {
        Files.createDirectories(proc.resolve("self"));
        process(17, "/bin/sh -c sleep 1000", 4096);
        process(4242, "/usr/bin/qemu-system-x86_64 -name guest=web1,debug-threads=on -uuid " + UUID + " -m 256", 212992);
        QemuProcesses qemu = new QemuProcesses(proc, clock::get, Runnable::run);

        assertEquals(OptionalLong.of(208 * MIB), qemu.ramHeld(UUID, 256 * MIB, KEPT));
        process(4242, "/usr/bin/qemu-system-x86_64 -uuid " + UUID, 225280);
        assertEquals(OptionalLong.of(208 * MIB), qemu.ramHeld(UUID, 256 * MIB, KEPT), "kept until read again");
        assertEquals(OptionalLong.of(220 * MIB), qemu.ramHeld(UUID, 256 * MIB, 0), "read now when asked to");
        process(4242, "/usr/bin/qemu-system-x86_64 -uuid " + UUID, 229376);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(11));
        assertEquals(OptionalLong.of(224 * MIB), qemu.ramHeld(UUID, 256 * MIB, KEPT), "read again after 10 s");

        assertEquals(OptionalLong.empty(), qemu.ramHeld("00000000-0000-0000-0000-000000000000", 256 * MIB, KEPT),
                "no such process");
        assertEquals(OptionalLong.empty(), qemu.ramHeld(UUID, 512 * MIB, KEPT), "no mapping of that size");
    }

    @Test
    void aGuestWhoseQemuEndedHasNoFigure() throws IOException {
        process(4242, "/usr/bin/qemu-system-x86_64 -uuid " + UUID, 212992);
        QemuProcesses qemu = new QemuProcesses(proc, clock::get, Runnable::run);
        assertTrue(qemu.ramHeld(UUID, 256 * MIB, KEPT).isPresent());
        Files.writeString(proc.resolve("4242").resolve("cmdline"), "");
        assertEquals(OptionalLong.empty(), qemu.ramHeld(UUID, 256 * MIB, KEPT));
    }

    /** A guest whose QEMU is not found is looked for again only when its figure would be read again. */
    @Test
    void aGuestNotFoundIsLookedForAgainAfterTheSameTime() throws IOException {
        QemuProcesses qemu = new QemuProcesses(proc, clock::get, Runnable::run);
        assertEquals(OptionalLong.empty(), qemu.ramHeld(UUID, 256 * MIB, KEPT));
        process(4242, "/usr/bin/qemu-system-x86_64 -uuid " + UUID, 212992);
        assertEquals(OptionalLong.empty(), qemu.ramHeld(UUID, 256 * MIB, KEPT), "not looked for again yet");
        clock.addAndGet(KEPT);
        assertEquals(OptionalLong.of(208 * MIB), qemu.ramHeld(UUID, 256 * MIB, KEPT));
    }

    /** A listing gets the last figure at once; a stale one is read again in the background, for the next. */
    @Test
    void aListingGetsTheLastFigureAndAStaleOneIsReadAgainInTheBackground() throws IOException {
        process(4242, "/usr/bin/qemu-system-x86_64 -uuid " + UUID, 212992);
        java.util.List<Runnable> queued = new java.util.ArrayList<>();
        QemuProcesses qemu = new QemuProcesses(proc, clock::get, queued::add);
        assertEquals(OptionalLong.empty(), qemu.lastRamHeld(UUID, 256 * MIB, KEPT), "nothing read yet");
        assertEquals(OptionalLong.empty(), qemu.lastRamHeld(UUID, 256 * MIB, KEPT));
        assertEquals(1, queued.size(), "one read under way, not two");
        queued.remove(0).run();
        assertEquals(OptionalLong.of(208 * MIB), qemu.lastRamHeld(UUID, 256 * MIB, KEPT));
        assertTrue(queued.isEmpty(), "fresh: nothing to read");

        process(4242, "/usr/bin/qemu-system-x86_64 -uuid " + UUID, 225280);
        clock.addAndGet(KEPT);
        assertEquals(OptionalLong.of(208 * MIB), qemu.lastRamHeld(UUID, 256 * MIB, KEPT), "the last one, at once");
        queued.remove(0).run();
        assertEquals(OptionalLong.of(220 * MIB), qemu.lastRamHeld(UUID, 256 * MIB, KEPT));
    }

    @Test
    void theUuidMustFollowTheUuidOption() {
        assertTrue(QemuProcesses.hasUuid(("qemu\0-uuid\0" + UUID + "\0-m\0256").getBytes(StandardCharsets.UTF_8), UUID));
        assertFalse(QemuProcesses.hasUuid(("qemu\0-name\0" + UUID + "\0").getBytes(StandardCharsets.UTF_8), UUID));
    }
}
