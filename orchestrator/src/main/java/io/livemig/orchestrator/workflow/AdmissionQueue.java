package io.livemig.orchestrator.workflow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which planned migrations may start now. Migrations compete for the network and for
 * the hosts' CPU and memory bandwidth, so the number running at once is limited in the whole
 * cluster and per host, counting outgoing (source) and incoming (target) migrations separately.
 * Pure: the caller passes the queue and what runs, and starts what is returned.
 *
 * <p>The queue is served first in, first out ({@link #FIFO}: by {@code requestedAt}, then id),
 * without head-of-line blocking: a migration held back only by its own hosts' limits does not
 * hold back later ones between other hosts. Once the cluster limit is reached nothing more
 * starts. A VM never has two migrations running at once, and a VM's queued migrations start in
 * their FIFO order: a later one never overtakes an earlier one held back by a host limit, since
 * the earlier one's source would no longer be where the VM runs.
 */
public final class AdmissionQueue {

    /** FIFO order of the queue: oldest request first, then by id. */
    public static final Comparator<MigrationRecord> FIFO =
            Comparator.comparing(MigrationRecord::requestedAt).thenComparing(MigrationRecord::id);

    /**
     * How many migrations may run at once.
     *
     * @param cluster in the whole cluster
     * @param perHostOutgoing per source host
     * @param perHostIncoming per target host
     */
    public record Limits(int cluster, int perHostOutgoing, int perHostIncoming) {
        public Limits {
            if (cluster < 1 || perHostOutgoing < 1 || perHostIncoming < 1) {
                throw new IllegalArgumentException(String.format(
                        "migration limits must be >= 1, got cluster %d, perHostOutgoing %d,"
                                + " perHostIncoming %d", cluster, perHostOutgoing, perHostIncoming));
            }
        }
    }

    /**
     * The queued migrations that may start now, in FIFO order, each counted against the limits
     * before the next is considered.
     *
     * @param queued PLANNED records (sorted here by {@link #FIFO}, so any order will do)
     * @param running RUNNING records
     * @throws IllegalArgumentException if a record is not in the state its list implies
     */
    public List<MigrationRecord> startable(
            List<MigrationRecord> queued, List<MigrationRecord> running, Limits limits) {
        List<MigrationRecord> admitted = new ArrayList<>();
        review(queued, running, limits, (r, why) -> {
            if (why.isEmpty()) {
                admitted.add(r);
            }
        });
        return admitted;
    }

    /**
     * For every queued migration, in FIFO order, the reason it would wait (as {@link #whyWaiting})
     * or "" if {@link #startable} admits it; the admitted ones are counted as running for the
     * ones after them, and a VM's earlier queued migration holds back its later ones. Keys are
     * record ids.
     */
    public Map<String, String> reasons(
            List<MigrationRecord> queued, List<MigrationRecord> running, Limits limits) {
        Map<String, String> reasons = new LinkedHashMap<>();
        review(queued, running, limits, (r, why) -> reasons.put(r.id(), why));
        return reasons;
    }

    /**
     * One line on why {@code queued} cannot start now given what runs, e.g. "cluster limit 2
     * reached", "lab-a has 1 outgoing migration (limit 1)", "VM demo is already migrating"; "" if
     * it could start. Other queued records are not considered (see {@link #reasons}).
     */
    public String whyWaiting(MigrationRecord queued, List<MigrationRecord> running, Limits limits) {
        Objects.requireNonNull(queued, "queued");
        return reasons(List.of(queued), running, limits).get(queued.id());
    }

    private interface Verdict {
        void accept(MigrationRecord r, String whyWaiting);
    }

    private static void review(List<MigrationRecord> queued, List<MigrationRecord> running,
            Limits limits, Verdict verdict) {
        Objects.requireNonNull(limits, "limits");
        requireState(queued, RecordState.PLANNED, "queued");
        requireState(running, RecordState.RUNNING, "running");

        int total = running.size();
        Map<String, Integer> outgoing = new HashMap<>();
        Map<String, Integer> incoming = new HashMap<>();
        Map<String, String> migratingVms = new HashMap<>();
        for (MigrationRecord r : running) {
            outgoing.merge(r.source(), 1, Integer::sum);
            incoming.merge(r.target(), 1, Integer::sum);
            migratingVms.put(r.vm(), "VM " + r.vm() + " is already migrating");
        }
        Set<String> heldVms = new HashSet<>();

        List<MigrationRecord> fifo = new ArrayList<>(queued);
        fifo.sort(FIFO);
        for (MigrationRecord q : fifo) {
            String why;
            int out = outgoing.getOrDefault(q.source(), 0);
            int in = incoming.getOrDefault(q.target(), 0);
            if (migratingVms.containsKey(q.vm())) {
                why = migratingVms.get(q.vm());
            } else if (heldVms.contains(q.vm())) {
                why = "VM " + q.vm() + " has an earlier queued migration";
            } else if (total >= limits.cluster()) {
                why = "cluster limit " + limits.cluster() + " reached";
            } else if (out >= limits.perHostOutgoing()) {
                why = q.source() + " has " + count(out, "outgoing") + " (limit "
                        + limits.perHostOutgoing() + ")";
            } else if (in >= limits.perHostIncoming()) {
                why = q.target() + " has " + count(in, "incoming") + " (limit "
                        + limits.perHostIncoming() + ")";
            } else {
                why = "";
                total++;
                outgoing.merge(q.source(), 1, Integer::sum);
                incoming.merge(q.target(), 1, Integer::sum);
                migratingVms.put(q.vm(), "VM " + q.vm() + " is already migrating");
            }
            if (!why.isEmpty()) {
                heldVms.add(q.vm());
            }
            verdict.accept(q, why);
        }
    }

    private static String count(int n, String direction) {
        return n + " " + direction + " migration" + (n == 1 ? "" : "s");
    }

    private static void requireState(
            List<MigrationRecord> records, RecordState state, String list) {
        for (MigrationRecord r : Objects.requireNonNull(records, list)) {
            if (r.state() != state) {
                throw new IllegalArgumentException(
                        "migration " + r.id() + " is " + r.state() + ", not " + state + ", in " + list);
            }
        }
    }
}
