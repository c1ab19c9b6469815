package io.livemig.cli.format;

import io.livemig.common.timeline.Phase;
import io.livemig.common.timeline.Phases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A migration's timeline for the command line: from the wire, as the command saw it, for people and for JSON. */
public final class Timelines {

    private Timelines() {
    }

    /** The process whose start a command's timeline begins at; 0: this one. */
    private static volatile long callerPid;

    /**
     * Makes {@link #sinceProcessStartMs} count from the start of process {@code pid} (0: this
     * process): the launcher of a command that the resident client runs.
     */
    public static void startedBy(long pid) {
        callerPid = pid;
    }

    /**
     * Milliseconds since this process started (the launcher script, which execs the JVM, and the
     * JVM's start included); 0 when the system does not say. On Linux from the process's start
     * and the system's uptime, both counted from boot (10 ms steps): the start time Java offers
     * goes through the boot time, which /proc gives in whole seconds, and is up to a second off.
     */
    public static long sinceProcessStartMs() {
        long pid = callerPid;
        try {
            return sinceStartMs(Files.readString(Path.of("/proc", pid > 0 ? Long.toString(pid) : "self", "stat")),
                    Files.readString(Path.of("/proc/uptime")));
        } catch (IOException | RuntimeException e) {
            Optional<Instant> start = ProcessHandle.current().info().startInstant();
            return start.map(s -> Math.max(0, Duration.between(s, Instant.now()).toMillis())).orElse(0L);
        }
    }

    /**
     * The age of a process from its /proc/PID/stat (field 22: start time in clock ticks after
     * boot, 100 per second on Linux) and /proc/uptime (seconds since boot).
     */
    static long sinceStartMs(String stat, String uptime) {
        // The command name (field 2) is in parentheses and may hold spaces: count from after it.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long startTicks = Long.parseLong(fields[19]);
        double upSeconds = Double.parseDouble(uptime.trim().split(" ")[0]);
        return Math.max(0, Math.round(upSeconds * 1000) - startTicks * 10);
    }

    /** The phases a daemon sent; none when one is malformed. */
    public static List<Phase> fromProto(List<io.livemig.proto.agent.v1.Phase> phases) {
        try {
            return phases.stream().map(p -> new Phase(p.getName(), p.getWhere(), p.getStartMs(), p.getDurationMs()))
                    .toList();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** For --json: one object per phase (name, where, start_ms, duration_ms). */
    public static List<Map<String, Object>> json(List<Phase> phases) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Phase p : phases) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("where", p.where());
            m.put("start_ms", p.startMs());
            m.put("duration_ms", p.durationMs());
            out.add(m);
        }
        return out;
    }

    /** "timeline: client_start 812 ms, request 2 ms, ... (9123 ms)"; "" without phases. */
    public static String line(List<Phase> phases) {
        if (phases.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("timeline:");
        String sep = " ";
        for (Phase p : phases) {
            b.append(sep).append(p.name()).append(' ').append(p.durationMs()).append(" ms");
            sep = ", ";
        }
        return b.append(String.format(Locale.ROOT, " (%d ms)", Phases.totalMs(phases))).toString();
    }
}
