package io.livemig.cli.experiment.runner;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pings the guest every few milliseconds from the lab LAN (iputils {@code ping -D}, root for
 * intervals below 200 ms) and keeps the host time of every reply: the longest gap between
 * replies around the migration is the downtime as the network sees it.
 */
final class PingRecorder implements AutoCloseable {

    /** "[1732480000.123456] 64 bytes from 10.213.77.100: icmp_seq=12 ttl=64 time=0.41 ms". */
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+)\\.(\\d+)] \\d+ bytes from ");

    private final Process process;
    private final Thread reader;
    private final List<Long> replies = new ArrayList<>(); // epoch ms, under this
    private final long originEpochMs;

    /**
     * @param originEpochMs the run's time origin: reply times are reported relative to it
     * @param maxSeconds    ping stops by itself after this long (-w), whatever happens to us
     */
    PingRecorder(String ip, int intervalMs, long originEpochMs, int maxSeconds) throws IOException {
        this.originEpochMs = originEpochMs;
        String interval = String.format(java.util.Locale.ROOT, "%.3f", intervalMs / 1000.0);
        this.process = new ProcessBuilder("ping", "-n", "-D", "-i", interval, "-W", "1", "-w", String.valueOf(maxSeconds), ip)
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        this.reader = new Thread(this::read, "livemig-ping-" + ip);
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = REPLY.matcher(line);
                if (m.find()) {
                    String frac = (m.group(2) + "000").substring(0, 3);
                    long epochMs = Long.parseLong(m.group(1)) * 1000 + Long.parseLong(frac);
                    synchronized (this) {
                        replies.add(epochMs - originEpochMs);
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Reply times so far, ms relative to the run's origin. */
    synchronized List<Long> replies() {
        return List.copyOf(replies);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
        reader.join(2000);
    }
}
