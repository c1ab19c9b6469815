package io.livemig.agent.core.policy;

import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.JobStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Plain-number builders shared by the policy tests. */
final class PolicyFixtures {

    static final long MIB = 1L << 20;

    private PolicyFixtures() {
    }

    /**
     * A running pre-copy sample of a 256 MiB guest.
     *
     * @param dirtyMiBps the dirty rate, or -1 when libvirt did not report it
     * @param bwMiBps    the transfer rate, or -1 when libvirt did not report it
     */
    static JobSample running(long iteration, long remainingMiB, long dirtyMiBps, long bwMiBps) {
        return running(iteration, remainingMiB * MIB, dirtyMiBps, bwMiBps, 256 * MIB);
    }

    static JobSample running(long iteration, long remainingBytes, long dirtyMiBps, long bwMiBps, long memoryBytes) {
        Map<String, Object> p = new HashMap<>();
        p.put("memory_iteration", iteration);
        p.put("memory_total", memoryBytes);
        p.put("memory_remaining", remainingBytes);
        p.put("memory_page_size", 4096L);
        if (dirtyMiBps >= 0) {
            p.put("memory_dirty_rate", dirtyMiBps * MIB / 4096);
        }
        if (bwMiBps >= 0) {
            p.put("memory_bps", bwMiBps * MIB);
        }
        return JobStats.sample(2, p);
    }

    /**
     * Parses "iteration:remainingMiB:dirtyMiBps:bandwidthMiBps;..." (-1 for not reported) into
     * per-iteration measurements.
     */
    static List<IterationStats> history(String spec) {
        List<IterationStats> list = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return list;
        }
        for (String pass : spec.split(";")) {
            String[] f = pass.trim().split(":");
            long dirty = Long.parseLong(f[2]);
            long bw = Long.parseLong(f[3]);
            list.add(new IterationStats(Long.parseLong(f[0]), 0, Long.parseLong(f[1]) * MIB,
                    dirty < 0 ? IterationStats.UNKNOWN : dirty * MIB, bw < 0 ? IterationStats.UNKNOWN : bw * MIB));
        }
        return list;
    }

    /** "SetMaxDowntime(300) Throttle(20) StartPostCopy ..." */
    static String render(List<Action> actions) {
        return actions.stream().map(PolicyFixtures::render).collect(Collectors.joining(" "));
    }

    static String render(Action action) {
        if (action instanceof Action.SetMaxDowntime a) {
            return "SetMaxDowntime(" + a.downtimeMs() + ")";
        } else if (action instanceof Action.SetBandwidth a) {
            return "SetBandwidth(" + a.bandwidthMiBps() + ")";
        } else if (action instanceof Action.Throttle a) {
            return "Throttle(" + a.percent() + ")";
        }
        return action.getClass().getSimpleName();
    }

    /**
     * Feeds the policy a guest that never converges on its own: a first pass of 256 MiB at
     * 30 MiB/s (8.5 s), then passes of 2.87 s that each start with 86 MiB while the guest dirties
     * 30 MiB/s; one sample every 500 ms, up to {@code untilMs}. Returns "Action@iteration" for
     * every action, in order.
     */
    static String runNonConverging(MigrationPolicy policy, long untilMs) {
        List<String> taken = new ArrayList<>();
        PolicyState state = policy.initialState();
        for (long t = 0; t <= untilMs; t += 500) {
            long iteration = t < 8500 ? 1 : 2 + (t - 8500) / 2870;
            JobSample sample = iteration == 1 ? running(1, 256 - t * 30 / 1000, 0, t == 0 ? -1 : 30)
                    : running(iteration, 86, 30, 30);
            PolicyDecision d = policy.decide(state, sample, t);
            for (Action a : d.actions()) {
                taken.add(render(a) + "@" + iteration);
            }
            state = d.next();
            if (state.postcopyStarted() || state.suspended() || state.abortRequested()) {
                break;
            }
        }
        return String.join(" ", taken);
    }
}
