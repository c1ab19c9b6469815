package io.livemig.orchestrator.metrics;

import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.orchestrator.service.Orchestrator;
import io.livemig.orchestrator.service.OrchestratorEvents;
import io.livemig.orchestrator.workflow.MigrationRecord;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Locale;

/**
 * The orchestrator's Prometheus metrics: migrations counted and timed as their records finish
 * (fed through {@link OrchestratorEvents}), the queue and the hosts read on each scrape. Labels are
 * small fixed sets; the only names used as labels are the hosts of the cluster file.
 */
public final class OrchestratorMetrics implements OrchestratorEvents {

    /** From a 10 ms pause to a 10 minute migration. */
    static final double[] SECONDS_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter migrations;
    private final Histogram duration;
    private final Histogram downtime;
    private final Counter bytes;
    private final Counter rounds;
    private final Histogram phases;
    private final Counter historyWriteFailures;

    public OrchestratorMetrics() {
        migrations = Counter.builder().name("livemig_migrations_total")
                .help("Migrations whose record finished, by outcome and by who asked (user, rebalance, drain)")
                .labelNames("outcome", "origin").register(registry);
        duration = Histogram.builder().name("livemig_migration_duration_seconds")
                .help("Wall time of migrations that ran, as their source agent reported it (any outcome)")
                .labelNames("mode_used").classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
        downtime = Histogram.builder().name("livemig_migration_downtime_seconds")
                .help("Time the guest was paused, of migrations that succeeded")
                .labelNames("mode_used").classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
        bytes = Counter.builder().name("livemig_migration_bytes_total")
                .help("Bytes sent by finished migrations, all passes included").register(registry);
        rounds = Counter.builder().name("livemig_rebalance_rounds_total")
                .help("Rebalance and drain rounds recorded, by kind and whether they only planned")
                .labelNames("kind", "dry_run").register(registry);
        phases = Histogram.builder().name("livemig_migration_phase_seconds")
                .help("Duration of each phase of finished migrations, from the request received to the end recorded,"
                        + " the source agent's phases included")
                .labelNames("phase").classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
        historyWriteFailures = Counter.builder().name("livemig_history_write_failures_total")
                .help("Writes to the history that failed, retries included, by cause: disk_full (SQLite's SQLITE_FULL)"
                        + " or other (read-only, locked, damaged)")
                .labelNames("cause").register(registry);
    }

    /**
     * Adds the gauges read on each scrape: the queue (from the records), the records waiting in
     * memory for the history, and each host's state and load.
     */
    public OrchestratorMetrics watch(Orchestrator orchestrator) {
        GaugeWithCallback.builder().name("livemig_migrations_queued")
                .help("Migrations requested or planned, waiting for a free slot")
                .callback(cb -> cb.call(count(orchestrator, true))).register(registry);
        GaugeWithCallback.builder().name("livemig_migrations_running")
                .help("Migrations started on their source agent and not finished")
                .callback(cb -> cb.call(count(orchestrator, false))).register(registry);
        GaugeWithCallback.builder().name("livemig_history_unwritten_records")
                .help("Migration records kept in memory because the history did not take them; written once it does")
                .callback(cb -> cb.call(orchestrator.historyHealth().unwrittenRecords())).register(registry);
        GaugeWithCallback.builder().name("livemig_host_load")
                .help("Each host's load as placement weighs it (0..1, a window average); 0 before it answered")
                .labelNames("host")
                .callback(cb -> orchestrator.hosts().forEach(h -> cb.call(h.weightedLoad(), h.config().name())))
                .register(registry);
        GaugeWithCallback.builder().name("livemig_host_up")
                .help("1 when the host's agent answers its health checks, 0 when it is down")
                .labelNames("host")
                .callback(cb -> orchestrator.hosts().forEach(h -> cb.call(h.state() == HostAvailability.DOWN ? 0 : 1,
                        h.config().name())))
                .register(registry);
        return this;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    private static long count(Orchestrator orchestrator, boolean queued) {
        List<MigrationRecord> unfinished = orchestrator.unfinished();
        return unfinished.stream().filter(r -> (r.state() == RecordState.RUNNING) != queued).count();
    }

    @Override
    public void migrationFinished(MigrationRecord r) {
        String modeUsed = r.figures().modeUsed().map(TransferMode::label).orElse("unknown");
        if (r.figures().totalMs() > 0) {
            duration.labelValues(modeUsed).observe(r.figures().totalMs() / 1000.0);
        }
        if (r.state() == RecordState.SUCCEEDED) {
            downtime.labelValues(modeUsed).observe(r.figures().downtimeMs() / 1000.0);
        }
        if (r.figures().bytesTransferred() > 0) {
            bytes.inc(r.figures().bytesTransferred());
        }
        r.figures().phases().forEach(p -> phases.labelValues(p.name()).observe(p.durationMs() / 1000.0));
        // Counted last: a scrape that sees the migration counted sees its duration, downtime and bytes too.
        migrations.labelValues(r.state().name().toLowerCase(Locale.ROOT), origin(r.origin())).inc();
    }

    @Override
    public void roundRecorded(boolean drain, boolean dryRun) {
        rounds.labelValues(drain ? "drain" : "rebalance", String.valueOf(dryRun)).inc();
    }

    @Override
    public void historyWriteFailed(boolean storageFull) {
        historyWriteFailures.labelValues(storageFull ? "disk_full" : "other").inc();
    }

    /** "user", "rebalance", "drain" (or "other"): the round id or host after the colon would make a series per round. */
    static String origin(String origin) {
        int colon = origin.indexOf(':');
        String kind = colon < 0 ? origin : origin.substring(0, colon);
        return kind.equals("user") || kind.equals("rebalance") || kind.equals("drain") ? kind : "other";
    }
}
