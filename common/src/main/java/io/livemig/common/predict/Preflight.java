package io.livemig.common.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Pre-flight advice for one migration (what {@code livemig migrate --plan} shows): turns what the
 * orchestrator or the command knows about a VM, its two hosts and the options asked for into
 * {@link PredictionInputs}, runs {@link MigrationPredictor}, recommends a mode, and says which
 * inputs were only estimated and how. Pure.
 *
 * <p>How each input is taken:
 * <ul>
 *   <li>memory M: the VM's, as its agent reports it (known);</li>
 *   <li>non-zero memory N: learned from an earlier migration of the VM with the same memory, as
 *       min(M, what its first pass sent: the non-zero memory, plus page headers; the orchestrator
 *       learns it from a stop-and-copy in its history, the source agent from its own last
 *       migration of the VM); else estimated as the guest's RAM its host holds, as the source agent
 *       reads it from QEMU's memory map (the pages the guest has written: never less than N); else
 *       estimated as M, every page non-zero (the worst case for the first pass);</li>
 *   <li>dirty rate D: measured by the source agent (the orchestrator averages it over its load
 *       window); 0 when no measurement has finished yet, then taken as 0 and flagged as estimated
 *       (the prediction is then a best case);</li>
 *   <li>working set W: not known, estimated as M (no bound on what a pass can find dirty);</li>
 *   <li>link rate B: the lower of the two hosts' {@code link_mibps} in the cluster file (one of them
 *       when only one is set, flagged), capped by the bandwidth asked for; with neither set, the
 *       bandwidth asked for, else {@value #DEFAULT_LINK_MIBPS} MiB/s, flagged as estimated;</li>
 *   <li>allowed downtime T: the one asked for, else the agent's default of
 *       {@value #DEFAULT_MAX_DOWNTIME_MS} ms;</li>
 *   <li>compression: asked for, its ratio is not known: taken as 1 and flagged; the agent's own
 *       choice of compression for auto on a slow link is not modelled;</li>
 *   <li>post-copy and suspend: allowed unless the options forbid them; AUTO's steps are
 *       {@link #AGENT_LADDER}.</li>
 * </ul>
 */
public final class Preflight {

    /** The allowed downtime a migration gets when none is asked for (the agent's policy default). */
    public static final long DEFAULT_MAX_DOWNTIME_MS = 300;
    /** The link rate taken when neither host's link_mibps is known nor a bandwidth asked for. */
    public static final long DEFAULT_LINK_MIBPS = 1024;
    /**
     * AUTO's steps as the agent takes them: allowed downtime raised up to 2000 ms in 5 steps, one
     * pass between steps, two throttle steps, pre-copy called hopeless at a dirty rate of 0.9 of
     * the sending rate, suspend allowed (the agent's policy defaults with the pacing its service
     * sets; the agent's tests keep the two the same).
     */
    public static final AutoLadder AGENT_LADDER = new AutoLadder(2000, 5, 1, 2, 0.9, true);

    private static final double MIB = 1024.0 * 1024.0;

    private Preflight() {}

    /**
     * What is known of the VM and its two hosts.
     *
     * @param memoryBytes        the VM's memory, &gt; 0
     * @param dirtyRateBytesPerS its measured dirty rate, 0 when not measured yet
     * @param learnedNonZero     what an earlier migration of the VM with the same memory sent in its
     *                           first pass (a stop-and-copy: all its bytes), when there is one
     * @param source             the source host's name
     * @param sourceLinkMiBps    its link_mibps, 0 when not known
     * @param target             the target host's name
     * @param targetLinkMiBps    its link_mibps, 0 when not known
     * @param learnedWorkingSet  what an earlier migration of the VM showed the guest keeps rewriting
     *                           (the source agent learns it where the first pass met it), when
     *                           there is one
     * @param ramHeld            how much of the guest's RAM its host holds (the pages it has
     *                           written: at least its non-zero memory), when the source agent could
     *                           read it
     */
    public record Facts(long memoryBytes, long dirtyRateBytesPerS, OptionalLong learnedNonZero, String source,
            long sourceLinkMiBps, String target, long targetLinkMiBps, OptionalLong learnedWorkingSet,
            OptionalLong ramHeld) {

        public Facts {
            Objects.requireNonNull(learnedNonZero, "learnedNonZero");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(learnedWorkingSet, "learnedWorkingSet");
            Objects.requireNonNull(ramHeld, "ramHeld");
        }

        /** Facts without the RAM its host holds. */
        public Facts(long memoryBytes, long dirtyRateBytesPerS, OptionalLong learnedNonZero, String source,
                long sourceLinkMiBps, String target, long targetLinkMiBps, OptionalLong learnedWorkingSet) {
            this(memoryBytes, dirtyRateBytesPerS, learnedNonZero, source, sourceLinkMiBps, target, targetLinkMiBps,
                    learnedWorkingSet, OptionalLong.empty());
        }

        /** Facts without a learned working set. */
        public Facts(long memoryBytes, long dirtyRateBytesPerS, OptionalLong learnedNonZero, String source,
                long sourceLinkMiBps, String target, long targetLinkMiBps) {
            this(memoryBytes, dirtyRateBytesPerS, learnedNonZero, source, sourceLinkMiBps, target, targetLinkMiBps,
                    OptionalLong.empty());
        }
    }

    /**
     * The options the migration would get; 0 means the default, as in a migration request.
     *
     * @param maxDowntimeMs       allowed downtime, 0: {@value #DEFAULT_MAX_DOWNTIME_MS} ms
     * @param bandwidthMiBps      bandwidth cap, 0: none
     * @param compressed          whether compression (xbzrle or zstd) is asked for
     * @param parallelConnections multifd connections, 0: one
     * @param disallowPostcopy    post-copy must not be used
     * @param disallowSuspend     AUTO must not pause the guest
     */
    public record Options(long maxDowntimeMs, long bandwidthMiBps, boolean compressed, int parallelConnections,
            boolean disallowPostcopy, boolean disallowSuspend) {

        /** Every option its default. */
        public static Options defaults() {
            return new Options(0, 0, false, 0, false, false);
        }
    }

    /**
     * One input as the prediction used it.
     *
     * @param name      memory, non_zero_memory, dirty_rate, working_set, link_rate, allowed_downtime
     *                  or compression_ratio
     * @param value     the figure used
     * @param unit      bytes, bytes/s, ms or ratio
     * @param estimated whether it is only a stand-in
     * @param how       where it comes from, one line
     */
    public record Input(String name, double value, String unit, boolean estimated, String how) {}

    /**
     * The advice.
     *
     * @param prediction     every mode's predicted cost
     * @param recommendation the mode to use under the objective, and why
     * @param inputs         what the prediction rests on, in a fixed order
     */
    public record Advice(Prediction prediction, Recommendation recommendation, List<Input> inputs,
            boolean autoPostcopyFirst) {

        public Advice {
            Objects.requireNonNull(prediction, "prediction");
            Objects.requireNonNull(recommendation, "recommendation");
            inputs = List.copyOf(inputs);
        }

        /** The inputs that were only estimated. */
        public List<Input> estimated() {
            return inputs.stream().filter(Input::estimated).toList();
        }
    }

    /** Predicts every mode for the migration and recommends one under {@code objective}. */
    public static Advice advise(Facts facts, Options options, Objective objective) {
        Objects.requireNonNull(facts, "facts");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(objective, "objective");
        if (facts.memoryBytes() <= 0) {
            throw new IllegalArgumentException("the VM's memory is not known (0 bytes)");
        }
        long memory = facts.memoryBytes();
        List<Input> inputs = new ArrayList<>();
        inputs.add(new Input("memory", memory, "bytes", false, "the VM's, from its agent"));

        Figure nonZero;
        if (facts.learnedNonZero().isPresent() && facts.learnedNonZero().getAsLong() > 0) {
            nonZero = Figure.learned(Math.min(memory, facts.learnedNonZero().getAsLong()));
            inputs.add(new Input("non_zero_memory", nonZero.value(), "bytes", false,
                    "learned from an earlier migration of the VM (what its first pass sent)"));
        } else if (facts.ramHeld().isPresent() && facts.ramHeld().getAsLong() > 0) {
            nonZero = Figure.estimated(Math.min(memory, facts.ramHeld().getAsLong()));
            inputs.add(new Input("non_zero_memory", nonZero.value(), "bytes", true,
                    "not learned yet: taken as the guest's RAM its host holds (the pages it has written, at least "
                            + "its non-zero memory)"));
        } else {
            nonZero = Figure.estimated(memory);
            inputs.add(new Input("non_zero_memory", memory, "bytes", true,
                    "not known: taken as the whole memory (every page non-zero, the worst case)"));
        }

        Figure dirty;
        long d = Math.max(0, facts.dirtyRateBytesPerS());
        if (d > 0) {
            dirty = Figure.measured(d);
            // A VM that arrived lately is listed with the reading its previous host handed over.
            inputs.add(new Input("dirty_rate", d, "bytes/s", false, "from " + facts.source() + "'s agent (the median "
                    + "of its last readings by QEMU's page sampling, up to 5 within 30 s; a VM that arrived there less "
                    + "than 30 s ago brings its previous host's figure)"));
        } else {
            dirty = Figure.estimated(0);
            inputs.add(new Input("dirty_rate", 0, "bytes/s", true,
                    "not measured yet on " + facts.source() + ": taken as 0 (a best case)"));
        }

        Figure workingSet;
        if (facts.learnedWorkingSet().isPresent() && facts.learnedWorkingSet().getAsLong() > 0) {
            workingSet = Figure.learned(Math.min(memory, facts.learnedWorkingSet().getAsLong()));
            inputs.add(new Input("working_set", workingSet.value(), "bytes", false,
                    "learned from an earlier migration of the VM (what its first pass left dirty)"));
        } else {
            workingSet = Figure.estimated(memory);
            inputs.add(new Input("working_set", memory, "bytes", true,
                    "not known: taken as the whole memory (no bound on what a pass finds dirty)"));
        }

        Link link = link(facts, options.bandwidthMiBps());
        inputs.add(new Input("link_rate", link.bytesPerS(), "bytes/s", link.estimated(), link.how()));

        long downtime = options.maxDowntimeMs() > 0 ? options.maxDowntimeMs() : DEFAULT_MAX_DOWNTIME_MS;
        inputs.add(new Input("allowed_downtime", downtime, "ms", false, options.maxDowntimeMs() > 0 ? "asked for"
                : "the agent's default"));

        Compression compression = Compression.none();
        if (options.compressed()) {
            compression = Compression.unknownRatio();
            inputs.add(new Input("compression_ratio", 1, "ratio", true,
                    "compression asked for, its ratio not known: taken as 1 (no gain)"));
        }

        AutoLadder ladder = AGENT_LADDER;
        if (options.disallowSuspend()) {
            ladder = new AutoLadder(ladder.downtimeCapMs(), ladder.downtimeSteps(), ladder.dwellPasses(),
                    ladder.throttleSteps(), ladder.nonConvergenceRatio(), false);
        }
        PredictionInputs in = PredictionInputs.builder(memory, dirty, link.bytesPerS(), downtime, ladder)
                .nonZero(nonZero)
                .workingSet(workingSet)
                .compression(compression)
                .parallelConnections(Math.max(1, options.parallelConnections()))
                .postcopyAllowed(!options.disallowPostcopy())
                .build();
        Prediction prediction = MigrationPredictor.predict(in);
        Recommendation recommendation = prediction.recommend(objective);
        // AUTO follows the recommendation: post-copy right after the first pass when it is
        // post-copy, unless the link's rate is only guessed (then pre-copy first, and the ladder
        // decides from the rate measured).
        boolean postcopyFirst = recommendation.mode() == MigrationMode.POSTCOPY && !link.estimated();
        if (postcopyFirst) {
            prediction = prediction.withAuto(plannedPostcopy(prediction.of(MigrationMode.POSTCOPY), objective));
        }
        return new Advice(prediction, recommendation, inputs, postcopyFirst);
    }

    /** AUTO planned to switch to post-copy after its first pass: post-copy's figures. */
    private static ModePrediction plannedPostcopy(ModePrediction post, Objective objective) {
        return new ModePrediction(MigrationMode.AUTO, post.passes(), post.bytes(), post.totalMs(), post.downtimeMs(),
                post.converges(), MigrationMode.POSTCOPY, List.of("planned before the start (objective "
                        + objective.name().toLowerCase(Locale.ROOT) + "): post-copy after the first pass"),
                "auto as planned: " + post.formula());
    }

    /** The rate the migration would get, and how it was found. */
    private record Link(long bytesPerS, boolean estimated, String how) {}

    private static Link link(Facts f, long bandwidthMiBps) {
        long s = Math.max(0, f.sourceLinkMiBps());
        long t = Math.max(0, f.targetLinkMiBps());
        String cap = bandwidthMiBps > 0 ? ", capped by the bandwidth asked for (" + bandwidthMiBps + " MiB/s)" : "";
        if (s > 0 && t > 0) {
            long mibps = Math.min(s, t);
            return new Link(rate(capped(mibps, bandwidthMiBps)), false, String.format(Locale.ROOT,
                    "link_mibps of the cluster file, the lower of %s (%d) and %s (%d)%s", f.source(), s, f.target(), t,
                    mibps > bandwidthMiBps && bandwidthMiBps > 0 ? cap : ""));
        }
        if (s > 0 || t > 0) {
            long mibps = Math.max(s, t);
            String known = s > 0 ? f.source() : f.target();
            String unknown = s > 0 ? f.target() : f.source();
            return new Link(rate(capped(mibps, bandwidthMiBps)), true, String.format(Locale.ROOT,
                    "%s has no link_mibps in the cluster file: taken as %s's (%d MiB/s)%s", unknown, known, mibps,
                    mibps > bandwidthMiBps && bandwidthMiBps > 0 ? cap : ""));
        }
        if (bandwidthMiBps > 0) {
            return new Link(rate(bandwidthMiBps), false, "the bandwidth asked for (neither host has link_mibps in the "
                    + "cluster file)");
        }
        return new Link(rate(DEFAULT_LINK_MIBPS), true, "neither " + f.source() + " nor " + f.target()
                + " has link_mibps in the cluster file: taken as " + DEFAULT_LINK_MIBPS + " MiB/s");
    }

    private static long capped(long mibps, long bandwidthMiBps) {
        return bandwidthMiBps > 0 ? Math.min(mibps, bandwidthMiBps) : mibps;
    }

    private static long rate(long mibps) {
        return Math.round(mibps * MIB);
    }
}
