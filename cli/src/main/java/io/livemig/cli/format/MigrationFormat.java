package io.livemig.cli.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.VmState;
import io.livemig.proto.orchestrator.v1.Candidate;
import io.livemig.proto.orchestrator.v1.HostState;
import io.livemig.proto.orchestrator.v1.Migration;
import io.livemig.proto.orchestrator.v1.MigrationState;
import io.livemig.proto.orchestrator.v1.PlacementDecision;
import io.livemig.proto.orchestrator.v1.Rejection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the orchestrator's migrations are written for people and for scripts. The JSON result of a
 * migration has the keys of direct mode's (id, vm, source, target, mode_requested, mode_used,
 * status, total_ms, downtime_ms, setup_ms, memory_bytes, bytes_transferred, iterations,
 * postcopy_requests, escalations, error), so that scripts work in both modes, plus what only the
 * orchestrator knows (reason, origin, times, decision). Both end with the migration's timeline
 * (phases).
 */
public final class MigrationFormat {

    /** AUTO's plan as the history words it ("0.0 s plan OBJECTIVE: REASON"), shown apart from the steps. */
    private static final Pattern PLAN = Pattern.compile("[0-9.]+ s plan (\\S+): (.*)", Pattern.DOTALL);


    /** Made on first use: a mapper costs a command that prints no JSON a noticeable part of its start. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    private MigrationFormat() {
    }

    /** The live progress line: elapsed, done and time left by the agent's estimate, then the job's figures. */
    public static String progressLine(JobSnapshot s) {
        return String.format(Locale.ROOT, "%6.1f s  %-18s  %-9s iteration %d  sent %s  remaining %s  dirty %s/s  link %s/s%s",
                s.getElapsedMs() / 1000.0, MigrationFormat.progress(s),
                s.getPhase().name().replace("MIGRATION_PHASE_", "").toLowerCase(Locale.ROOT),
                s.getIteration(), Units.mib(s.getBytesProcessed()), Units.mib(s.getBytesRemaining()),
                Units.mib(s.getDirtyRateBytesPerS()), Units.mib(s.getBandwidthBytesPerS()),
                s.getThrottlePercent() > 0 ? "  throttle " + s.getThrottlePercent() + "%" : "");
    }

    /**
     * "42%  ETA 7 s": how far a migration is and the time it still needs, as the source agent
     * estimates them from its latest sample; "ETA ?" when the agent cannot tell (pre-copy that will
     * not end by itself). The percentage is rounded down: 100% only once it is done.
     */
    public static String progress(JobSnapshot s) {
        long percent = (long) Math.floor(Math.max(0, Math.min(1, s.getProgress())) * 100);
        return String.format(Locale.ROOT, "%3d%%  ETA %s", percent, s.hasEtaMs() ? Units.timeLeft(s.getEtaMs()) : "?");
    }

    public static String json(Object document) {
        try {
            return Mapper.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + document, e);
        }
    }

    /** "succeeded", "running"...: a state as the CLI shows it. */
    public static String state(MigrationState state) {
        return enumName(state.getValueDescriptor());
    }

    public static String hostState(HostState state) {
        return enumName(state.getValueDescriptor());
    }

    public static boolean isFinal(MigrationState state) {
        return state == MigrationState.MIGRATION_STATE_SUCCEEDED || state == MigrationState.MIGRATION_STATE_FAILED
                || state == MigrationState.MIGRATION_STATE_ABORTED;
    }

    /** "migration m-000001: web1 lab-a -> lab-c, mode auto". */
    public static String header(Migration m) {
        return "migration " + m.getId() + ": " + m.getVm() + " " + m.getSource() + " -> " + m.getTarget() + ", mode "
                + m.getModeRequested();
    }

    /** The line direct mode prints at the end, from the orchestrator's record. */
    public static String summary(Migration m) {
        if (!isFinal(m.getState())) {
            return String.format(Locale.ROOT, "%s %s: %s -> %s, mode %s, migration %s%s", m.getVm(), state(m.getState()),
                    m.getSource(), m.getTarget(), m.getModeRequested(), m.getId(),
                    m.getWaitingFor().isEmpty() ? "" : " (waiting: " + m.getWaitingFor() + ")");
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%s %s: %s -> %s, mode %s (used %s): total %d ms, downtime %d ms, setup %d ms, %d iterations, %s sent for %s of memory",
                m.getVm(), state(m.getState()), m.getSource(), m.getTarget(), m.getModeRequested(),
                m.getModeUsed().isEmpty() ? "none" : m.getModeUsed(), m.getTotalMs(), m.getDowntimeMs(), m.getSetupMs(),
                m.getIterations(), Units.mib(m.getBytesTransferred()), Units.mib(m.getMemoryBytes())));
        if (m.getPostcopyRequests() > 0) {
            b.append(", ").append(m.getPostcopyRequests()).append(" post-copy page requests");
        }
        for (String e : m.getEscalationsList()) {
            Matcher plan = PLAN.matcher(e);
            b.append(plan.matches() ? String.format("%n  plan (objective %s): %s", plan.group(1), plan.group(2))
                    : String.format("%n  escalation at %s", e));
        }
        if (!m.getError().isEmpty()) {
            b.append(String.format("%n  error: %s", m.getError()));
        }
        String timeline = Timelines.line(Timelines.fromProto(m.getPhasesList()));
        if (!timeline.isEmpty()) {
            b.append(String.format("%n  %s", timeline));
        }
        return b.toString();
    }

    /** The JSON result of one migration; {@code decision} may be null. */
    public static Map<String, Object> result(Migration m, PlacementDecision decision) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", m.getId());
        r.put("vm", m.getVm());
        r.put("source", m.getSource());
        r.put("target", m.getTarget());
        r.put("mode_requested", m.getModeRequested());
        r.put("mode_used", m.getModeUsed().isEmpty() ? null : m.getModeUsed());
        r.put("status", state(m.getState()));
        r.put("total_ms", m.getTotalMs());
        r.put("downtime_ms", m.getDowntimeMs());
        r.put("setup_ms", m.getSetupMs());
        r.put("memory_bytes", m.getMemoryBytes());
        r.put("bytes_transferred", m.getBytesTransferred());
        r.put("iterations", m.getIterations());
        r.put("postcopy_requests", m.getPostcopyRequests());
        r.put("escalations", List.copyOf(m.getEscalationsList()));
        r.put("error", m.getError().isEmpty() ? null : m.getError());
        r.put("warning", m.getWarning().isEmpty() ? null : m.getWarning());
        r.put("reason", !m.getReason().isEmpty() || decision == null ? m.getReason() : decision.getExplanation());
        r.put("origin", m.getOrigin());
        r.put("waiting_for", m.getWaitingFor().isEmpty() ? null : m.getWaitingFor());
        r.put("agent_migration_id", m.getAgentMigrationId().isEmpty() ? null : m.getAgentMigrationId());
        r.put("requested_at_ms", epochMs(m.getRequestedAtMs()));
        r.put("started_at_ms", epochMs(m.getStartedAtMs()));
        r.put("ended_at_ms", epochMs(m.getEndedAtMs()));
        if (decision != null) {
            r.put("decision", decision(decision));
        }
        r.put("phases", Timelines.json(Timelines.fromProto(m.getPhasesList())));
        return r;
    }

    static Map<String, Object> decision(PlacementDecision d) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("policy", d.getPolicy());
        r.put("chosen", d.getChosen().isEmpty() ? null : d.getChosen());
        List<Map<String, Object>> candidates = new ArrayList<>();
        for (Candidate c : d.getCandidatesList()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("host", c.getHost());
            cm.put("score", c.getScore());
            cm.put("projected_load", c.getProjectedLoad());
            candidates.add(cm);
        }
        r.put("candidates", candidates);
        List<Map<String, Object>> rejections = new ArrayList<>();
        for (Rejection x : d.getRejectionsList()) {
            Map<String, Object> xm = new LinkedHashMap<>();
            xm.put("host", x.getHost());
            xm.put("reason", x.getReason());
            xm.put("explanation", x.getExplanation());
            rejections.add(xm);
        }
        r.put("rejections", rejections);
        r.put("explanation", d.getExplanation());
        return r;
    }

    /**
     * Every field of a message under its proto (snake_case) name, in declaration order: enums as
     * their lower-case short name ("succeeded"), times (*_at_ms) as epoch ms or null when unset.
     */
    public static Map<String, Object> fields(Message message) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (FieldDescriptor f : message.getDescriptorForType().getFields()) {
            Object value = message.getField(f);
            if (f.isRepeated()) {
                List<Object> values = new ArrayList<>();
                for (Object v : (List<?>) value) {
                    values.add(plain(f, v));
                }
                r.put(f.getName(), values);
            } else if (f.getName().endsWith("_at_ms")) {
                r.put(f.getName(), epochMs(((Number) value).longValue()));
            } else {
                r.put(f.getName(), plain(f, value));
            }
        }
        return r;
    }

    private static Object plain(FieldDescriptor f, Object value) {
        if (value instanceof EnumValueDescriptor e) {
            return enumName(e);
        }
        if (value instanceof Message m) {
            return fields(m);
        }
        return value;
    }

    private static Long epochMs(long ms) {
        return ms == 0 ? null : ms;
    }

    /** MIGRATION_STATE_SUCCEEDED of MigrationState: "succeeded". */
    public static String enumName(EnumValueDescriptor value) {
        String prefix = value.getType().getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT) + "_";
        String name = value.getName();
        return (name.startsWith(prefix) ? name.substring(prefix.length()) : name).toLowerCase(Locale.ROOT);
    }

    /**
     * A VM's state for tables, with libvirt's reason where the agent gives one: "running",
     * "paused (post-copy failed)", "shut off (crashed)".
     */
    public static String vmState(VmState state, String reason) {
        String name = enumName(state.getValueDescriptor()).replace('_', ' ');
        return reason == null || reason.isEmpty() ? name : name + " (" + reason + ")";
    }

    /** At most {@code max} characters of one line, with "..." when cut. */
    public static String shorten(String text, int max) {
        String line = MigrationSummary.oneLine(text);
        return line.length() <= max ? line : line.substring(0, Math.max(0, max - 3)) + "...";
    }
}
