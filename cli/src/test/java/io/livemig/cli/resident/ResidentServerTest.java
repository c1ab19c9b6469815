package io.livemig.cli.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.command.SignalHooks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResidentServerTest {

    private static final String TOKEN = "secret";
    private static final String STAMP = "lib /opt/livemig/lib";

    private ServerSocket socket;
    private ResidentServer server;
    private Thread serving;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final AtomicInteger runs = new AtomicInteger();

    private void start(Duration idle, ResidentServer.Runner runner) throws IOException {
        socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        server = new ResidentServer(socket, TOKEN, STAMP, idle, (request, out, err) -> {
            runs.incrementAndGet();
            return runner.run(request, out, err);
        }, new PrintStream(log, true, StandardCharsets.UTF_8));
        serving = new Thread(() -> {
            try {
                server.serve();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        serving.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.stop();
            serving.join(10_000);
        }
    }

    private Socket send(String token, String stamp, String... args) throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        client.setSoTimeout(20_000);
        List<String> fields = new ArrayList<>(List.of(ResidentRequest.MAGIC, token, stamp, "/tmp", "0", "1",
                String.valueOf(args.length)));
        fields.addAll(List.of(args));
        fields.add("0");
        client.getOutputStream().write(ResidentRequestTest.request(fields.toArray(String[]::new)));
        client.getOutputStream().flush();
        return client;
    }

    /** What the launcher's side makes of the answer: stdout, stderr and the exit code (-1: none). */
    record Answer(String reply, String out, String err, int exit, int keepalives) {}

    private static Answer read(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        String reply = line(in);
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        int exit = -1;
        int keepalives = 0;
        String frame;
        while (reply.equals("r") && (frame = line(in)) != null) {
            String[] parts = frame.split(" ");
            if (parts[0].equals("x")) {
                exit = Integer.parseInt(parts[1]);
                break;
            }
            if (parts[0].equals("k")) {
                keepalives++;
                continue;
            }
            String data = new String(in.readNBytes(Integer.parseInt(parts[1])), StandardCharsets.UTF_8);
            (parts[0].equals("o") ? out : err).append(data);
        }
        return new Answer(reply, out.toString(), err.toString(), exit, keepalives);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.write(c);
        }
        return c < 0 && b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void runsTheCommandAndSendsItsOutputAndExitCode() throws Exception {
        start(Duration.ofMinutes(1), (request, out, err) -> {
            out.println("hosts: " + String.join(",", request.args()));
            err.println("a warning");
            System.out.println("printed by a library"); // reaches the caller too
            return 3;
        });
        try (Socket client = send(TOKEN, STAMP, "hosts", "--json")) {
            Answer a = read(client);
            assertEquals("r", a.reply());
            assertEquals("hosts: hosts,--json\nprinted by a library\n", a.out());
            assertEquals("a warning\n", a.err());
            assertEquals(3, a.exit());
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains(" exit 3 after "), log::toString);
    }

    @Test
    void aRequestWithoutTheTokenRunsNothingAndGetsNoAnswer() throws Exception {
        start(Duration.ofMinutes(1), (request, out, err) -> 0);
        try (Socket client = send("guess", STAMP, "hosts")) {
            assertEquals(-1, client.getInputStream().read());
        }
        assertEquals(0, runs.get());
    }

    @Test
    void aLauncherOfAnotherBuildEndsTheServer() throws Exception {
        start(Duration.ofMinutes(1), (request, out, err) -> 0);
        try (Socket client = send(TOKEN, "lib /elsewhere", "hosts")) {
            assertEquals("z", read(client).reply());
        }
        serving.join(10_000);
        assertFalse(serving.isAlive(), "still serving after a request of another build");
        assertEquals(0, runs.get());
    }

    @Test
    void aSecondCommandWhileOneRunsIsToldBusy() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        start(Duration.ofMinutes(1), (request, out, err) -> {
            running.countDown();
            release.await(20, TimeUnit.SECONDS);
            return 0;
        });
        try (Socket first = send(TOKEN, STAMP, "watch")) {
            assertTrue(running.await(20, TimeUnit.SECONDS));
            try (Socket second = send(TOKEN, STAMP, "hosts")) {
                assertEquals("b", read(second).reply());
            }
            release.countDown();
            assertEquals(0, read(first).exit());
        }
        assertEquals(1, runs.get());
    }

    @Test
    void ctrlCRunsTheCommandsHookAndTheCommandEndsWithItsOwnCode() throws Exception {
        CountDownLatch hooked = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        start(Duration.ofMinutes(1), (request, out, err) -> {
            SignalHooks hooks = SignalHooks.current();
            Thread hook = new Thread(aborted::countDown);
            hooks.add(hook);
            hooked.countDown();
            boolean seen = aborted.await(20, TimeUnit.SECONDS);
            out.println(seen ? "aborted" : "not aborted");
            return seen ? 1 : 0;
        });
        try (Socket client = send(TOKEN, STAMP, "migrate", "vm")) {
            assertTrue(hooked.await(20, TimeUnit.SECONDS));
            client.getOutputStream().write('s');
            client.getOutputStream().flush();
            Answer a = read(client);
            assertEquals("aborted\n", a.out());
            assertEquals(1, a.exit());
        }
        assertTrue(SignalHooks.current() == SignalHooks.JVM, "the command's hooks outlived it");
    }

    @Test
    void ctrlCOfACommandWithoutAHookEndsItAt130AndInterruptsIt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch ended = new CountDownLatch(1);
        start(Duration.ofMinutes(1), (request, out, err) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted.set(true);
            } finally {
                ended.countDown();
            }
            out.println("too late");
            return 0;
        });
        try (Socket client = send(TOKEN, STAMP, "watch", "m-1")) {
            assertTrue(started.await(20, TimeUnit.SECONDS));
            client.getOutputStream().write('s');
            client.getOutputStream().flush();
            Answer a = read(client);
            assertEquals(ResidentServer.INTERRUPTED, a.exit());
            assertEquals("", a.out());
        }
        assertTrue(ended.await(20, TimeUnit.SECONDS));
        assertTrue(interrupted.get(), "the command's thread was not interrupted");
    }

    @Test
    void aLauncherThatGoesAwayCountsAsCtrlC() throws Exception {
        CountDownLatch hooked = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        start(Duration.ofMinutes(1), (request, out, err) -> {
            SignalHooks.current().add(new Thread(aborted::countDown));
            hooked.countDown();
            aborted.await(20, TimeUnit.SECONDS);
            return 1;
        });
        try (Socket client = send(TOKEN, STAMP, "migrate", "vm")) {
            assertTrue(hooked.await(20, TimeUnit.SECONDS));
        }
        assertTrue(aborted.await(20, TimeUnit.SECONDS), "closing the connection did not run the hook");
    }

    @Test
    void keepaliveLinesComeWhileACommandIsSilent() throws Exception {
        start(Duration.ofMinutes(1), (request, out, err) -> {
            Thread.sleep(ResidentServer.KEEPALIVE.toMillis() * 4); // a command that prints nothing for a while
            return 0;
        });
        try (Socket client = send(TOKEN, STAMP, "migrate", "vm", "--json")) {
            Answer a = read(client);
            assertEquals(0, a.exit());
            assertTrue(a.keepalives() >= 2, "keepalives: " + a.keepalives());
        }
    }

    @Test
    void anIdleServerEnds() throws Exception {
        start(Duration.ofMillis(200), (request, out, err) -> 0);
        serving.join(10_000);
        assertFalse(serving.isAlive(), "still serving after its idle time");
    }
}
