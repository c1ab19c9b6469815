package io.livemig.common.value;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An address as HOST:PORT: a name, an IPv4 address or a bracketed IPv6 address, and a port.
 * The one place that splits such a string; {@link io.livemig.common.input.Inputs} checks the
 * ranges a field allows and says what is wrong.
 */
public record HostPort(String host, int port) {

    private static final Pattern FORM = Pattern.compile("(\\[[0-9a-fA-F:]+]|[a-zA-Z0-9_.-]+):([0-9]{1,5})");

    /** {@code value} split into host and port, or empty if it does not have the form. */
    public static Optional<HostPort> tryParse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        var m = FORM.matcher(value);
        return m.matches() ? Optional.of(new HostPort(m.group(1), Integer.parseInt(m.group(2)))) : Optional.empty();
    }

    /** {@code value}, which an edge already checked (e.g. a loaded config file). */
    public static HostPort parse(String value) {
        return tryParse(value).orElseThrow(() -> new IllegalArgumentException("not HOST:PORT: '" + value + "'"));
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
