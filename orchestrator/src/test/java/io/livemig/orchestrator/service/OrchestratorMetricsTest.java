package io.livemig.orchestrator.service;

import static io.livemig.orchestrator.service.FakeAgents.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.metrics.MetricsEndpoint;
import io.livemig.orchestrator.history.HistoryStore;
import io.livemig.orchestrator.metrics.OrchestratorMetrics;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.RebalanceSettings;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import io.livemig.orchestrator.workflow.RecordState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The orchestrator's metrics endpoint, scraped over real HTTP, with fake agents. */
class OrchestratorMetricsTest {

    @TempDir
    Path tmp;
    FakeAgents agents;
    HistoryStore history;
    Orchestrator orchestrator;
    MetricsEndpoint endpoint;

    @BeforeEach
    void start() throws Exception {
        agents = new FakeAgents().host("a", 4, 16 * GIB, 0.1).host("b", 4, 16 * GIB, 0.1).host("c", 4, 16 * GIB, 0.0)
                .vm("a", "web1", 2 * GIB, 0.9, "br-a").vm("a", "web2", 2 * GIB, 0.8, "br-a")
                .vm("b", "cache1", 1 * GIB, 0.3, "br-b");
        history = HistoryStore.open(tmp.resolve("history.db"));
        OrchestratorMetrics metrics = new OrchestratorMetrics();
        orchestrator = new Orchestrator(ClusterConfig.parse(OrchestratorTest.CLUSTER, "test"), new Orchestrator.Settings(
                PlacementPolicy.BALANCE, new AdmissionQueue.Limits(2, 1, 1), Duration.ofHours(1), 3,
                RebalanceSettings.DEFAULT, Duration.ZERO, false), agents, history, Clock.systemUTC(), metrics);
        orchestrator.start();
        endpoint = MetricsEndpoint.start("127.0.0.1", 0, metrics.watch(orchestrator).registry(), false);
    }

    @AfterEach
    void stop() {
        endpoint.close();
        orchestrator.close();
        history.close();
    }

    @Test
    void aFinishedMigrationIsCountedAndTimedAndTheQueueIsEmptyAgain() throws Exception {
        String first = orchestrator.migrate("web1", "c", OrchestratorTest.AUTO, "user").record().id();
        String second = orchestrator.migrate("web2", "c", OrchestratorTest.AUTO, "user").record().id();
        awaitState(first, RecordState.RUNNING);
        String during = scrape();
        assertTrue(during.contains("livemig_migrations_running 1.0"), during);
        assertTrue(during.contains("livemig_migrations_queued 1.0"), during); // c takes one incoming at a time
        orchestrator.abort(second);
        agents.complete("web1");
        awaitState(first, RecordState.SUCCEEDED);

        String text = awaitScrape("livemig_migrations_total{origin=\"user\",outcome=\"succeeded\"} 1.0");
        assertTrue(text.contains("livemig_migrations_total{origin=\"user\",outcome=\"aborted\"} 1.0"), text);
        assertTrue(text.contains("livemig_migration_duration_seconds_count{mode_used=\"precopy\"} 1"), text);
        // The migration aborted while queued has the phases it went through, the other all of them.
        for (String phase : List.of("request", "placement", "admission_wait")) {
            assertTrue(text.contains("livemig_migration_phase_seconds_count{phase=\"" + phase + "\"} 2"), phase + ": " + text);
        }
        for (String phase : List.of("target_prepare", "job", "agent_calls", "result")) {
            assertTrue(text.contains("livemig_migration_phase_seconds_count{phase=\"" + phase + "\"} 1"), phase + ": " + text);
        }
        assertTrue(text.contains("livemig_migration_duration_seconds_bucket{mode_used=\"precopy\",le=\"2.5\"} 1"), text);
        assertTrue(text.contains("livemig_migration_downtime_seconds_bucket{mode_used=\"precopy\",le=\"0.05\"} 1"), text);
        assertTrue(text.contains("livemig_migration_downtime_seconds_bucket{mode_used=\"precopy\",le=\"0.025\"} 0"), text);
        assertTrue(text.contains("livemig_migrations_running 0.0"), text);
        assertTrue(text.contains("livemig_migrations_queued 0.0"), text);
        assertTrue(text.contains("livemig_migration_bytes_total " + (double) (2 * GIB + (8 << 20))), text);
    }

    @Test
    void hostsAndRoundsAreReported() throws Exception {
        orchestrator.rebalance(true, "test");
        String text = scrape();
        for (String host : new String[] {"a", "b", "c"}) {
            assertTrue(text.contains("livemig_host_up{host=\"" + host + "\"} 1.0"), text);
            assertTrue(text.contains("livemig_host_load{host=\"" + host + "\"} "), text);
        }
        assertTrue(text.contains("livemig_rebalance_rounds_total{dry_run=\"true\",kind=\"rebalance\"} 1.0"), text);
    }

    private void awaitState(String id, RecordState state) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Orchestrator.View v = orchestrator.view(id);
        while (v.record().state() != state && System.nanoTime() < end) {
            v = orchestrator.awaitView(id, v.version(), Duration.ofSeconds(1));
        }
        assertEquals(state, v.record().state(), v.record().toString());
    }

    /** The record is written before the metrics hear of it: scrape until they have, bounded. */
    private String awaitScrape(String expected) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String text = scrape();
        while (!text.contains(expected) && System.nanoTime() < end) {
            Thread.sleep(50);
            text = scrape();
        }
        assertTrue(text.contains(expected), text);
        return text;
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(endpoint.url())).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }
}
