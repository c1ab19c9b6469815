package io.livemig.cli.resident;

import io.livemig.cli.command.SignalHooks;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The resident client's server: runs the launcher's commands, one at a time, in this JVM, which
 * has started, loaded and compiled what they need once. Each connection carries one
 * {@link ResidentRequest}; the server answers with one line, then frames:
 * <ul>
 *   <li>{@code b} busy (a command runs), {@code z} another build, {@code r} running: the launcher
 *       runs the command itself after {@code b} or {@code z}, and this server ends after {@code z};</li>
 *   <li>{@code o N} and {@code e N}, each followed by N bytes of the command's stdout or stderr;</li>
 *   <li>{@code k}, every {@link #KEEPALIVE}, so that the launcher notices Ctrl-C promptly (bash runs
 *       its traps between reads);</li>
 *   <li>{@code x CODE}, the command's exit code, last.</li>
 * </ul>
 * The launcher sends {@code s} when it gets SIGINT, SIGTERM or SIGHUP; a connection that closes
 * counts as one. Then the hooks the command installed ({@link SignalHooks}: a migration's abort)
 * run, and the command returns its exit code as it would in its own JVM. A command with no hook
 * ends at once with 130, as a JVM stopped by SIGINT does; its thread is interrupted and its output
 * dropped. A request without the token is closed unanswered.
 */
public final class ResidentServer {

    /** Runs one command with the given writers; returns its exit code. */
    public interface Runner {
        int run(ResidentRequest request, PrintWriter out, PrintWriter err) throws Exception;
    }

    static final Duration KEEPALIVE = Duration.ofMillis(200);
    /** How long the launcher may take to send its request: it has it ready when it connects. */
    private static final int REQUEST_TIMEOUT_MS = 5000;
    /** The exit code of a command whose user interrupted it and which had nothing to finish. */
    static final int INTERRUPTED = 130;

    private final ServerSocket socket;
    private final byte[] token;
    private final String stamp;
    private final Duration idle;
    private final Runner runner;
    private final PrintStream log;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "livemig-resident-keepalive");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean stopping;

    /**
     * @param socket bound, on the loopback address
     * @param token  the secret every request must carry
     * @param stamp  this build's stamp: a request with another is answered {@code z} and ends the server
     * @param idle   the server ends after this long without a connection while no command runs
     * @param log    where each command's end is written: its arguments, exit code and time
     */
    public ResidentServer(ServerSocket socket, String token, String stamp, Duration idle, Runner runner,
            PrintStream log) {
        this.socket = socket;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.stamp = stamp;
        this.idle = idle;
        this.runner = runner;
        this.log = log;
    }

    /** Serves until idle for {@code idle}, a request of another build, or {@link #stop}. */
    public void serve() throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, idle.toMillis())));
        try {
            while (!stopping) {
                Socket connection;
                try {
                    connection = socket.accept();
                } catch (SocketTimeoutException e) {
                    if (busy.get()) {
                        continue;
                    }
                    return;
                } catch (IOException e) {
                    if (stopping) {
                        return;
                    }
                    throw e;
                }
                Thread thread = new Thread(() -> handle(connection), "livemig-resident-command");
                thread.setDaemon(true);
                thread.start();
            }
        } finally {
            timer.shutdownNow();
        }
    }

    /** Ends {@link #serve}; a command running goes on to its end. */
    public void stop() {
        stopping = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void handle(Socket connection) {
        try (connection) {
            connection.setSoTimeout(REQUEST_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(connection.getInputStream());
            ResidentRequest request = ResidentRequest.read(in);
            if (!MessageDigest.isEqual(token, request.token().getBytes(StandardCharsets.UTF_8))) {
                return;
            }
            Frames frames = new Frames(connection.getOutputStream());
            if (!stamp.equals(request.stamp())) {
                frames.line("z");
                stop();
                return;
            }
            if (!busy.compareAndSet(false, true)) {
                frames.line("b");
                return;
            }
            try {
                connection.setSoTimeout(0);
                run(request, in, frames);
            } finally {
                busy.set(false);
            }
        } catch (IOException e) {
            // a connection that is not a launcher's, or one that went away: nothing to answer
        }
    }

    private void run(ResidentRequest request, InputStream in, Frames frames) throws IOException {
        frames.line("r");
        Interrupts interrupts = new Interrupts(frames, Thread.currentThread());
        Thread watcher = new Thread(() -> interrupts.watch(in), "livemig-resident-signals");
        watcher.setDaemon(true);
        watcher.start();
        ScheduledFuture<?> keepalive = timer.scheduleAtFixedRate(() -> frames.line("k"),
                KEEPALIVE.toMillis(), KEEPALIVE.toMillis(), TimeUnit.MILLISECONDS);
        Charset charset = Charset.defaultCharset();
        PrintStream systemOut = System.out;
        PrintStream systemErr = System.err;
        PrintStream commandOut = new PrintStream(frames.stream('o'), true, charset);
        PrintStream commandErr = new PrintStream(frames.stream('e'), true, charset);
        int code;
        long started = System.nanoTime();
        try {
            // What the command's libraries print themselves (the log) reaches its caller too.
            System.setOut(commandOut);
            System.setErr(commandErr);
            SignalHooks.Current.use(interrupts);
            PrintWriter out = new PrintWriter(new OutputStreamWriter(commandOut, charset), true);
            PrintWriter err = new PrintWriter(new OutputStreamWriter(commandErr, charset), true);
            try {
                code = runner.run(request, out, err);
            } catch (Exception e) {
                // Main answers every failure with its exit code: this is a bug, said on one line.
                err.println("livemig: internal error: " + e);
                code = 1;
            }
            out.flush();
            err.flush();
        } finally {
            interrupts.finish();
            SignalHooks.Current.use(null);
            System.setOut(systemOut);
            System.setErr(systemErr);
            keepalive.cancel(false);
            Thread.interrupted(); // an interrupt meant for this command must not reach the next
        }
        log.println(Instant.now() + " exit " + code + " after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms: livemig "
                + String.join(" ", request.args()));
        frames.exit(code);
    }

    /** The frames to one launcher; after the exit frame, or once it has gone, nothing more is written. */
    static final class Frames {
        private final OutputStream out;
        private boolean closed;

        Frames(OutputStream out) {
            this.out = out;
        }

        synchronized void line(String line) {
            write((line + "\n").getBytes(StandardCharsets.US_ASCII), null, 0, 0);
        }

        synchronized void exit(int code) {
            line("x " + code);
            closed = true;
        }

        synchronized void data(char kind, byte[] bytes, int offset, int length) {
            if (length > 0) {
                write((kind + " " + length + "\n").getBytes(StandardCharsets.US_ASCII), bytes, offset, length);
            }
        }

        private void write(byte[] header, byte[] bytes, int offset, int length) {
            if (closed) {
                return;
            }
            try {
                out.write(header);
                if (bytes != null) {
                    out.write(bytes, offset, length);
                }
                out.flush();
            } catch (IOException e) {
                closed = true; // the launcher has gone; the watcher saw it too
            }
        }

        OutputStream stream(char kind) {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    data(kind, new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    data(kind, b, off, len);
                }
            };
        }
    }

    /** One command's interrupts: the hooks it installed, run when the launcher says so. */
    static final class Interrupts implements SignalHooks {
        private final Frames frames;
        private final Thread command;
        private final List<Thread> hooks = new ArrayList<>();
        private boolean interrupted;
        private boolean finished;

        Interrupts(Frames frames, Thread command) {
            this.frames = frames;
            this.command = command;
        }

        /** Reads the launcher's signals until its connection closes, which counts as one. */
        void watch(InputStream in) {
            try {
                int b;
                while ((b = in.read()) >= 0) {
                    if (b == 's') {
                        interrupt();
                    }
                }
            } catch (IOException e) {
                // closed: as a signal
            }
            interrupt();
        }

        /** The command has returned: what comes now is the connection closing after it. */
        synchronized void finish() {
            finished = true;
        }

        synchronized void interrupt() {
            if (interrupted || finished) {
                return;
            }
            interrupted = true;
            if (hooks.isEmpty()) {
                frames.exit(INTERRUPTED);
                command.interrupt();
                return;
            }
            for (Thread hook : hooks) {
                hook.start();
            }
        }

        @Override
        public synchronized void add(Thread hook) {
            if (interrupted) {
                hook.start();
            } else {
                hooks.add(hook);
            }
        }

        @Override
        public synchronized void remove(Thread hook) {
            if (interrupted && hooks.contains(hook)) {
                throw new IllegalStateException("interrupted: the hook runs");
            }
            hooks.remove(hook);
        }

        @Override
        public void exitAfterInterrupt(int code) {
            // The command returns its exit code itself, and the server sends it.
        }
    }
}
