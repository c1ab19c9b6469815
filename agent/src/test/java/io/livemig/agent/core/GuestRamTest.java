package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GuestRamTest {

    private static final long MIB = 1 << 20;
    private static final long GUEST = 256 * MIB;

    /** One mapping's lines as /proc/PID/smaps has them (the fields read, and one that is not). */
    private static List<String> mapping(String header, long sizeKib, long kernelPageKib, long rssKib, long swapKib) {
        return List.of(header,
                "Size:           " + sizeKib + " kB",
                "KernelPageSize:        " + kernelPageKib + " kB",
                "MMUPageSize:           " + kernelPageKib + " kB",
                "Rss:            " + rssKib + " kB",
                "Pss:            " + rssKib + " kB",
                "Swap:                  " + swapKib + " kB",
                "VmFlags: rd wr mr mw me ac nh");
    }

    @SafeVarargs
    private static List<String> smaps(List<String>... mappings) {
        List<String> all = new ArrayList<>();
        for (List<String> m : mappings) {
            all.addAll(m);
        }
        return all;
    }

    /** What a QEMU under TCG has (from the lab): its binary, the guest's RAM, the 1 GiB translation buffer. */
    private static final List<String> QEMU_BINARY = mapping(
            "55d0c0a00000-55d0c1200000 r-xp 00000000 fe:01 1048601                    /usr/bin/qemu-system-x86_64",
            8192, 4, 6144, 0);
    private static final List<String> TCG_BUFFER = mapping("7f8248000000-7f8287fff000 rwxp 00000000 00:00 0 ",
            1048572, 4, 55296, 0);

    @Test
    void theGuestRamMappingsResidentAndSwappedBytesCount() {
        List<String> ram = mapping("7f8237e00000-7f8247e00000 rw-p 00000000 00:00 0 ", 262144, 4, 221184, 1024);
        assertEquals(OptionalLong.of(222208 * 1024L), GuestRam.residentBytes(smaps(QEMU_BINARY, ram, TCG_BUFFER), GUEST));
    }

    @Test
    void aMemfdBackedGuestCountsToo() {
        List<String> ram = mapping("7f8237e00000-7f8247e00000 rw-s 00000000 00:01 2050   /memfd:pc.ram (deleted)",
                262144, 4, 1024, 0);
        assertEquals(OptionalLong.of(MIB), GuestRam.residentBytes(smaps(QEMU_BINARY, ram), GUEST));
    }

    @Test
    void noMappingOfTheGuestsSizeGivesNoFigure() {
        // Two NUMA nodes of 128 MiB each: no single mapping is the guest's RAM.
        List<String> node0 = mapping("7f8237e00000-7f823fe00000 rw-p 00000000 00:00 0 ", 131072, 4, 1024, 0);
        List<String> node1 = mapping("7f823fe00000-7f8247e00000 rw-p 00000000 00:00 0 ", 131072, 4, 1024, 0);
        assertEquals(OptionalLong.empty(), GuestRam.residentBytes(smaps(QEMU_BINARY, node0, node1, TCG_BUFFER), GUEST));
    }

    @Test
    void twoMappingsOfTheGuestsSizeGiveNoFigure() {
        List<String> a = mapping("7f8237e00000-7f8247e00000 rw-p 00000000 00:00 0 ", 262144, 4, 1024, 0);
        List<String> b = mapping("7f8257e00000-7f8267e00000 rw-p 00000000 00:00 0 ", 262144, 4, 2048, 0);
        assertEquals(OptionalLong.empty(), GuestRam.residentBytes(smaps(a, b), GUEST));
    }

    @Test
    void hugetlbBackedOrFileBackedRamGivesNoFigure() {
        List<String> hugetlb = mapping("7f8237e00000-7f8247e00000 rw-s 00000000 00:01 2050   /memfd:pc.ram (deleted)",
                262144, 2048, 0, 0);
        assertEquals(OptionalLong.empty(), GuestRam.residentBytes(smaps(hugetlb), GUEST));
        List<String> file = mapping("7f8237e00000-7f8247e00000 rw-s 00000000 00:2a 17  /dev/hugepages/libvirt/qemu/ram",
                262144, 4, 1024, 0);
        assertEquals(OptionalLong.empty(), GuestRam.residentBytes(smaps(file), GUEST));
    }

    @Test
    void aReadOnlyMappingOfTheGuestsSizeIsNotItsRam() {
        List<String> ro = mapping("7f8237e00000-7f8247e00000 r--p 00000000 00:00 0 ", 262144, 4, 1024, 0);
        assertEquals(OptionalLong.empty(), GuestRam.residentBytes(smaps(ro), GUEST));
    }
}
