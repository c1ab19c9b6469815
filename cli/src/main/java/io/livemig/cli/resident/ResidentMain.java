package io.livemig.cli.resident;

import io.livemig.agent.libvirt.LibvirtHypervisor;
import io.livemig.cli.Main;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import io.livemig.cli.client.ClientSecurity;
import io.livemig.cli.client.ClientTarget;
import io.livemig.cli.client.ClientWarmup;
import io.livemig.cli.format.Timelines;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resident client process, which the launcher starts in the background (unless
 * {@code LIVEMIG_RESIDENT=0}) and then hands its client commands to (see {@link ResidentServer}).
 * Arguments: the state file and the build's stamp. It listens on the loopback address, on a port
 * of the kernel's choosing, and writes "PORT TOKEN PID" to the state file, readable by its user
 * only (the directory is made 0700); one server per state file (a lock beside it). It ends after
 * {@code LIVEMIG_RESIDENT_IDLE_S} seconds without a command (default {@link #DEFAULT_IDLE}), or
 * when a launcher of another build calls, and removes its state file.
 */
public final class ResidentMain {

    static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);
    static final String IDLE_ENV = "LIVEMIG_RESIDENT_IDLE_S";
    /** Environment variables that name files: taken relative to the caller's working directory. */
    static final List<String> PATH_VARIABLES = List.of(ClientTarget.CLUSTER_ENV, ClientSecurity.ENV_CA,
            ClientSecurity.ENV_CERT, ClientSecurity.ENV_KEY);

    private ResidentMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: ResidentMain STATE_FILE STAMP");
            System.exit(2);
        }
        Path state = Path.of(args[0]).toAbsolutePath();
        Path dir = state.getParent();
        try {
            Files.createDirectories(dir,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try (FileChannel lockFile = FileChannel.open(dir.resolve(state.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockFile.tryLock()) {
                if (lock != null) { // else another one serves this state file, or is starting
                    serve(state, args[1], idle(System.getenv(IDLE_ENV)));
                }
            }
        } catch (IOException e) {
            // Its log (resident.log) gets one line; the commands run in JVMs of their own meanwhile.
            System.err.println("livemig resident client: " + e);
            System.exit(1);
        }
        System.exit(0);
    }

    private static void serve(Path state, String stamp, Duration idle) throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        try (ServerSocket socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
            String content = socket.getLocalPort() + " " + token + " " + ProcessHandle.current().pid() + "\n";
            Path tmp = state.resolveSibling(state.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.move(tmp, state, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            // What every command needs, ready before the first one comes.
            ClientWarmup.inBackground(ClientWarmup::now);
            try {
                new ResidentServer(socket, token, stamp, idle, ResidentMain::run, System.out).serve();
            } finally {
                if (Files.isReadable(state) && content.equals(Files.readString(state, StandardCharsets.US_ASCII))) {
                    Files.deleteIfExists(state);
                }
            }
        }
    }

    static Duration idle(String seconds) {
        if (seconds == null || seconds.isBlank()) {
            return DEFAULT_IDLE;
        }
        try {
            long s = Long.parseLong(seconds.strip());
            return s > 0 ? Duration.ofSeconds(s) : DEFAULT_IDLE;
        } catch (NumberFormatException e) {
            return DEFAULT_IDLE;
        }
    }

    private static int run(ResidentRequest request, java.io.PrintWriter out, java.io.PrintWriter err) {
        Timelines.startedBy(request.launcher());
        try (AgentChannels channels = AgentChannels.secured()) {
            return Main.executeIn(request.directory(), () -> new LibvirtHypervisor(), channels, request.terminal(),
                    ClientEnvironment.of(absolutePaths(request.env(), request.directory())), out, err,
                    request.args().toArray(String[]::new));
        } finally {
            Timelines.startedBy(0);
        }
    }

    /** {@code env} with the variables that name files made absolute against {@code directory}. */
    static Map<String, String> absolutePaths(Map<String, String> env, Path directory) {
        Map<String, String> result = new LinkedHashMap<>(env);
        for (String name : PATH_VARIABLES) {
            String value = result.get(name);
            if (value != null && !value.isBlank()) {
                result.put(name, directory.resolve(value.strip()).toString());
            }
        }
        return result;
    }
}
