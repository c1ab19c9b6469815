package io.livemig.cli.experiment.runner;

import io.livemig.cli.experiment.RunResult;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows the guest's serial log (QEMU appends to it on whichever host the guest runs; the lab
 * keeps it in one directory) and timestamps each heartbeat with the host clock as it arrives:
 * guest time stops while the guest is paused, the host's does not.
 */
final class HeartbeatTail implements AutoCloseable {

    private static final Pattern HB = Pattern.compile("LMHB seq=(\\d+) .*?errors=(\\d+) write_mibps=([0-9.]+)");
    private static final long POLL_MS = 5;

    private final Path log;
    private final long originNanos;
    private final Thread thread;
    private final List<RunResult.Heartbeat> heartbeats = new ArrayList<>(); // under this
    private volatile boolean stop;

    HeartbeatTail(Path log, long originNanos) {
        this.log = log;
        this.originNanos = originNanos;
        this.thread = new Thread(this::follow, "livemig-heartbeats");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(file.length()); // only what comes from now on
            StringBuilder line = new StringBuilder();
            byte[] buffer = new byte[8192];
            while (!stop) {
                int n = file.read(buffer);
                if (n <= 0) {
                    Thread.sleep(POLL_MS); // a file has no event to wait on; polled, 5 ms resolution
                    continue;
                }
                long nowMs = (System.nanoTime() - originNanos) / 1_000_000;
                String chunk = new String(buffer, 0, n, StandardCharsets.UTF_8);
                for (char c : chunk.toCharArray()) {
                    if (c == '\n') {
                        accept(line.toString(), nowMs);
                        line.setLength(0);
                    } else {
                        line.append(c);
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // log gone or stopping
        }
    }

    private void accept(String line, long hostMs) {
        Matcher m = HB.matcher(line);
        if (m.find()) {
            synchronized (this) {
                heartbeats.add(new RunResult.Heartbeat(hostMs, Long.parseLong(m.group(1)), Double.parseDouble(m.group(3)),
                        Long.parseLong(m.group(2))));
            }
        }
    }

    synchronized List<RunResult.Heartbeat> heartbeats() {
        return List.copyOf(heartbeats);
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(2000);
    }
}
