package io.livemig.cli.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.livemig.common.config.ConfigException;
import io.livemig.common.config.YamlFiles;
import io.livemig.common.input.Inputs;
import io.livemig.common.predict.Objective;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An experiment: which VM to migrate between which two hosts, under which workloads, link limits
 * and modes, how often. Read from a YAML file with snake_case keys by {@link #load}; every value
 * is checked there, so a spec that exists is a spec the {@link Matrix} can plan.
 *
 * <p>Example:
 * <pre>
 * name: quick
 * source: lab-a
 * target: lab-b
 * seed: 42                  # optional: absent, the caller picks one and records it
 * repetitions: 2
 * warmup: true              # default true
 * guest: {mem_mib: 256, vcpus: 1, content: random}
 * workloads:
 *   - {dirty_mib: 64, dirty_rate_mibps: 8}
 * links_mibps: [32]         # 0 = unlimited
 * modes:
 *   - {mode: precopy, max_downtime_ms: 300}
 *   - {mode: postcopy}
 *   - {mode: auto, objective: fastest}   # objective: auto only, default safe
 * baseline: true            # default true
 * ping_interval_ms: 10      # default 10
 * steady_ms: 5200           # default 5200
 * </pre>
 *
 * @param name           experiment name, {@code [a-z0-9_-]+}: it ends up in directory names
 * @param source         host the VM starts on
 * @param target         host it is migrated to
 * @param seed           seed of the run order; empty when the file has none, so that the caller
 *                       picks one and records it (see {@link #withSeed})
 * @param repetitions    runs per cell, at least 1
 * @param warmup         run the spec's first cell once before everything else and leave it out of
 *                       the statistics (first runs pay for cold caches and page-ins)
 * @param guest          the migrated VM
 * @param workloads      memory the guest dirties and how fast
 * @param linksMibps     migration bandwidth limits, 0 for unlimited
 * @param modes          livemig modes to compare
 * @param baseline       also migrate with plain {@code virsh migrate}, as the reference
 * @param pingIntervalMs how often the guest is pinged to measure downtime from outside
 * @param steadyMs       how long each guest's workload runs before the runner lists the VM for the
 *                       last time before its migration (a quiet period follows): the agents measure
 *                       a VM's dirty rate about every 5 s, and a migration plans from the median of
 *                       the last five readings within 30 s, so 5200 gives it one reading of the
 *                       workload and 23000 four or five (polled every 2 s)
 */
public record ExperimentSpec(
        String name,
        String source,
        String target,
        OptionalLong seed,
        int repetitions,
        boolean warmup,
        Guest guest,
        List<Workload> workloads,
        List<Integer> linksMibps,
        List<ModeSpec> modes,
        boolean baseline,
        int pingIntervalMs,
        long steadyMs) {

    /** The livemig modes, as the agent names them. */
    public static final List<String> MODES = List.of("precopy", "stopcopy", "postcopy", "auto");
    /** What auto's plan optimises for ({@link Objective}), as the CLI's {@code --objective} names it. */
    public static final List<String> OBJECTIVES = Arrays.stream(Objective.values())
            .map(o -> o.name().toLowerCase(Locale.ROOT)).toList();
    /** Guest memory contents: random (incompressible) or compressible (mostly repeated pages). */
    public static final List<String> CONTENTS = List.of("random", "compressible");

    public static final int MIN_MEM_MIB = 64;
    public static final int MAX_MEM_MIB = 8192;
    /** Memory the guest's own kernel and workload need besides the dirtied area. */
    public static final int RESERVED_MEM_MIB = 32;
    public static final int MAX_DIRTY_RATE_MIBPS = 1024;
    public static final int MAX_PING_INTERVAL_MS = 200;
    public static final int DEFAULT_PING_INTERVAL_MS = 10;
    /** The agent's interval between two dirty-rate measurements of a VM, and a margin: one reading. */
    public static final long DEFAULT_STEADY_MS = 5200;
    /** Quiet time before and after each migration (after the steady time), for the guest's throughput there. */
    public static final Duration QUIET = Duration.ofSeconds(3);
    public static final long MAX_STEADY_MS = 600_000;

    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final int MAX_REPETITIONS = 1000;
    /** Writes what {@link YamlFiles} reads: snake_case keys, absent optional values left out. */
    private static final ObjectMapper YAML_OUT = new ObjectMapper(new YAMLFactory()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    public ExperimentSpec {
        Objects.requireNonNull(seed, "seed (use OptionalLong.empty())");
        workloads = List.copyOf(workloads);
        linksMibps = List.copyOf(linksMibps);
        modes = List.copyOf(modes);
    }

    /**
     * The VM.
     *
     * @param memMib  memory, 64..8192
     * @param vcpus   virtual CPUs
     * @param content what its memory holds: random or compressible (changes what compression gains)
     */
    public record Guest(int memMib, int vcpus, String content) {}

    /**
     * What the guest's workload does during a run: it rewrites a {@code dirtyMib} area over and
     * over at {@code dirtyRateMibps}, so the pages dirtied between two passes are bounded by the
     * area, however slow the pass.
     */
    public record Workload(int dirtyMib, int dirtyRateMibps) {

        /** "d64r8": the workload's part of run ids, file-name safe. */
        public String label() {
            return "d" + dirtyMib + "r" + dirtyRateMibps;
        }
    }

    /**
     * One livemig mode to run.
     *
     * @param mode          precopy, stopcopy, postcopy or auto
     * @param maxDowntimeMs allowed downtime, 0 for the default (300 ms)
     * @param timeoutS      give up on a run after this long, 0 for the runner's default
     * @param objective     auto: what its plan optimises for, safe or fastest (empty or null: safe,
     *                      the agent's default, written out so that every auto run records it);
     *                      empty for the other modes, which take none
     */
    public record ModeSpec(String mode, long maxDowntimeMs, long timeoutS, String objective) {

        public ModeSpec {
            if (objective == null || objective.isEmpty()) {
                objective = "auto".equals(mode) ? Objective.DEFAULT.name().toLowerCase(Locale.ROOT) : "";
            }
        }
    }

    /** A spec whose guests run their workload {@link #DEFAULT_STEADY_MS} before each migration. */
    public ExperimentSpec(String name, String source, String target, OptionalLong seed, int repetitions, boolean warmup,
            Guest guest, List<Workload> workloads, List<Integer> linksMibps, List<ModeSpec> modes, boolean baseline,
            int pingIntervalMs) {
        this(name, source, target, seed, repetitions, warmup, guest, workloads, linksMibps, modes, baseline,
                pingIntervalMs, DEFAULT_STEADY_MS);
    }

    /** Reads and checks a spec file; the message of the exception names the file and the key. */
    public static ExperimentSpec load(Path file) throws ConfigException {
        return fromDocument(YamlFiles.read(file, Document.class), file.toString());
    }

    /** This spec with its seed set: what is written next to the results so a run can be repeated. */
    public ExperimentSpec withSeed(long newSeed) {
        return new ExperimentSpec(name, source, target, OptionalLong.of(newSeed), repetitions, warmup, guest, workloads,
                linksMibps, modes, baseline, pingIntervalMs, steadyMs);
    }

    /**
     * The spec of a livemig mode, for a run's timeout; empty for a mode not listed (a baseline
     * "precopy" when only postcopy is compared, say).
     */
    public Optional<ModeSpec> mode(String mode) {
        return modes.stream().filter(m -> m.mode().equals(mode)).findFirst();
    }

    /** Guest memory in bytes. */
    public long memBytes() {
        return guest.memMib() * 1024L * 1024L;
    }

    /** The spec as a YAML document {@link #load} reads back to an equal spec, defaults written out. */
    String toYaml() {
        List<WorkloadDoc> w = workloads.stream().map(x -> new WorkloadDoc(x.dirtyMib(), x.dirtyRateMibps())).toList();
        List<ModeDoc> m = modes.stream().map(x -> new ModeDoc(x.mode(),
                x.maxDowntimeMs() == 0 ? null : x.maxDowntimeMs(), x.timeoutS() == 0 ? null : x.timeoutS(),
                x.objective().isEmpty() ? null : x.objective())).toList();
        Document doc = new Document(name, source, target, seed.isPresent() ? seed.getAsLong() : null, repetitions, warmup,
                new GuestDoc(guest.memMib(), guest.vcpus(), guest.content()), w, linksMibps, m, baseline, pingIntervalMs,
                steadyMs);
        try {
            return YAML_OUT.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write spec " + name + " as YAML", e);
        }
    }

    /** The file as written: everything optional, so that missing keys can be told from defaults. */
    record Document(String name, String source, String target, Long seed, Integer repetitions, Boolean warmup,
            GuestDoc guest, List<WorkloadDoc> workloads, List<Integer> linksMibps, List<ModeDoc> modes,
            Boolean baseline, Integer pingIntervalMs, Long steadyMs) {}

    record GuestDoc(Integer memMib, Integer vcpus, String content) {}

    record WorkloadDoc(Integer dirtyMib, Integer dirtyRateMibps) {}

    record ModeDoc(String mode, Long maxDowntimeMs, Long timeoutS, String objective) {}

    private static ExperimentSpec fromDocument(Document d, String source) throws ConfigException {
        String at = source + ": ";
        if (d.name() == null || !NAME.matcher(d.name()).matches()) {
            throw new ConfigException(at + "name is required and must be 1-64 of a-z, 0-9, '_', '-', got " + quoted(d.name()));
        }
        requireHost(at, "source", d.source());
        requireHost(at, "target", d.target());
        if (d.source().equals(d.target())) {
            throw new ConfigException(at + "source and target are both '" + d.source() + "'");
        }
        if (d.repetitions() == null || d.repetitions() < 1 || d.repetitions() > MAX_REPETITIONS) {
            throw new ConfigException(at + "repetitions is required and must be 1.." + MAX_REPETITIONS + ", got " + d.repetitions());
        }
        Guest guest = guest(at, d.guest());
        List<Workload> workloads = workloads(at, d.workloads(), guest.memMib());
        List<Integer> links = links(at, d.linksMibps());
        List<ModeSpec> modes = modes(at, d.modes());
        int ping = d.pingIntervalMs() == null ? DEFAULT_PING_INTERVAL_MS : d.pingIntervalMs();
        if (ping < 1 || ping > MAX_PING_INTERVAL_MS) {
            throw new ConfigException(at + "ping_interval_ms must be 1.." + MAX_PING_INTERVAL_MS + ", got " + ping);
        }
        long steady = d.steadyMs() == null ? DEFAULT_STEADY_MS : d.steadyMs();
        if (steady < 0 || steady > MAX_STEADY_MS) {
            throw new ConfigException(at + "steady_ms must be 0.." + MAX_STEADY_MS + ", got " + steady);
        }
        return new ExperimentSpec(d.name(), d.source(), d.target(),
                d.seed() == null ? OptionalLong.empty() : OptionalLong.of(d.seed()), d.repetitions(),
                d.warmup() == null || d.warmup(), guest, workloads, links, modes, d.baseline() == null || d.baseline(), ping,
                steady);
    }

    private static void requireHost(String at, String key, String value) throws ConfigException {
        if (Inputs.hostName(value).isPresent()) {
            throw new ConfigException(at + key + " is required and must be a host name of the cluster, got " + quoted(value));
        }
    }

    private static Guest guest(String at, GuestDoc g) throws ConfigException {
        if (g == null) {
            throw new ConfigException(at + "guest is required, e.g. guest: {mem_mib: 256, vcpus: 1, content: random}");
        }
        if (g.memMib() == null || g.memMib() < MIN_MEM_MIB || g.memMib() > MAX_MEM_MIB) {
            throw new ConfigException(at + "guest.mem_mib is required and must be " + MIN_MEM_MIB + ".." + MAX_MEM_MIB
                    + ", got " + g.memMib());
        }
        int vcpus = g.vcpus() == null ? 1 : g.vcpus();
        if (vcpus < 1 || vcpus > 64) {
            throw new ConfigException(at + "guest.vcpus must be 1..64, got " + vcpus);
        }
        String content = g.content() == null ? "random" : g.content();
        if (!CONTENTS.contains(content)) {
            throw new ConfigException(at + "guest.content must be one of " + String.join(", ", CONTENTS) + ", got " + quoted(content));
        }
        return new Guest(g.memMib(), vcpus, content);
    }

    private static List<Workload> workloads(String at, List<WorkloadDoc> docs, int memMib) throws ConfigException {
        if (docs == null || docs.isEmpty()) {
            throw new ConfigException(at + "workloads is required: a list of {dirty_mib, dirty_rate_mibps}");
        }
        int maxDirty = memMib - RESERVED_MEM_MIB;
        List<Workload> out = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            String key = "workloads[" + i + "]";
            WorkloadDoc w = docs.get(i);
            if (w == null) {
                throw new ConfigException(at + key + " is empty");
            }
            if (w.dirtyMib() == null || w.dirtyMib() < 0 || w.dirtyMib() > maxDirty) {
                throw new ConfigException(at + key + ".dirty_mib is required and must be 0.." + maxDirty
                        + " (guest.mem_mib - " + RESERVED_MEM_MIB + "), got " + w.dirtyMib());
            }
            if (w.dirtyRateMibps() == null || w.dirtyRateMibps() < 0 || w.dirtyRateMibps() > MAX_DIRTY_RATE_MIBPS) {
                throw new ConfigException(at + key + ".dirty_rate_mibps is required and must be 0.." + MAX_DIRTY_RATE_MIBPS
                        + ", got " + w.dirtyRateMibps());
            }
            Workload workload = new Workload(w.dirtyMib(), w.dirtyRateMibps());
            if (out.contains(workload)) {
                throw new ConfigException(at + key + " repeats workload " + workload.label());
            }
            out.add(workload);
        }
        return out;
    }

    private static List<Integer> links(String at, List<Integer> links) throws ConfigException {
        if (links == null || links.isEmpty()) {
            throw new ConfigException(at + "links_mibps is required: a list of bandwidth limits in MiB/s, 0 for unlimited");
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < links.size(); i++) {
            Integer l = links.get(i);
            // The migration's bandwidth range, 0 included: a run with link 0 sets no limit.
            Inputs.Range link = new Inputs.Range(at + "links_mibps[" + i + "]", 0, Inputs.BANDWIDTH_MIBPS.max(), false);
            if (l == null) {
                throw new ConfigException(link.field() + " must be " + link.describe() + ", got null");
            }
            Optional<String> problem = link.check(l);
            if (problem.isPresent()) {
                throw new ConfigException(problem.get());
            }
            if (!seen.add(l)) {
                throw new ConfigException(at + "links_mibps[" + i + "] repeats " + l);
            }
        }
        return links;
    }

    private static List<ModeSpec> modes(String at, List<ModeDoc> docs) throws ConfigException {
        if (docs == null || docs.isEmpty()) {
            throw new ConfigException(at + "modes is required: a list of {mode, max_downtime_ms, timeout_s, objective}");
        }
        List<ModeSpec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < docs.size(); i++) {
            String key = "modes[" + i + "]";
            ModeDoc m = docs.get(i);
            if (m == null) {
                throw new ConfigException(at + key + " is empty");
            }
            if (m.mode() == null || !MODES.contains(m.mode())) {
                throw new ConfigException(at + key + ".mode is required and must be one of " + String.join(", ", MODES)
                        + ", got " + quoted(m.mode()));
            }
            // A run's cell is its mode and workload, not its downtime limit: the same mode twice
            // would pool two settings into one set of statistics.
            if (!seen.add(m.mode())) {
                throw new ConfigException(at + key + ".mode " + m.mode() + " is listed twice");
            }
            long downtime = m.maxDowntimeMs() == null ? 0 : m.maxDowntimeMs();
            if (m.maxDowntimeMs() != null) {
                requireIn(Inputs.MAX_DOWNTIME_MS, at + key + ".max_downtime_ms", downtime);
            }
            long timeout = m.timeoutS() == null ? 0 : m.timeoutS();
            if (m.timeoutS() != null) {
                requireIn(Inputs.TIMEOUT_S, at + key + ".timeout_s", timeout);
            }
            if (m.objective() != null) {
                if (!OBJECTIVES.contains(m.objective())) {
                    throw new ConfigException(at + key + ".objective must be one of " + String.join(", ", OBJECTIVES)
                            + ", got " + quoted(m.objective()));
                }
                // The agent refuses an objective for any other mode (INVALID_ARGUMENT): say so here, before a run.
                if (!m.mode().equals("auto")) {
                    throw new ConfigException(at + key + ".objective is for mode auto only, got objective " + m.objective()
                            + " for mode " + m.mode());
                }
            }
            out.add(new ModeSpec(m.mode(), downtime, timeout, m.objective()));
        }
        return out;
    }

    /**
     * A value the file gives must be within the shared range; 0 is no default here (the key is
     * left out for that), so the message says the range without it.
     */
    private static void requireIn(Inputs.Range shared, String key, long value) throws ConfigException {
        Optional<String> problem = new Inputs.Range(key, shared.min(), shared.max(), false).check(value);
        if (problem.isPresent()) {
            throw new ConfigException(problem.get());
        }
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }
}
