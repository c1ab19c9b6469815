package io.livemig.common.input;

import io.livemig.common.value.HostPort;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules for what a user or a peer may send: names, ids and the numbers of a migration. Each
 * check returns the one-line reason a value is refused, or empty. The CLI, the agent and the
 * orchestrator all use these, so a value is refused with the same words wherever it enters, and
 * the servers refuse it whatever the client checked.
 *
 * <p>Numbers arrive as Java {@code long}; a protobuf {@code uint64} above {@link Long#MAX_VALUE}
 * reads as negative and is refused as out of range like any other.
 */
public final class Inputs {

    /** Longest VM name accepted; libvirt's own limit is far above what people type. */
    public static final int VM_NAME_MAX = 64;
    /** Longest host name accepted (a DNS label). */
    public static final int HOST_NAME_MAX = 63;
    /** Longest migration or reservation id accepted; ours are UUIDs or m-NNNNNN. */
    public static final int ID_MAX = 64;

    /** An inclusive range; {@code zeroMeansDefault} when 0 stands for "the agent's default". */
    public record Range(String field, long min, long max, boolean zeroMeansDefault) {
        /** For a value typed by a person or read from a file: shown as given. */
        public Optional<String> check(long value) {
            if (zeroMeansDefault && value == 0 || value >= min && value <= max) {
                return Optional.empty();
            }
            return Optional.of(field + " must be " + describe() + ", got " + value);
        }

        /** For a protobuf uint64 read into a long: one above Long.MAX_VALUE is shown as the number sent. */
        public Optional<String> checkUnsigned(long value) {
            return check(value).map(m -> value < 0 ? field + " must be " + describe() + ", got "
                    + Long.toUnsignedString(value) : m);
        }

        /** "1..60000", or "0 (default) or 2..32". */
        public String describe() {
            return (zeroMeansDefault ? "0 (default) or " : "") + min + ".." + max;
        }

        public Range named(String otherField) {
            return new Range(otherField, min, max, zeroMeansDefault);
        }
    }

    public static final Range MAX_DOWNTIME_MS = new Range("max_downtime_ms", 1, 60_000, true);
    public static final Range BANDWIDTH_MIBPS = new Range("bandwidth_mibps", 1, 100_000, true);
    public static final Range TIMEOUT_S = new Range("timeout_s", 1, 86_400, true);
    public static final Range PARALLEL_CONNECTIONS = new Range("parallel_connections", 2, 32, true);
    /** Steering a running migration: a new downtime must be a real one. */
    public static final Range SET_MAX_DOWNTIME_MS = new Range("max_downtime_ms", 1, 60_000, false);
    /** Steering a running migration: 0 lifts the limit. */
    public static final Range SET_BANDWIDTH_MIBPS = new Range("bandwidth_mibps", 0, 100_000, false);
    /** One VM's memory: at least 1 MiB, at most 16 TiB. */
    public static final Range MEMORY_BYTES = new Range("memory_bytes", 1L << 20, 1L << 44, false);
    public static final Range LIST_LIMIT = new Range("limit", 1, 10_000, true);

    private static final Pattern VM_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.+-]*");
    private static final Pattern HOST_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    private Inputs() {
    }

    /** A libvirt domain name as livemig accepts it: 1-64 letters, digits, '_', '.', '+', '-', not starting with a sign. */
    public static Optional<String> vmName(String name) {
        return name("VM name", name, VM_NAME_MAX, VM_NAME, "letters, digits, '_', '.', '+', '-'");
    }

    /** A host's name in the cluster file: 1-63 letters, digits, '_', '.', '-'. */
    public static Optional<String> hostName(String name) {
        return name("host name", name, HOST_NAME_MAX, HOST_NAME, "letters, digits, '_', '.', '-'");
    }

    /**
     * An identity in an allow list: a certificate's CN as scripts/pki.sh issues them, 1-64 letters,
     * digits, '_', '.', '-' (so not "CN=operator", not blank).
     */
    public static Optional<String> identity(String name) {
        return name("identity", name, ID_MAX, ID, "letters, digits, '_', '.', '-'");
    }

    /** A migration (or reservation) id: 1-64 letters, digits, '_', '.', '-'. */
    public static Optional<String> id(String what, String id) {
        return name(what, id, ID_MAX, ID, "letters, digits, '_', '.', '-'");
    }

    /** An address to connect to as host:port (a bracketed IPv6 address as host), the port 1..65535. */
    public static Optional<String> hostPort(String field, String value) {
        return hostPort(field, value, 1);
    }

    /** An address to listen on: as {@link #hostPort}, and port 0 asks the system for a free port. */
    public static Optional<String> listenAddress(String field, String value) {
        return hostPort(field, value, 0);
    }

    /**
     * A second address to listen on that may be left out (null), e.g. a metrics endpoint: as
     * {@link #listenAddress}, and not the same address as {@code listen}.
     */
    public static Optional<String> optionalListenAddress(String field, String value, String listen) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.isEmpty()) {
            return Optional.of(field + " must be host:port (or left out), got ''");
        }
        if (value.equals(listen) && !value.endsWith(":0")) {
            return Optional.of(field + " must differ from listen (" + printable(listen) + ")");
        }
        return listenAddress(field, value);
    }

    /** A libvirt URI such as qemu:///system or qemu+tls://HOST/system: a scheme, "://", no whitespace. */
    public static Optional<String> libvirtUri(String field, String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of(field + " is required (e.g. qemu+tcp://HOST/system)");
        }
        if (!value.contains("://") || value.chars().anyMatch(Character::isWhitespace)
                || value.chars().anyMatch(Character::isISOControl)) {
            return Optional.of(field + " must be a libvirt URI such as qemu+tcp://HOST/system, got '"
                    + printable(value) + "'");
        }
        return Optional.empty();
    }

    private static Optional<String> hostPort(String field, String value, int minPort) {
        if (value == null || value.isEmpty()) {
            return Optional.of(field + " is required (host:port)");
        }
        Optional<HostPort> parsed = HostPort.tryParse(value);
        if (parsed.isEmpty()) {
            return Optional.of(field + " must be host:port, got '" + printable(value) + "'");
        }
        int port = parsed.get().port();
        if (port < minPort || port > 65535) {
            return Optional.of(field + " port must be " + minPort + "..65535, got " + port);
        }
        return Optional.empty();
    }

    private static Optional<String> name(String what, String value, int max, Pattern pattern, String allowed) {
        if (value == null || value.isEmpty()) {
            return Optional.of(what + " is required");
        }
        String shown = printable(value);
        if (value.length() > max) {
            return Optional.of(what + " '" + shown.substring(0, Math.min(shown.length(), 20)) + "...' is "
                    + value.length() + " characters long, at most " + max + " are allowed");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                return Optional.of(what + " '" + shown + "' contains a control character");
            }
            if (c == '/') {
                return Optional.of(what + " '" + shown + "' contains '/'");
            }
        }
        if (!pattern.matcher(value).matches()) {
            return Optional.of("invalid " + what + " '" + shown + "' (1-" + max + " " + allowed
                    + ", starting with a letter or digit)");
        }
        return Optional.empty();
    }

    /** The value with control characters shown as \\uXXXX, so that a message stays one line. */
    static String printable(String value) {
        StringBuilder b = new StringBuilder(value.length());
        value.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** The first of the migration's numbers (protobuf uint64) that is out of range, with the allowed range. */
    public static Optional<String> migrationNumbers(long maxDowntimeMs, long bandwidthMiBps, long timeoutS,
            long parallelConnections) {
        return MAX_DOWNTIME_MS.checkUnsigned(maxDowntimeMs)
                .or(() -> BANDWIDTH_MIBPS.checkUnsigned(bandwidthMiBps))
                .or(() -> TIMEOUT_S.checkUnsigned(timeoutS))
                .or(() -> PARALLEL_CONNECTIONS.checkUnsigned(parallelConnections));
    }
}
