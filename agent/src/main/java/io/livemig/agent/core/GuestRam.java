package io.livemig.agent.core;

import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much of a guest's RAM its host holds: read from the {@code /proc/PID/smaps} of the guest's
 * QEMU process. Pure.
 *
 * <p>QEMU maps a guest's RAM, unless told otherwise, as one anonymous private mapping of exactly
 * the guest's memory (libvirt's memfd backing: one shared {@code /memfd:} mapping). Pages the
 * guest has never written are not resident: reading one maps the kernel's shared zero page, which
 * is not counted. So the mapping's {@code Rss} is at least the guest's non-zero memory, the part a
 * migration's first pass sends in full; it is more by the pages the guest wrote and zeroed again,
 * and by whole huge pages where transparent huge pages back sparse writes.
 *
 * <p>Anything else (RAM in several mappings, as with NUMA nodes or memory devices, or on
 * hugetlbfs, whose pages smaps does not count as {@code Rss}) gives no figure rather than a wrong one.
 */
public final class GuestRam {

    // "7f8237e00000-7f8247e00000 rw-p 00000000 00:00 0     [path]"
    private static final Pattern HEADER = Pattern.compile("^[0-9a-f]+-[0-9a-f]+ (\\S{4}) \\S+ \\S+ \\S+\\s*(.*)$");
    private static final Pattern FIELD = Pattern.compile("^(\\w+):\\s+(\\d+) kB$");

    private GuestRam() {}

    /**
     * The resident (and swapped-out) bytes of the one mapping that can be the guest's RAM of
     * {@code memoryBytes} in {@code smaps}; empty when there is none, or more than one.
     */
    public static OptionalLong residentBytes(List<String> smaps, long memoryBytes) {
        if (memoryBytes <= 0) {
            return OptionalLong.empty();
        }
        long found = -1;
        int candidates = 0;
        boolean hugetlb = false;
        boolean ram = false;
        long size = -1;
        for (String line : smaps) {
            Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                ram = isRamMapping(h.group(1), h.group(2).strip());
                size = -1;
                continue;
            }
            if (!ram) {
                continue;
            }
            Matcher f = FIELD.matcher(line);
            if (!f.matches()) {
                continue;
            }
            long kib = Long.parseLong(f.group(2));
            switch (f.group(1)) {
                case "Size" -> size = kib * 1024;
                case "Rss" -> {
                    if (size == memoryBytes) {
                        candidates++;
                        found = kib * 1024;
                    }
                }
                case "Swap" -> {
                    if (size == memoryBytes) {
                        found += kib * 1024; // written, then swapped out: still the guest's data
                    }
                }
                case "KernelPageSize" -> {
                    // Huge pages of hugetlbfs (2 MiB, 1 GiB) are not counted as Rss.
                    hugetlb |= size == memoryBytes && kib > 64;
                }
                default -> {
                    // not needed
                }
            }
        }
        return candidates == 1 && !hugetlb ? OptionalLong.of(Math.min(found, memoryBytes)) : OptionalLong.empty();
    }

    /** Writable, and anonymous private or a shared memfd. */
    private static boolean isRamMapping(String perms, String path) {
        if (!perms.startsWith("rw")) {
            return false;
        }
        return perms.charAt(3) == 'p' ? path.isEmpty() : path.startsWith("/memfd:");
    }
}
