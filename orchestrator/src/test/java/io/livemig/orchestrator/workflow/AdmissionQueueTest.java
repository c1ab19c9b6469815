package io.livemig.orchestrator.workflow;

import static io.livemig.orchestrator.workflow.Records.planned;
import static io.livemig.orchestrator.workflow.Records.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.orchestrator.workflow.AdmissionQueue.Limits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AdmissionQueueTest {
    private final AdmissionQueue queue = new AdmissionQueue();
    private static final Limits WIDE = new Limits(100, 100, 100);

    private static List<String> ids(List<MigrationRecord> records) {
        return records.stream().map(MigrationRecord::id).toList();
    }

    private static Arguments row(String name, Limits limits, List<MigrationRecord> running,
            List<MigrationRecord> queued, List<String> expected) {
        return Arguments.of(name, limits, running, queued, expected);
    }

    /** (name, limits, running, queued, ids expected to start, in order). */
    static Stream<Arguments> table() {
        return Stream.of(
                row("empty queue", WIDE, List.of(), List.of(), List.of()),
                row("everything fits", WIDE, List.of(),
                        List.of(planned("q1", "v1", "a", "b", 1), planned("q2", "v2", "a", "b", 2)),
                        List.of("q1", "q2")),
                // cluster limit
                row("cluster limit 2, none running", new Limits(2, 9, 9), List.of(),
                        List.of(planned("q1", "v1", "a", "b", 1), planned("q2", "v2", "c", "d", 2),
                                planned("q3", "v3", "e", "f", 3)),
                        List.of("q1", "q2")),
                row("cluster limit 2, one running", new Limits(2, 9, 9),
                        List.of(running("r1", "v9", "x", "y")),
                        List.of(planned("q1", "v1", "a", "b", 1), planned("q2", "v2", "c", "d", 2)),
                        List.of("q1")),
                row("cluster limit already reached", new Limits(1, 9, 9),
                        List.of(running("r1", "v9", "x", "y")),
                        List.of(planned("q1", "v1", "a", "b", 1)), List.of()),
                // per-host outgoing
                row("outgoing 1: second from a waits", new Limits(9, 1, 9), List.of(),
                        List.of(planned("q1", "v1", "a", "b", 1), planned("q2", "v2", "a", "c", 2),
                                planned("q3", "v3", "d", "e", 3)),
                        List.of("q1", "q3")),
                row("outgoing 1: a busy with a running one", new Limits(9, 1, 9),
                        List.of(running("r1", "v9", "a", "x")),
                        List.of(planned("q1", "v1", "a", "b", 1), planned("q2", "v2", "d", "e", 2)),
                        List.of("q2")),
                row("outgoing 2", new Limits(9, 2, 9), List.of(running("r1", "v9", "a", "x")),
                        List.of(planned("q1", "v1", "a", "b", 1), planned("q2", "v2", "a", "c", 2)),
                        List.of("q1")),
                // per-host incoming
                row("incoming 1: second to c waits", new Limits(9, 9, 1), List.of(),
                        List.of(planned("q1", "v1", "a", "c", 1), planned("q2", "v2", "b", "c", 2),
                                planned("q3", "v3", "d", "e", 3)),
                        List.of("q1", "q3")),
                row("incoming 2", new Limits(9, 9, 2), List.of(),
                        List.of(planned("q1", "v1", "a", "c", 1), planned("q2", "v2", "b", "c", 2),
                                planned("q3", "v3", "d", "c", 3)),
                        List.of("q1", "q2")),
                row("incoming 1: c busy with a running one", new Limits(9, 9, 1),
                        List.of(running("r1", "v9", "x", "c")),
                        List.of(planned("q1", "v1", "a", "c", 1), planned("q2", "v2", "a", "d", 2)),
                        List.of("q2")),
                row("outgoing and incoming are counted apart", new Limits(9, 1, 1),
                        List.of(running("r1", "v9", "a", "b")),
                        List.of(planned("q1", "v1", "b", "a", 1)), List.of("q1")),
                // FIFO
                row("FIFO by requestedAt whatever the input order", new Limits(2, 9, 9), List.of(),
                        List.of(planned("q3", "v3", "e", "f", 30), planned("q1", "v1", "a", "b", 10),
                                planned("q2", "v2", "c", "d", 20)),
                        List.of("q1", "q2")),
                row("FIFO ties broken by id", new Limits(2, 9, 9), List.of(),
                        List.of(planned("m-3", "v3", "e", "f", 5), planned("m-2", "v2", "c", "d", 5),
                                planned("m-1", "v1", "a", "b", 5)),
                        List.of("m-1", "m-2")),
                // no head-of-line blocking
                row("blocked head does not block others", new Limits(3, 1, 9), List.of(),
                        List.of(planned("q1", "v1", "a", "b", 1), planned("q2", "v2", "a", "c", 2),
                                planned("q3", "v3", "d", "e", 3), planned("q4", "v4", "f", "g", 4),
                                planned("q5", "v5", "h", "i", 5)),
                        List.of("q1", "q3", "q4")),
                row("blocked by incoming, later ones go", new Limits(9, 9, 1),
                        List.of(running("r1", "v9", "x", "b")),
                        List.of(planned("q1", "v1", "a", "b", 1), planned("q2", "v2", "a", "c", 2)),
                        List.of("q2")),
                // one VM never twice
                row("VM already running", WIDE, List.of(running("r1", "demo", "a", "b")),
                        List.of(planned("q1", "demo", "b", "c", 1), planned("q2", "v2", "d", "e", 2)),
                        List.of("q2")),
                row("VM twice in the queue", WIDE, List.of(),
                        List.of(planned("q1", "demo", "a", "b", 1), planned("q2", "demo", "a", "c", 2),
                                planned("q3", "v3", "a", "c", 3)),
                        List.of("q1", "q3")),
                row("a VM's later migration does not overtake its held-back earlier one",
                        new Limits(9, 1, 9), List.of(running("r1", "v9", "a", "x")),
                        List.of(planned("q1", "demo", "a", "b", 1), planned("q2", "demo", "c", "d", 2)),
                        List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void startable(String name, Limits limits, List<MigrationRecord> running,
            List<MigrationRecord> queued, List<String> expected) {
        List<MigrationRecord> admitted = queue.startable(queued, running, limits);
        assertEquals(expected, ids(admitted));
        // reasons() agrees: "" exactly for the admitted ones.
        Map<String, String> reasons = queue.reasons(queued, running, limits);
        assertEquals(queued.size(), reasons.size());
        reasons.forEach((id, why) -> assertEquals(expected.contains(id), why.isEmpty(), id + ": " + why));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            free                        | 9 | 9 | 9 | v1   | x     | y     | ''
            cluster full                | 3 | 9 | 9 | v1   | x     | y     | cluster limit 3 reached
            lab-d outgoing 1            | 9 | 1 | 9 | v1   | lab-d | y     | lab-d has 1 outgoing migration (limit 1)
            lab-a outgoing 2            | 9 | 2 | 9 | v1   | lab-a | y     | lab-a has 2 outgoing migrations (limit 2)
            lab-a above a lowered limit | 9 | 1 | 9 | v1   | lab-a | y     | lab-a has 2 outgoing migrations (limit 1)
            lab-b incoming 1            | 9 | 9 | 1 | v1   | x     | lab-b | lab-b has 1 incoming migration (limit 1)
            lab-c incoming 2            | 9 | 9 | 2 | v1   | x     | lab-c | lab-c has 2 incoming migrations (limit 2)
            lab-a outgoing under limit  | 9 | 3 | 9 | v1   | lab-a | y     | ''
            lab-c incoming under limit  | 9 | 9 | 3 | v1   | x     | lab-c | ''
            VM migrating                | 9 | 9 | 9 | demo | x     | y     | VM demo is already migrating
            VM migrating beats cluster  | 3 | 9 | 9 | demo | x     | y     | VM demo is already migrating
            cluster beats host limits   | 3 | 1 | 1 | v1   | lab-a | lab-b | cluster limit 3 reached
            outgoing beats incoming     | 9 | 1 | 1 | v1   | lab-d | lab-b | lab-d has 1 outgoing migration (limit 1)
            """)
    void whyWaiting(String name, int cluster, int out, int in, String vm, String source,
            String target, String expected) {
        // lab-a: 2 outgoing, lab-d: 1 outgoing; lab-b: 1 incoming, lab-c: 2 incoming.
        List<MigrationRecord> running = List.of(
                running("r1", "demo", "lab-a", "lab-b"), running("r2", "other", "lab-a", "lab-c"),
                running("r3", "third", "lab-d", "lab-c"));
        MigrationRecord q = planned("q1", vm, source, target, 1);
        assertEquals(expected, queue.whyWaiting(q, running, new Limits(cluster, out, in)));
    }

    @Test
    void whyWaitingIsEmptyWithNothingRunning() {
        assertEquals("", queue.whyWaiting(planned("q1", "demo", "a", "b", 1), List.of(),
                new Limits(1, 1, 1)));
    }

    @Test
    void reasonsCountTheOnesAdmittedBeforeInTheSameCall() {
        List<MigrationRecord> queued = List.of(
                planned("q1", "demo", "lab-a", "lab-b", 1),
                planned("q2", "other", "lab-a", "lab-c", 2),
                planned("q3", "demo", "lab-d", "lab-e", 3),
                planned("q4", "third", "lab-d", "lab-e", 4),
                planned("q5", "fourth", "lab-f", "lab-g", 5));
        Map<String, String> reasons = queue.reasons(queued, List.of(), new Limits(2, 1, 1));
        assertEquals(List.of("q1", "q2", "q3", "q4", "q5"), List.copyOf(reasons.keySet()));
        assertEquals("", reasons.get("q1"));
        assertEquals("lab-a has 1 outgoing migration (limit 1)", reasons.get("q2"));
        assertEquals("VM demo is already migrating", reasons.get("q3"));
        assertEquals("", reasons.get("q4"));
        assertEquals("cluster limit 2 reached", reasons.get("q5"));
    }

    @Test
    void heldBackEarlierMigrationOfTheSameVmIsTheReason() {
        List<MigrationRecord> queued = List.of(
                planned("q1", "demo", "lab-a", "lab-b", 1), planned("q2", "demo", "lab-c", "lab-d", 2));
        Map<String, String> reasons = queue.reasons(
                queued, List.of(running("r1", "x", "lab-a", "lab-z")), new Limits(9, 1, 9));
        assertEquals("lab-a has 1 outgoing migration (limit 1)", reasons.get("q1"));
        assertEquals("VM demo has an earlier queued migration", reasons.get("q2"));
    }

    @Test
    void limitsMustBeAtLeastOne() {
        assertThrows(IllegalArgumentException.class, () -> new Limits(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Limits(1, 0, 1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Limits(1, 1, -2));
        assertTrue(e.getMessage().contains("-2"), e.getMessage());
        assertEquals(1, new Limits(1, 1, 1).cluster());
    }

    @Test
    void recordsMustBeInTheStateTheirListImplies() {
        MigrationRecord requested = Records.requested("m-1");
        MigrationRecord runningOne = running("r1", "v", "a", "b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> queue.startable(List.of(requested), List.of(), WIDE));
        assertTrue(e.getMessage().contains("m-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> queue.startable(List.of(runningOne), List.of(), WIDE));
        assertThrows(IllegalArgumentException.class, () -> queue.startable(
                List.of(), List.of(planned("q1", "v", "a", "b", 1)), WIDE));
    }

    @Test
    void inputListsAreNotModified() {
        List<MigrationRecord> queued = new ArrayList<>(List.of(
                planned("q2", "v2", "a", "b", 2), planned("q1", "v1", "c", "d", 1)));
        List<MigrationRecord> copy = List.copyOf(queued);
        queue.startable(queued, List.of(), WIDE);
        assertEquals(copy, queued);
    }

    /**
     * Random queues: what is admitted never breaks a limit or runs a VM twice, and every record
     * left waiting has a reason that holds once the admitted ones are counted (so nothing that
     * could start is left behind).
     */
    @Test
    void randomQueuesRespectTheLimitsAndAdmitAllTheyCan() {
        Random random = new Random(42);
        String[] hosts = {"h1", "h2", "h3", "h4", "h5"};
        for (int round = 0; round < 300; round++) {
            Limits limits = new Limits(1 + random.nextInt(6), 1 + random.nextInt(3),
                    1 + random.nextInt(3));
            List<MigrationRecord> running = new ArrayList<>();
            for (int i = 0; i < random.nextInt(4); i++) {
                int s = random.nextInt(5);
                running.add(running("r" + i, "rv" + i, hosts[s], hosts[(s + 1) % 5]));
            }
            List<MigrationRecord> queued = new ArrayList<>();
            for (int i = 0; i < random.nextInt(12); i++) {
                int s = random.nextInt(5);
                int t = (s + 1 + random.nextInt(4)) % 5;
                String vm = random.nextInt(4) == 0 ? "rv0" : "qv" + random.nextInt(8);
                queued.add(planned("q" + i, vm, hosts[s], hosts[t], random.nextInt(5)));
            }

            List<MigrationRecord> admitted = queue.startable(queued, running, limits);

            List<MigrationRecord> all = new ArrayList<>(running);
            all.addAll(admitted);
            assertTrue(all.size() <= Math.max(limits.cluster(), running.size()));
            Map<String, Integer> out = new HashMap<>();
            Map<String, Integer> in = new HashMap<>();
            Set<String> vms = new HashSet<>();
            for (MigrationRecord r : admitted) {
                assertTrue(vms.add(r.vm()), "VM admitted twice: " + r.vm());
            }
            for (MigrationRecord r : running) {
                assertFalse(vms.contains(r.vm()), "running VM admitted: " + r.vm());
                out.merge(r.source(), 1, Integer::sum);
                in.merge(r.target(), 1, Integer::sum);
            }
            Map<String, Integer> outBefore = new HashMap<>(out);
            Map<String, Integer> inBefore = new HashMap<>(in);
            for (MigrationRecord r : admitted) {
                out.merge(r.source(), 1, Integer::sum);
                in.merge(r.target(), 1, Integer::sum);
                assertTrue(out.get(r.source()) <= Math.max(limits.perHostOutgoing(),
                        outBefore.getOrDefault(r.source(), 0)));
                assertTrue(in.get(r.target()) <= Math.max(limits.perHostIncoming(),
                        inBefore.getOrDefault(r.target(), 0)));
            }
            // Admitted ones are a FIFO-ordered subsequence of the queue.
            List<MigrationRecord> fifo = new ArrayList<>(queued);
            fifo.sort(AdmissionQueue.FIFO);
            List<MigrationRecord> subsequence = new ArrayList<>(fifo);
            subsequence.retainAll(admitted);
            assertEquals(subsequence, admitted);
            // Maximal: once all admitted run, each waiting one is still blocked for its reason.
            Set<String> vmsMigrating = new HashSet<>(vms);
            running.forEach(r -> vmsMigrating.add(r.vm()));
            for (MigrationRecord q : fifo) {
                if (admitted.contains(q)) {
                    continue;
                }
                boolean blocked = vmsMigrating.contains(q.vm())
                        || all.size() >= limits.cluster()
                        || out.getOrDefault(q.source(), 0) >= limits.perHostOutgoing()
                        || in.getOrDefault(q.target(), 0) >= limits.perHostIncoming()
                        || fifo.stream().takeWhile(e -> e != q).anyMatch(e -> e.vm().equals(q.vm()));
                assertTrue(blocked, "round " + round + ": " + q.id() + " could have started");
            }
        }
    }
}
