package io.livemig.common.timeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * The phases of a migration's timeline, by name, and how timelines measured by different
 * processes are joined: by durations, laid end to end, since the hosts' clocks are not compared.
 */
public final class Phases {

    // Measured by the command line.
    /** From the command's start (the JVM's) to its migration request leaving. */
    public static final String CLIENT_START = "client_start";
    /** Without an orchestrator: asking every agent of the cluster file where the VM runs. */
    public static final String LOCATE = "locate";
    /** What the command waited for beyond the orchestrator's phases: connecting (TLS), round trips, the news of the end. */
    public static final String RPC = "rpc";

    // Measured by the orchestrator.
    /** The request received and checked. */
    public static final String REQUEST = "request";
    /** Finding the VM, choosing or checking the target, writing the record. */
    public static final String PLACEMENT = "placement";
    /** Queued under the orchestrator's limits until it could start. */
    public static final String ADMISSION_WAIT = "admission_wait";
    /** The source agent's time; replaced by the agent's own phases and {@link #AGENT_CALLS}. */
    public static final String AGENT = "agent";
    /** What the orchestrator waited for beyond the agent's phases: the calls' round trips and the news of the end. */
    public static final String AGENT_CALLS = "agent_calls";
    /** The end seen: loads of both hosts read again, the record finished. */
    public static final String RESULT = "result";

    // Measured by the source agent.
    /** The VM looked up and checked; the host's outgoing admission. */
    public static final String VM_CHECK = "vm_check";
    /** Waiting for a dirty-rate measurement of this host to end (one at a time per host). */
    public static final String DIRTY_RATE_WAIT = "dirty_rate_wait";
    /** The VM's migratable definition read. */
    public static final String SOURCE_XML = "source_xml";
    /** The target checked, rebound and prepared the VM's resources, and reserved its memory. */
    public static final String TARGET_PREPARE = "target_prepare";
    /** libvirt's job from its start to the first byte of memory sent (libvirt's setup time). */
    public static final String JOB_SETUP = "job_setup";
    /** libvirt's job from the first byte to its end. */
    public static final String JOB = "job";
    /**
     * From the VM resuming on the target after its migration until libvirt's call returned: the
     * source's QEMU stopped (the call waits until the process is gone) and the source undefined.
     */
    public static final String SOURCE_CLEANUP = "source_cleanup";
    /** After the job: recovery checks, the target's reservation released, the result made. */
    public static final String FINISH = "finish";

    private Phases() {
    }

    /** The sum of the durations. */
    public static long totalMs(List<Phase> phases) {
        return phases.stream().mapToLong(Phase::durationMs).sum();
    }

    /** The same phases laid end to end from the first one's start (or 0). */
    public static List<Phase> endToEnd(List<Phase> phases) {
        List<Phase> out = new ArrayList<>(phases.size());
        long at = phases.isEmpty() ? 0 : phases.get(0).startMs();
        for (Phase p : phases) {
            out.add(new Phase(p.name(), p.where(), at, p.durationMs()));
            at += p.durationMs();
        }
        return List.copyOf(out);
    }

    /**
     * {@code outer} with its phase named {@code placeholder} replaced by {@code inner} (measured
     * by another process, within the placeholder's span) followed by {@code residual}, the part
     * of the placeholder's span the inner phases do not account for; laid end to end. Without a
     * placeholder, {@code outer} as it is.
     */
    public static List<Phase> splice(List<Phase> outer, String placeholder, List<Phase> inner, String residual) {
        Objects.requireNonNull(inner, "inner");
        List<Phase> out = new ArrayList<>();
        for (Phase p : outer) {
            if (!p.name().equals(placeholder)) {
                out.add(p);
                continue;
            }
            out.addAll(inner);
            out.add(new Phase(residual, p.where(), 0, Math.max(0, p.durationMs() - totalMs(inner))));
        }
        return endToEnd(out);
    }

    /**
     * A timeline as a caller saw it: its own phases {@code before} the call, then the callee's,
     * then {@code residual}: what the caller waited ({@code waitedMs}, from the call leaving to the
     * end known) beyond the callee's phases. Laid end to end.
     */
    public static List<Phase> seenFrom(List<Phase> before, List<Phase> callee, long waitedMs, String residual,
            String where) {
        List<Phase> out = new ArrayList<>(before);
        out.addAll(callee);
        out.add(new Phase(residual, where, 0, Math.max(0, waitedMs - totalMs(callee))));
        return endToEnd(out);
    }

    /**
     * {@code phases} with the phase named {@code whole} split in two: its first {@code firstMs}
     * (at most all of it) as {@code first}, the rest keeping the name {@code rest}.
     */
    public static List<Phase> split(List<Phase> phases, String whole, String first, long firstMs, String rest) {
        return split(phases, whole, p -> firstMs, first, rest);
    }

    /**
     * {@code phases} with the phase named {@code whole} split in two: its last {@code lastMs} (at
     * most all of it) as {@code last}, what comes before keeping the name {@code head}.
     */
    public static List<Phase> splitLast(List<Phase> phases, String whole, String head, long lastMs, String last) {
        return split(phases, whole, p -> p.durationMs() - lastMs, head, last);
    }

    private static List<Phase> split(List<Phase> phases, String whole, ToLongFunction<Phase> firstMs, String first,
            String rest) {
        List<Phase> out = new ArrayList<>();
        for (Phase p : phases) {
            if (!p.name().equals(whole)) {
                out.add(p);
                continue;
            }
            long head = Math.max(0, Math.min(firstMs.applyAsLong(p), p.durationMs()));
            out.add(new Phase(first, p.where(), p.startMs(), head));
            out.add(new Phase(rest, p.where(), p.startMs() + head, p.durationMs() - head));
        }
        return List.copyOf(out);
    }
}
