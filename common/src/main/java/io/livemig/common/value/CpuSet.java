package io.livemig.common.value;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * A set of host CPU numbers in libvirt's cpuset syntax: comma-separated items, each a CPU
 * ({@code 8}), a range ({@code 0-3}) or an exclusion ({@code ^2}) that removes a CPU added by an
 * earlier item, so {@code "0-3,^2,8"} is CPUs 0, 1, 3 and 8. Items apply in order, as in libvirt's
 * {@code virBitmapParse}; spaces around items are allowed; {@code ^2-3} is an error there and here.
 */
public final class CpuSet {

    /** Above any host libvirt runs on; bounds memory when a cpuset like "0-2000000000" comes in. */
    public static final int MAX_CPU = 16383;

    private final BitSet cpus;

    private CpuSet(BitSet cpus) {
        this.cpus = cpus;
    }

    /** The CPUs given, e.g. {@code CpuSet.of(0, 1, 3)}. */
    public static CpuSet of(int... cpus) {
        BitSet bits = new BitSet();
        for (int cpu : cpus) {
            bits.set(checked(cpu, String.valueOf(cpu)));
        }
        return new CpuSet(bits);
    }

    /** The CPUs given, in any order, duplicates ignored. */
    public static CpuSet of(Iterable<Integer> cpus) {
        BitSet bits = new BitSet();
        for (int cpu : cpus) {
            bits.set(checked(cpu, String.valueOf(cpu)));
        }
        return new CpuSet(bits);
    }

    /**
     * Parses libvirt's syntax.
     *
     * @throws IllegalArgumentException with a one-line message when the text is not a cpuset or
     *                                  selects no CPU
     */
    public static CpuSet parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty cpuset");
        }
        BitSet bits = new BitSet();
        for (String rawItem : text.split(",", -1)) {
            String item = rawItem.strip();
            boolean exclude = item.startsWith("^");
            if (exclude) {
                item = item.substring(1).strip();
            }
            int dash = item.indexOf('-');
            if (dash < 0) {
                int cpu = number(item, text);
                if (exclude) {
                    bits.clear(cpu);
                } else {
                    bits.set(cpu);
                }
            } else {
                if (exclude) {
                    throw new IllegalArgumentException("invalid cpuset '" + text + "': an exclusion (^) takes one CPU, not a range");
                }
                int first = number(item.substring(0, dash).strip(), text);
                int last = number(item.substring(dash + 1).strip(), text);
                if (last < first) {
                    throw new IllegalArgumentException("invalid cpuset '" + text + "': range " + item + " runs backwards");
                }
                bits.set(first, last + 1);
            }
        }
        if (bits.isEmpty()) {
            throw new IllegalArgumentException("cpuset '" + text + "' selects no CPU");
        }
        return new CpuSet(bits);
    }

    private static int number(String digits, String text) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 9) {
            throw new IllegalArgumentException("invalid cpuset '" + text + "': '" + digits + "' is not a CPU number");
        }
        return checked(Integer.parseInt(digits), text);
    }

    private static int checked(int cpu, String text) {
        if (cpu < 0 || cpu > MAX_CPU) {
            throw new IllegalArgumentException("invalid cpuset '" + text + "': CPU " + cpu + " is outside 0-" + MAX_CPU);
        }
        return cpu;
    }

    /** The CPUs in ascending order. */
    public List<Integer> cpus() {
        List<Integer> list = new ArrayList<>(cpus.cardinality());
        cpus.stream().forEach(list::add);
        return List.copyOf(list);
    }

    public int size() {
        return cpus.cardinality();
    }

    public boolean isEmpty() {
        return cpus.isEmpty();
    }

    public boolean contains(int cpu) {
        return cpu >= 0 && cpus.get(cpu);
    }

    public boolean containsAll(CpuSet other) {
        BitSet missing = (BitSet) other.cpus.clone();
        missing.andNot(cpus);
        return missing.isEmpty();
    }

    public CpuSet union(CpuSet other) {
        BitSet bits = (BitSet) cpus.clone();
        bits.or(other.cpus);
        return new CpuSet(bits);
    }

    /** The CPUs of this set that {@code other} lacks. */
    public CpuSet minus(CpuSet other) {
        BitSet bits = (BitSet) cpus.clone();
        bits.andNot(other.cpus);
        return new CpuSet(bits);
    }

    /** Canonical libvirt form with ranges, e.g. {@code "0-2,5,7-8"}; "" for the empty set. */
    public String format() {
        StringBuilder out = new StringBuilder();
        int start = cpus.nextSetBit(0);
        while (start >= 0) {
            int end = cpus.nextClearBit(start) - 1;
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(start);
            if (end > start) {
                out.append('-').append(end);
            }
            start = cpus.nextSetBit(end + 1);
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet other && cpus.equals(other.cpus);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cpus);
    }

    @Override
    public String toString() {
        return format();
    }
}
