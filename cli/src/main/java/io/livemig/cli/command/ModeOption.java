package io.livemig.cli.command;

import io.livemig.agent.core.policy.CopyMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * --mode as people type it: the lower-case names of {@link CopyMode}, the default (auto) first,
 * exactly (as picocli reads an enum by default), with the same refusal; completion offers them.
 */
final class ModeOption {

    /** auto, precopy, stopcopy, postcopy: the order the help and the refusal have always listed. */
    static final List<String> NAMES = names();

    private ModeOption() {
    }

    /** "precopy": a mode as the user types it and as the CLI prints it. */
    static String name(CopyMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>(List.of(name(CopyMode.AUTO)));
        for (CopyMode mode : CopyMode.values()) {
            if (mode != CopyMode.AUTO) {
                names.add(name(mode));
            }
        }
        return List.copyOf(names);
    }

    static final class Converter implements ITypeConverter<CopyMode> {
        @Override
        public CopyMode convert(String value) {
            if (!NAMES.contains(value)) {
                throw new TypeConversionException(
                        "expected one of " + NAMES + " (case-sensitive) but was '" + value + "'");
            }
            return CopyMode.valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return NAMES.iterator();
        }
    }
}
