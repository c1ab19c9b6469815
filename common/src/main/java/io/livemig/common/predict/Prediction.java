package io.livemig.common.predict;

import io.livemig.common.predict.PredictionInputs.Input;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the model predicts for every mode, from one set of inputs.
 *
 * @param inputs what it was given
 * @param modes  one prediction per {@link MigrationMode}, in the enum's order
 */
public record Prediction(PredictionInputs inputs, List<ModePrediction> modes) {

    public Prediction {
        Objects.requireNonNull(inputs, "inputs");
        modes = List.copyOf(modes);
        MigrationMode[] all = MigrationMode.values();
        if (modes.size() != all.length) {
            throw new IllegalArgumentException("need one prediction per mode, got " + modes.size());
        }
        for (int i = 0; i < all.length; i++) {
            if (modes.get(i).mode() != all[i]) {
                throw new IllegalArgumentException("predictions out of order: " + modes.get(i).mode() + " at " + i);
            }
        }
    }

    public ModePrediction of(MigrationMode mode) {
        return modes.get(mode.ordinal());
    }

    /** The same prediction with AUTO's replaced by {@code auto} (AUTO as a plan made from this one runs it). */
    public Prediction withAuto(ModePrediction auto) {
        if (auto.mode() != MigrationMode.AUTO) {
            throw new IllegalArgumentException("not an AUTO prediction: " + auto.mode());
        }
        List<ModePrediction> all = new ArrayList<>(modes);
        all.set(MigrationMode.AUTO.ordinal(), auto);
        return new Prediction(inputs, all);
    }

    /** The inputs that were only estimated: every figure above rests on them. */
    public Set<Input> estimated() {
        return inputs.estimated();
    }

    /**
     * FASTEST keeps pre-copy over a mode predicted at most this much faster: closer than the
     * predictor's own error (about a tenth in the classic experiment), and pre-copy loses nothing
     * when the link or a host fails during it.
     */
    public static final double NEAR_TIE = 0.10;

    /**
     * The technique to use under {@code objective} (see {@link Objective}); AUTO is never
     * recommended, it is what may act on a recommendation. When no mode keeps the downtime within
     * the allowed maximum, both objectives take the one that pauses the guest the least.
     */
    public Recommendation recommend(Objective objective) {
        Objects.requireNonNull(objective, "objective");
        long allowed = inputs.allowedDowntimeMs();
        ModePrediction pre = of(MigrationMode.PRECOPY);
        ModePrediction post = of(MigrationMode.POSTCOPY);
        ModePrediction stop = of(MigrationMode.STOP_AND_COPY);
        List<ModePrediction> candidates = new ArrayList<>(List.of(pre));
        if (inputs.postcopyAllowed()) {
            candidates.add(post);
        }
        candidates.add(stop);
        List<ModePrediction> within = candidates.stream().filter(m -> m.within(allowed)).toList();
        if (objective == Objective.SAFE) {
            if (pre.within(allowed)) {
                String faster = inputs.postcopyAllowed() && post.totalMs() < pre.totalMs()
                        ? "; post-copy would take " + Units.seconds(post.totalMs())
                                + ", but a failure during it loses the guest" : "";
                return new Recommendation(MigrationMode.PRECOPY, objective, "pre-copy converges: " + figures(pre)
                        + ", within the allowed " + allowed + " ms" + faster);
            }
            if (inputs.postcopyAllowed()) {
                return new Recommendation(MigrationMode.POSTCOPY, objective, precopyProblem(pre, allowed)
                        + "; post-copy: " + figures(post) + ", paused only for the switch-over");
            }
            if (stop.within(allowed)) {
                return new Recommendation(MigrationMode.STOP_AND_COPY, objective, precopyProblem(pre, allowed)
                        + " and post-copy is not allowed; stop-and-copy fits: " + figures(stop));
            }
            return leastDowntime(candidates, objective, allowed, precopyProblem(pre, allowed) + "; ");
        }
        ModePrediction fastest = within.stream().min(Comparator.comparingLong(ModePrediction::totalMs)).orElse(null);
        if (fastest == null) {
            return leastDowntime(candidates, objective, allowed, "");
        }
        if (fastest != pre && pre.within(allowed) && pre.totalMs() <= fastest.totalMs() * (1 + NEAR_TIE)) {
            return new Recommendation(MigrationMode.PRECOPY, objective, "pre-copy is within "
                    + Math.round(NEAR_TIE * 100) + " % of the fastest within the allowed " + allowed + " ms ("
                    + name(fastest.mode()) + " " + Units.seconds(fastest.totalMs()) + "), closer than the prediction "
                    + "can tell apart, and a failure during it loses nothing: " + figures(pre));
        }
        StringBuilder others = new StringBuilder();
        for (ModePrediction m : candidates) {
            if (m != fastest) {
                others.append(others.length() == 0 ? " (" : ", ").append(name(m.mode())).append(' ')
                        .append(m.within(allowed) ? Units.seconds(m.totalMs())
                                : m.converges() ? m.downtimeMs() + " ms paused" : "does not converge");
            }
        }
        if (others.length() > 0) {
            others.append(')');
        }
        return new Recommendation(fastest.mode(), objective, name(fastest.mode()) + " is the fastest within the allowed "
                + allowed + " ms: " + figures(fastest) + others);
    }

    private static Recommendation leastDowntime(List<ModePrediction> candidates, Objective objective, long allowed,
            String prefix) {
        ModePrediction least = candidates.stream().filter(ModePrediction::converges)
                .min(Comparator.comparingLong(ModePrediction::downtimeMs)).orElseThrow();
        return new Recommendation(least.mode(), objective, prefix + "no mode keeps the guest paused for at most "
                + allowed + " ms; " + name(least.mode()) + " pauses it the least: " + figures(least));
    }

    private String precopyProblem(ModePrediction pre, long allowed) {
        if (pre.converges()) {
            return "pre-copy would pause the guest for " + pre.downtimeMs() + " ms, more than the allowed " + allowed + " ms";
        }
        double sending = (double) inputs.linkBytesPerS() * inputs.compression().ratio();
        return "pre-copy does not converge: the guest dirties " + Units.rate(inputs.dirtyRateBytesPerS().value())
                + " and memory is sent at " + Units.rate(sending);
    }

    private static String figures(ModePrediction m) {
        return Units.seconds(m.totalMs()) + " total, " + m.downtimeMs() + " ms paused, " + Units.mib(m.bytes());
    }

    private static String name(MigrationMode mode) {
        return switch (mode) {
            case PRECOPY -> "pre-copy";
            case STOP_AND_COPY -> "stop-and-copy";
            case POSTCOPY -> "post-copy";
            case AUTO -> "auto";
        };
    }
}
