package io.livemig.agent.metrics;

import io.livemig.agent.service.AgentEvents;
import io.livemig.agent.service.AgentException;
import io.livemig.agent.service.HostAgent;
import io.livemig.agent.service.HostStatus;
import io.livemig.agent.service.MigrationView;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.Optional;

/**
 * The agent's Prometheus metrics: migrations counted and timed as they end (fed through
 * {@link AgentEvents}), the host's load and the migrations in flight read from the agent on each
 * scrape. Labels are small fixed sets (modes, outcomes, escalation kinds, directions): no VM or
 * host names, so the number of series stays bounded.
 */
public final class AgentMetrics implements AgentEvents {

    /** From a 10 ms pause to a 10 minute migration. */
    static final double[] SECONDS_BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter migrations;
    private final Histogram duration;
    private final Histogram downtime;
    private final Counter bytes;
    private final Counter escalations;
    private final Histogram phases;

    public AgentMetrics() {
        migrations = Counter.builder().name("livemig_migrations_total")
                .help("Outgoing migrations that ended, by the mode asked for, the mode that finished it and outcome")
                .labelNames("mode_requested", "mode_used", "outcome").register(registry);
        duration = Histogram.builder().name("livemig_migration_duration_seconds")
                .help("Wall time of outgoing migrations that ran, from start to end (any outcome)")
                .labelNames("mode_used").classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
        downtime = Histogram.builder().name("livemig_migration_downtime_seconds")
                .help("Time the guest was paused, of outgoing migrations that succeeded")
                .labelNames("mode_used").classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
        bytes = Counter.builder().name("livemig_migration_bytes_total")
                .help("Bytes sent by outgoing migrations, all passes included").register(registry);
        escalations = Counter.builder().name("livemig_escalations_total")
                .help("Steps the policy took to make outgoing migrations converge, by kind")
                .labelNames("kind").register(registry);
        phases = Histogram.builder().name("livemig_migration_phase_seconds")
                .help("Duration of each phase of outgoing migrations as this agent measured it (any outcome)")
                .labelNames("phase").classicOnly().classicUpperBounds(SECONDS_BUCKETS).register(registry);
    }

    /** Adds the gauges read from {@code agent} on each scrape: migrations in flight and the host's load. */
    public AgentMetrics watch(HostAgent agent) {
        GaugeWithCallback.builder().name("livemig_migrations_in_flight")
                .help("Migrations under way on this host: outgoing, and incoming (reserved or arriving)")
                .labelNames("direction")
                .callback(cb -> {
                    cb.call(agent.migrationsOutgoing(), "outgoing");
                    cb.call(agent.migrationsIncoming(), "incoming");
                }).register(registry);
        // One host reading per scrape for the three gauges; a host libvirt cannot answer for has none.
        HostReading reading = new HostReading(agent);
        GaugeWithCallback.builder().name("livemig_host_guest_cpu_utilisation")
                .help("CPU used by the guests, as a fraction of the host's CPUs (0..1)")
                .callback(cb -> reading.get().ifPresent(s -> cb.call(s.guestCpuUtilisation()))).register(registry);
        GaugeWithCallback.builder().name("livemig_host_memory_free_bytes")
                .help("Memory free on the host, as libvirt reports it")
                .callback(cb -> reading.get().ifPresent(s -> cb.call(s.info().memoryFreeBytes()))).register(registry);
        GaugeWithCallback.builder().name("livemig_host_vms")
                .help("Running VMs on the host")
                .callback(cb -> reading.get().ifPresent(s -> cb.call(s.runningVms()))).register(registry);
        return this;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void migrationEnded(MigrationView.Result r) {
        String outcome = r.status().name().toLowerCase(Locale.ROOT);
        migrations.labelValues(r.modeRequested(), r.modeUsed(), outcome).inc();
        if (r.totalMs() > 0) {
            duration.labelValues(r.modeUsed()).observe(r.totalMs() / 1000.0);
        }
        if (r.status() == MigrationView.Status.SUCCEEDED) {
            downtime.labelValues(r.modeUsed()).observe(r.downtimeMs() / 1000.0);
        }
        if (r.bytesTransferred() > 0) {
            bytes.inc(r.bytesTransferred());
        }
        r.escalations().forEach(step -> escalations.labelValues(step.kind()).inc());
        r.phases().forEach(p -> phases.labelValues(p.name()).observe(p.durationMs() / 1000.0));
    }

    /**
     * The host's status, read at most once per second: the three host gauges are collected one
     * after the other in one scrape, and each reading asks libvirt.
     */
    private static final class HostReading {
        private final HostAgent agent;
        private Optional<HostStatus> last = Optional.empty();
        private long readAtNanos;

        HostReading(HostAgent agent) {
            this.agent = agent;
        }

        synchronized Optional<HostStatus> get() {
            long now = System.nanoTime();
            if (readAtNanos == 0 || now - readAtNanos > 1_000_000_000L) {
                try {
                    last = Optional.of(agent.status());
                } catch (AgentException | RuntimeException e) {
                    last = Optional.empty(); // libvirt is not answering: no host figures this scrape
                }
                readAtNanos = now;
            }
            return last;
        }
    }
}
