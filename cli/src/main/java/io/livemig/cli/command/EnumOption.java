package io.livemig.cli.command;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * An option or parameter whose value is one of a domain enum's constants, typed as its lower-case
 * name. Only the constants given are accepted, in that order; a value is read exactly and refused
 * with the words picocli uses for its own enums; completion offers the same names. Each option
 * is a subclass naming the constants, used as both its converter and its completion candidates.
 */
abstract class EnumOption<E extends Enum<E>> implements ITypeConverter<E>, Iterable<String> {

    private final Map<String, E> byName = new LinkedHashMap<>();

    EnumOption(List<E> accepted) {
        accepted.forEach(e -> byName.put(name(e), e));
    }

    /** "precopy": a constant as the user types it and as the CLI prints it. */
    static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** The accepted names, in order. */
    final List<String> names() {
        return List.copyOf(byName.keySet());
    }

    @Override
    public final E convert(String value) {
        E e = byName.get(value);
        if (e == null) {
            throw new TypeConversionException("expected one of " + names() + " (case-sensitive) but was '" + value + "'");
        }
        return e;
    }

    @Override
    public final Iterator<String> iterator() {
        return names().iterator();
    }
}
