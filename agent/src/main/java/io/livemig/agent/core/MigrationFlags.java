package io.livemig.agent.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A checked set of {@link MigrationFlag}s. Combinations that libvirt-domain.h documents as
 * invalid are rejected when the value is built, not when libvirt refuses the migration.
 */
public record MigrationFlags(Set<MigrationFlag> flags) {

    public MigrationFlags {
        EnumSet<MigrationFlag> copy = EnumSet.noneOf(MigrationFlag.class);
        if (flags != null) {
            copy.addAll(flags);
        }
        List<String> problems = problems(copy);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid migration flags " + render(copy) + ": "
                    + String.join("; ", problems));
        }
        flags = Collections.unmodifiableSet(copy);
    }

    public static MigrationFlags of(MigrationFlag... flags) {
        return new MigrationFlags(flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags));
    }

    /** Move a running VM for good: live, defined on the destination, undefined on the source. */
    public static MigrationFlags liveMove() {
        return of(MigrationFlag.LIVE, MigrationFlag.PERSIST_DEST, MigrationFlag.UNDEFINE_SOURCE);
    }

    /**
     * Decodes a libvirt flags value.
     *
     * @throws IllegalArgumentException for bits this code does not know or invalid combinations
     */
    public static MigrationFlags fromLibvirt(long bits) {
        EnumSet<MigrationFlag> set = EnumSet.noneOf(MigrationFlag.class);
        long rest = bits;
        for (MigrationFlag flag : MigrationFlag.values()) {
            if ((bits & flag.bit()) != 0) {
                set.add(flag);
                rest &= ~flag.bit();
            }
        }
        if (rest != 0) {
            throw new IllegalArgumentException("unknown migration flag bits 0x" + Long.toHexString(rest));
        }
        return new MigrationFlags(set);
    }

    /** The value to pass as virDomainMigrate*'s flags. */
    public long toLibvirt() {
        long bits = 0;
        for (MigrationFlag flag : flags) {
            bits |= flag.bit();
        }
        return bits;
    }

    public boolean has(MigrationFlag flag) {
        return flags.contains(flag);
    }

    public MigrationFlags with(MigrationFlag flag) {
        EnumSet<MigrationFlag> more = flags.isEmpty() ? EnumSet.noneOf(MigrationFlag.class) : EnumSet.copyOf(flags);
        more.add(flag);
        return new MigrationFlags(more);
    }

    @Override
    public String toString() {
        return render(flags);
    }

    private static String render(Set<MigrationFlag> flags) {
        return flags.isEmpty() ? "(none)" : flags.stream().map(Enum::name).collect(Collectors.joining("|"));
    }

    // The rules libvirt-domain.h states next to each flag.
    private static List<String> problems(Set<MigrationFlag> f) {
        List<String> problems = new ArrayList<>();
        if (f.contains(MigrationFlag.TUNNELLED) && !f.contains(MigrationFlag.PEER2PEER)) {
            problems.add("TUNNELLED needs PEER2PEER");
        }
        if (f.contains(MigrationFlag.NON_SHARED_DISK) && f.contains(MigrationFlag.NON_SHARED_INC)) {
            problems.add("NON_SHARED_DISK and NON_SHARED_INC are mutually exclusive");
        }
        if (f.contains(MigrationFlag.OFFLINE) && !f.contains(MigrationFlag.PERSIST_DEST)) {
            problems.add("OFFLINE needs PERSIST_DEST");
        }
        if (f.contains(MigrationFlag.NON_SHARED_SYNCHRONOUS_WRITES)
                && !f.contains(MigrationFlag.NON_SHARED_DISK) && !f.contains(MigrationFlag.NON_SHARED_INC)) {
            problems.add("NON_SHARED_SYNCHRONOUS_WRITES needs NON_SHARED_DISK or NON_SHARED_INC");
        }
        return problems;
    }
}
