package io.livemig.orchestrator.config;

import io.livemig.common.config.ClusterConfig;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.TlsConfig;
import io.livemig.common.config.YamlFiles;
import io.livemig.common.config.YamlLines;
import io.livemig.common.input.Inputs;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.common.value.HostPort;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.workflow.AdmissionQueue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The orchestrator's file (YAML, strict: unknown keys are errors with their line).
 *
 * <pre>
 * listen: 0.0.0.0:7080
 * cluster: cluster.yaml            # relative paths: from this file's directory
 * database: /var/lib/livemig/orchestrator.db
 * policy: balance                  # balance | least-loaded | round-robin
 * limits: {cluster: 2, per_host_outgoing: 1, per_host_incoming: 1}
 * load: {interval_s: 5, window: 6} # one spike does not move VMs: loads are window averages
 * rebalance: {interval_s: 0, dry_run: false, threshold: 0.1, min_gain: 0.01, max_moves: 2, cooldown_s: 600}
 * tls: {ca: pki/ca.pem, cert: pki/orchestrator.pem, key: pki/orchestrator.key}
 * allow: [operator]                # identities (certificate CNs) that may change things
 * # insecure: true                 # instead of tls: plaintext, no authentication
 * metrics_listen: 10.0.0.1:9180    # optional: Prometheus metrics over plain HTTP (no control)
 * </pre>
 */
public record OrchestratorConfig(
        String listen,
        String cluster,
        String database,
        String policy,
        Limits limits,
        Load load,
        Rebalance rebalance,
        TlsConfig tls,
        List<String> allow,
        Boolean insecure,
        String metricsListen) {

    public record Limits(Integer cluster, Integer perHostOutgoing, Integer perHostIncoming) {
        public Limits {
            cluster = cluster == null ? 2 : cluster;
            perHostOutgoing = perHostOutgoing == null ? 1 : perHostOutgoing;
            perHostIncoming = perHostIncoming == null ? 1 : perHostIncoming;
        }
    }

    public record Load(Integer intervalS, Integer window) {
        public Load {
            intervalS = intervalS == null ? 5 : intervalS;
            window = window == null ? 6 : window;
        }
    }

    /**
     * @param intervalS 0: no scheduled rounds
     * @param dryRun    scheduled rounds record their plan without moving anything
     */
    public record Rebalance(Integer intervalS, Boolean dryRun, Double threshold, Double minGain, Integer maxMoves,
            Integer cooldownS) {
        public Rebalance {
            intervalS = intervalS == null ? 0 : intervalS;
            dryRun = dryRun != null && dryRun;
            threshold = threshold == null ? 0.10 : threshold;
            minGain = minGain == null ? 0.01 : minGain;
            maxMoves = maxMoves == null ? 2 : maxMoves;
            cooldownS = cooldownS == null ? 600 : cooldownS;
        }
    }

    public OrchestratorConfig {
        listen = listen == null ? "0.0.0.0:7080" : listen;
        policy = policy == null ? "balance" : policy;
        limits = limits == null ? new Limits(null, null, null) : limits;
        load = load == null ? new Load(null, null) : load;
        rebalance = rebalance == null ? new Rebalance(null, null, null, null, null, null) : rebalance;
        // Not List.copyOf: an empty entry ("- " alone) must reach validation to be reported at its line.
        allow = allow == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(allow));
    }

    /** How many migrations may run at once, cluster-wide or on one host. */
    private static final Inputs.Range MIGRATIONS_AT_ONCE = new Inputs.Range("limits", 1, 64, false);
    private static final Inputs.Range LOAD_INTERVAL_S = new Inputs.Range("load.interval_s", 1, 3600, false);
    private static final Inputs.Range LOAD_WINDOW = new Inputs.Range("load.window", 1, 1000, false);
    /** 0: no scheduled rounds; at most a week apart. */
    private static final Inputs.Range REBALANCE_INTERVAL_S = new Inputs.Range("rebalance.interval_s", 0, 604_800,
            false);
    private static final Inputs.Range MAX_MOVES = new Inputs.Range("rebalance.max_moves", 0, 1000, false);
    private static final Inputs.Range COOLDOWN_S = new Inputs.Range("rebalance.cooldown_s", 0, 604_800, false);

    /** The file with its cluster resolved and every value checked. */
    public record Loaded(OrchestratorConfig config, ClusterConfig cluster, Path database, PlacementPolicy policy,
            AdmissionQueue.Limits limits, TransportSecurity security) {}

    public static Loaded load(Path file) throws ConfigException {
        return load(file, false);
    }

    /** Loads {@code file}; {@code insecureFlag}: --insecure was given (plaintext, whatever the file says). */
    public static Loaded load(Path file, boolean insecureFlag) throws ConfigException {
        var read = YamlFiles.readLocated(file, OrchestratorConfig.class);
        OrchestratorConfig c = read.value();
        YamlLines lines = read.lines();
        String where = file + ": ";
        lines.refuseBadListen(c.listen, c.metricsListen);
        lines.refuseBadAllow(c.allow);
        if (c.cluster == null || c.cluster.isBlank()) {
            throw new ConfigException(where + "cluster (path of the cluster file) is required");
        }
        if (c.database == null || c.database.isBlank()) {
            throw new ConfigException(where + "database (path of the history file) is required");
        }
        PlacementPolicy policy = policy(c.policy, lines.at("/policy"));
        check(lines, "/limits/cluster", MIGRATIONS_AT_ONCE.named("limits.cluster"), c.limits.cluster());
        check(lines, "/limits/per_host_outgoing", MIGRATIONS_AT_ONCE.named("limits.per_host_outgoing"),
                c.limits.perHostOutgoing());
        check(lines, "/limits/per_host_incoming", MIGRATIONS_AT_ONCE.named("limits.per_host_incoming"),
                c.limits.perHostIncoming());
        check(lines, "/load/interval_s", LOAD_INTERVAL_S, c.load.intervalS());
        check(lines, "/load/window", LOAD_WINDOW, c.load.window());
        Rebalance r = c.rebalance;
        check(lines, "/rebalance/interval_s", REBALANCE_INTERVAL_S, r.intervalS());
        fraction(lines, "/rebalance/threshold", "rebalance.threshold", r.threshold());
        fraction(lines, "/rebalance/min_gain", "rebalance.min_gain", r.minGain());
        check(lines, "/rebalance/max_moves", MAX_MOVES, r.maxMoves());
        check(lines, "/rebalance/cooldown_s", COOLDOWN_S, r.cooldownS());
        TransportSecurity security = TlsConfig.choose(file, c.tls, c.insecure, insecureFlag);
        Path dir = file.toAbsolutePath().getParent();
        ClusterConfig cluster = ClusterConfig.load(dir.resolve(c.cluster));
        return new Loaded(c, cluster, dir.resolve(c.database),
                policy, new AdmissionQueue.Limits(c.limits.cluster(), c.limits.perHostOutgoing(),
                        c.limits.perHostIncoming()), security);
    }

    private static void check(YamlLines lines, String pointer, Inputs.Range range, long value)
            throws ConfigException {
        lines.refuse(pointer, range.check(value));
    }

    /** Loads are fractions of a host (0..1), and so are differences between them. */
    private static void fraction(YamlLines lines, String pointer, String key, double value) throws ConfigException {
        if (!(value >= 0 && value <= 1)) {
            throw new ConfigException(lines.at(pointer) + key + " must be 0..1 (a fraction of a host's load), got "
                    + value);
        }
    }

    public static PlacementPolicy policy(String name, String where) throws ConfigException {
        try {
            return PlacementPolicy.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + "policy must be balance, least-loaded or round-robin, got '" + name + "'");
        }
    }

    /** This file's settings with another listen address (from a flag or the environment). */
    public OrchestratorConfig withListen(String newListen) {
        return new OrchestratorConfig(newListen, cluster, database, policy, limits, load, rebalance, tls, allow,
                insecure, metricsListen);
    }

    public HostPort listenAddress() {
        return HostPort.parse(listen);
    }

    /** The metrics endpoint's address, when {@code metrics_listen} is set. */
    public HostPort metricsAddress() {
        return HostPort.parse(metricsListen);
    }
}
