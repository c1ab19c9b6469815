package io.livemig.cli.command;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The kinds of YAML file livemig reads, and how to tell them apart by their top-level keys. */
enum ConfigKind {
    AGENT, ORCHESTRATOR, CLUSTER, CLIENT, EXPERIMENT;

    /** Keys only the orchestrator's file has. */
    private static final List<String> ORCHESTRATOR_KEYS = List.of("database", "policy", "limits", "load", "rebalance");
    /** Keys only an experiment spec has. */
    private static final List<String> EXPERIMENT_KEYS = List.of("name", "source", "target", "repetitions", "guest",
            "workloads", "modes", "links_mibps", "baseline", "warmup", "seed", "ping_interval_ms", "steady_ms");

    /**
     * The kind a file with these top-level keys is, or empty when the keys do not say. A file
     * with a key of the wrong kind is then refused by that kind's loader, at the key's line.
     */
    static Optional<ConfigKind> detect(Set<String> keys) {
        if (keys.contains("hosts")) {
            return Optional.of(CLUSTER);
        }
        if (keys.contains("host") || keys.contains("libvirt_uri")) {
            return Optional.of(AGENT);
        }
        if (ORCHESTRATOR_KEYS.stream().anyMatch(keys::contains)) {
            return Optional.of(ORCHESTRATOR);
        }
        if (EXPERIMENT_KEYS.stream().anyMatch(keys::contains)) {
            return Optional.of(EXPERIMENT);
        }
        if (keys.contains("orchestrator")) {
            return Optional.of(CLIENT);
        }
        if (keys.contains("listen") || keys.contains("cluster")) {
            // Both servers' files have these; the agent's also needs host, the orchestrator's database.
            return Optional.empty();
        }
        if (!keys.isEmpty() && Set.of("tls", "insecure").containsAll(keys)) {
            return Optional.of(CLIENT);
        }
        return Optional.empty();
    }

    /** As written on the command line: agent, orchestrator... */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
