package io.livemig.cli.resident;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One command for the resident client, as its launcher sends it: NUL-terminated fields, in order
 * {@link #MAGIC}, the token, the build stamp, the working directory, "1" when stdin and stdout are
 * a terminal (else "0"), the launcher's process id, the argument count and the arguments, the count of environment variables
 * and each as NAME=VALUE.
 *
 * @param token     the secret of the server's state file, which only its user can read
 * @param stamp     what the launcher's build is (lib/ and the JVM, see the launcher): a server of
 *                  another build must not run the command
 * @param directory the caller's working directory, absolute
 * @param terminal  whether the caller's stdin and stdout are a terminal
 * @param launcher  the launcher's process id: the command's timeline starts when it did
 * @param args      the command line's arguments
 * @param env       the caller's environment variables
 */
public record ResidentRequest(String token, String stamp, Path directory, boolean terminal, long launcher,
        List<String> args,
        Map<String, String> env) {

    /** The protocol's name and version, the first field. */
    public static final String MAGIC = "livemig-resident/1";
    /** At most this many bytes in one request: a command line and an environment, not a file. */
    static final int MAX_BYTES = 1 << 20;
    private static final int MAX_COUNT = 10_000;

    public ResidentRequest {
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }

    /**
     * Reads one request from {@code in}.
     *
     * @throws IOException for a stream that ends early, is too long or is not such a request
     */
    public static ResidentRequest read(InputStream in) throws IOException {
        Fields fields = new Fields(in);
        String magic = fields.next();
        if (!MAGIC.equals(magic)) {
            throw new IOException("not a livemig resident request");
        }
        String token = fields.next();
        String stamp = fields.next();
        Path directory = Path.of(fields.next());
        if (!directory.isAbsolute()) {
            throw new IOException("working directory is not absolute: " + directory);
        }
        boolean terminal = "1".equals(fields.next());
        long launcher;
        try {
            launcher = Long.parseLong(fields.next());
        } catch (NumberFormatException e) {
            throw new IOException("not a process id", e);
        }
        int argc = fields.count();
        List<String> args = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            args.add(fields.next());
        }
        int envc = fields.count();
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < envc; i++) {
            String entry = fields.next();
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return new ResidentRequest(token, stamp, directory, terminal, launcher, args, env);
    }

    /** The fields of a request, each up to its NUL, within {@link #MAX_BYTES} in all. */
    private static final class Fields {
        private final InputStream in;
        private int total;

        Fields(InputStream in) {
            this.in = in;
        }

        String next() throws IOException {
            java.io.ByteArrayOutputStream field = new java.io.ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("request ended early");
                }
                if (++total > MAX_BYTES) {
                    throw new IOException("request longer than " + MAX_BYTES + " bytes");
                }
                if (b == 0) {
                    return field.toString(StandardCharsets.UTF_8);
                }
                field.write(b);
            }
        }

        int count() throws IOException {
            String value = next();
            try {
                int n = Integer.parseInt(value);
                if (n < 0 || n > MAX_COUNT) {
                    throw new IOException("count out of range: " + n);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IOException("not a count: " + value, e);
            }
        }
    }
}
