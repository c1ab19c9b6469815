package io.livemig.orchestrator.service;

import io.livemig.common.log.MigrationLog;
import io.livemig.orchestrator.history.History;
import io.livemig.orchestrator.history.HistoryException;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.service.Orchestrator.HistoryHealth;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RetryBackoff;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migration records as the orchestrator's parts see them: the {@link History}, with on top the
 * versions it could not write (its disk full, its file read-only...).
 *
 * <p>A migration that runs cannot wait for the disk: when the history does not take a record's new
 * version (started, or how it ended), the version is kept here, every read answers with it (so a
 * finished migration no longer holds its VM, and whoever follows it sees the end), and it is
 * written later, with {@link RetryBackoff#HISTORY_WRITES}: the first retry a second after the
 * failure, then twice as long each time up to once a minute, each retry writing the kept versions
 * oldest first and stopping at the first failure; and at once after any other write succeeds. At a
 * stop they are tried once more; what is still unwritten then is settled by the next start's
 * reconciliation, from the agents' answers.
 *
 * <p>The last failure is the history's {@link #health} problem until a write works. When no
 * version waits (e.g. only a new migration was refused), the same retries make a write that
 * changes nothing ({@link History#probeWrite}), so the problem clears once there is room again
 * even if nothing else is written meanwhile. Thread-safe.
 */
final class Records {

    private static final Logger LOG = LoggerFactory.getLogger(Orchestrator.class);

    /** A version of a record the history did not take, and the one line saying why. */
    private record Unwritten(MigrationRecord record, String failure) {}

    private final History history;
    private final OrchestratorEvents events;
    private final ChangeSignal signal;
    private final ScheduledExecutorService scheduler;
    private final RetryBackoff backoff;
    /** By record id, oldest first. */
    private final Map<String, Unwritten> unwritten = new LinkedHashMap<>(); // under this
    private String problem = ""; // under this: the last write failure; "" when the last write worked
    private int failedInARow; // under this
    private ScheduledFuture<?> retry; // under this

    Records(History history, OrchestratorEvents events, ChangeSignal signal, ScheduledExecutorService scheduler,
            RetryBackoff backoff) {
        this.history = history;
        this.events = events;
        this.signal = signal;
        this.scheduler = scheduler;
        this.backoff = backoff;
    }

    /** A new migration id; a failure is reported and thrown (nothing was recorded). */
    synchronized String nextId() {
        try {
            String id = history.nextId();
            wrote();
            return id;
        } catch (HistoryException e) {
            failed(e);
            throw e;
        }
    }

    /** Adds a new record; a failure is reported and thrown (nothing was recorded). */
    synchronized void insert(MigrationRecord r) {
        try {
            history.insert(r);
            wrote();
        } catch (HistoryException e) {
            failed(e);
            throw e;
        }
    }

    /**
     * Writes a record's new version. When the history cannot take it, the version is kept, shown
     * by every read and written later; the failure is returned (empty: written).
     */
    synchronized Optional<HistoryException> update(MigrationRecord r) {
        try {
            history.update(r);
        } catch (HistoryException e) {
            boolean known = unwritten.containsKey(r.id());
            unwritten.put(r.id(), new Unwritten(r, e.getMessage()));
            failed(e);
            try (MigrationLog ctx = MigrationLog.of(r.id(), r.vm())) {
                LOG.warn("record ({}) {} to the history, kept in memory until it is: {}",
                        r.state().name().toLowerCase(Locale.ROOT), known ? "still not written" : "not written",
                        e.getMessage());
            }
            return Optional.of(e);
        }
        unwritten.remove(r.id());
        wrote();
        return Optional.empty();
    }

    /** The record with this id, its unwritten version first. */
    synchronized Optional<MigrationRecord> get(String id) {
        Unwritten u = unwritten.get(id);
        return u != null ? Optional.of(u.record()) : history.get(id);
    }

    /** The newest version of {@code r} known: as {@link #get}, or {@code r} itself when the history cannot be read. */
    synchronized MigrationRecord latest(MigrationRecord r) {
        try {
            return get(r.id()).orElse(r);
        } catch (HistoryException e) {
            return r;
        }
    }

    /** The records not in a terminal state, oldest first: those the history has, as their unwritten version has them. */
    synchronized List<MigrationRecord> unfinished() {
        List<MigrationRecord> stored = history.unfinished();
        if (unwritten.isEmpty()) {
            return stored;
        }
        return stored.stream().map(this::newest).filter(r -> !r.terminal()).toList();
    }

    /** The records matching {@code q}, newest first, unwritten versions in place of the history's. */
    synchronized List<MigrationRecord> list(HistoryStore.Query q) {
        if (unwritten.isEmpty()) {
            return history.list(q);
        }
        // Each unwritten version may take one of the history's records out of the answer: ask for as many more.
        HistoryStore.Query wider = new HistoryStore.Query(q.vm(), q.host(), q.state(), q.limit() + unwritten.size());
        Map<String, MigrationRecord> found = new LinkedHashMap<>();
        for (MigrationRecord r : history.list(wider)) {
            found.put(r.id(), newest(r));
        }
        unwritten.values().forEach(u -> found.put(u.record().id(), u.record()));
        List<MigrationRecord> answer = new ArrayList<>(found.values().stream().filter(q::matches).toList());
        answer.sort(Comparator.comparing(MigrationRecord::requestedAt).thenComparing(MigrationRecord::id).reversed());
        return answer.subList(0, Math.min(q.limit(), answer.size()));
    }

    /** For a record whose latest version is not written yet: what its readers should know. */
    synchronized Optional<String> warning(String id) {
        return Optional.ofNullable(unwritten.get(id)).map(u -> "the orchestrator could not write this record to its "
                + "history (" + u.failure() + "); it keeps it in memory and writes it once it can");
    }

    synchronized HistoryHealth health() {
        return new HistoryHealth(problem, unwritten.size());
    }

    /**
     * Writes the unwritten versions, oldest first, until one fails; then the next retry is
     * scheduled. Never throws: what it cannot write stays for the next retry, or the next start.
     */
    void writeUnwritten() {
        write(false);
    }

    /** As {@link #writeUnwritten}; with {@code probe}, when nothing waits but the last write failed, a probe write. */
    private void write(boolean probe) {
        try {
            writeAll(probe);
        } catch (RuntimeException e) {
            // e.g. a history closed meanwhile (stopping): the next start settles what is unwritten
            LOG.warn("cannot write the records kept in memory: {}", e.getMessage());
        }
    }

    private synchronized void writeAll(boolean probe) {
        if (unwritten.isEmpty()) {
            if (probe && !problem.isEmpty()) {
                probe();
            }
            return;
        }
        int written = 0;
        for (Unwritten u : List.copyOf(unwritten.values())) {
            try {
                history.update(u.record());
            } catch (HistoryException e) {
                unwritten.put(u.record().id(), new Unwritten(u.record(), e.getMessage()));
                failed(e);
                return;
            }
            unwritten.remove(u.record().id());
            written++;
        }
        LOG.info("history writable again: wrote the {} kept in memory", written == 1 ? "record" : written + " records");
        wrote();
        signal.changed();
    }

    /** Nothing waits but the last write failed: a write that changes nothing tells whether writes work again. */
    private void probe() {
        try {
            history.probeWrite();
        } catch (HistoryException e) {
            failed(e);
            return;
        }
        LOG.info("history writable again");
        wrote();
    }

    /** A scheduled retry. */
    private void retryDue() {
        synchronized (this) {
            if (retry != null && retry.getDelay(TimeUnit.MILLISECONDS) <= 0) {
                retry = null; // this one, or one as due: the next failure schedules anew
            }
        }
        write(true);
    }

    /** A write worked: the history is fine once nothing waits; else what waits is written now. */
    private void wrote() {
        if (unwritten.isEmpty()) {
            boolean was = !problem.isEmpty();
            problem = "";
            failedInARow = 0;
            if (was) {
                signal.changed();
            }
        } else {
            retryIn(0);
        }
    }

    private void failed(HistoryException e) {
        problem = e.getMessage();
        failedInARow++;
        events.historyWriteFailed(e.storageFull());
        // the versions waiting are written then; when none waits, a probe tells whether writes work again
        retryIn(backoff.before(failedInARow).toMillis());
        signal.changed();
    }

    /** Schedules a retry in {@code delayMs}, unless one comes sooner already. */
    private void retryIn(long delayMs) {
        if (retry != null && !retry.isDone()) {
            if (retry.getDelay(TimeUnit.MILLISECONDS) <= delayMs) {
                return;
            }
            retry.cancel(false);
        }
        try {
            retry = scheduler.schedule(this::retryDue, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            retry = null; // stopping: a last attempt is made on the way out
        }
    }

    /** The newest version of a record read from the history. */
    private MigrationRecord newest(MigrationRecord stored) {
        Unwritten u = unwritten.get(stored.id());
        return u == null ? stored : u.record();
    }
}
