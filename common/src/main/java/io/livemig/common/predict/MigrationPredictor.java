package io.livemig.common.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Predicts time, downtime, bytes and passes of every mode from a VM's figures, by the model in
 * the package description. Pure and stateless.
 */
public final class MigrationPredictor {

    /** Where pre-copy is called non-convergent: Xen's classic cap (QEMU itself has none). */
    public static final int MAX_PASSES = 30;
    /** The page size the model counts zero pages in. */
    public static final int PAGE_BYTES = 4096;
    /** What QEMU sends for a zero page: the 8-byte page address with the zero flag, and one byte. */
    public static final int ZERO_PAGE_WIRE_BYTES = 9;

    private MigrationPredictor() {}

    /** The prediction for every mode. */
    public static Prediction predict(PredictionInputs in) {
        Rates r = Rates.of(in);
        Pass first = firstPass(in, r);
        return new Prediction(in, List.of(precopy(in, r, first), stopAndCopy(in, first), postcopy(in, r, first),
                auto(in, r, first)));
    }

    /** The rates the model works with. */
    record Rates(double dirty, double workingSet, double link, double ratio) {

        static Rates of(PredictionInputs in) {
            return new Rates(in.dirtyRateBytesPerS().value(), in.workingSetBytes().value(), in.linkBytesPerS(),
                    in.compression().ratio());
        }

        /** Bytes of memory sent per second: the link's rate times the compression ratio. */
        double memoryRate() {
            return link * ratio;
        }

        /** The most memory that can be sent within {@code downtimeMs}. */
        double threshold(long downtimeMs) {
            return memoryRate() * downtimeMs / 1000.0;
        }
    }

    /**
     * A pass still to send.
     *
     * @param memoryBytes memory that carries data
     * @param wireBytes   what it puts on the wire, zero-page headers included
     * @param seconds     how long that takes
     */
    record Pass(double memoryBytes, double wireBytes, double seconds) {}

    /**
     * Pre-copy from a pass under way to its end, or to {@code maxPasses} passes from now.
     *
     * @param passes    passes counted from the one under way (1), up to the one sent paused
     * @param wireBytes bytes still to put on the wire
     * @param seconds   time still to go, downtime included
     * @param downtimeS the last pass, sent with the guest paused
     * @param converges whether it got within the allowed downtime
     * @param shrinking whether the last step still shrank the set to send
     */
    record Series(int passes, double wireBytes, double seconds, double downtimeS, boolean converges, boolean shrinking) {}

    /** The first pass: non-zero memory as data, zero pages as headers. */
    static Pass firstPass(PredictionInputs in, Rates r) {
        double nonZero = in.nonZeroBytes().value();
        double zeroHeaders = zeroHeaderBytes(in.memoryBytes() - nonZero);
        return new Pass(nonZero, nonZero / r.ratio() + zeroHeaders, nonZero / r.memoryRate() + zeroHeaders / r.link());
    }

    /** Wire bytes of the headers QEMU sends for {@code zeroBytes} of zero pages. */
    static double zeroHeaderBytes(double zeroBytes) {
        return Math.max(0, zeroBytes) / PAGE_BYTES * ZERO_PAGE_WIRE_BYTES;
    }

    /**
     * Pre-copy's series from a pass under way: that pass ends after {@code current.seconds()}
     * more, having run {@code passElapsedS} already; each pass after it sends what the guest
     * dirtied during the one before, min(W, D·t), until that fits within {@code thresholdBytes}.
     */
    static Series precopy(Pass current, double passElapsedS, Rates r, double thresholdBytes, int maxPasses) {
        double wire = current.wireBytes();
        double seconds = current.seconds();
        double passS = passElapsedS + current.seconds();
        double v = current.memoryBytes();
        int passes = 1;
        while (true) {
            double next = Math.min(r.workingSet(), r.dirty() * passS);
            boolean shrinking = next < v;
            if (next <= thresholdBytes || passes + 1 >= maxPasses) {
                double down = next / r.memoryRate();
                return new Series(passes + 1, wire + next / r.ratio(), seconds + down, down, next <= thresholdBytes,
                        shrinking);
            }
            v = next;
            passS = v / r.memoryRate();
            wire += v / r.ratio();
            seconds += passS;
            passes++;
        }
    }

    private static ModePrediction precopy(PredictionInputs in, Rates r, Pass first) {
        double threshold = r.threshold(in.allowedDowntimeMs());
        Series s = precopy(first, 0, r, threshold, MAX_PASSES);
        String end = s.converges()
                ? String.format(Locale.ROOT, "until V(i) <= B*c*T = %s (pass %d), sent paused", Units.mib(threshold),
                        s.passes())
                : String.format(Locale.ROOT, "%s above B*c*T = %s, cut at %d passes, the last sent paused",
                        s.shrinking() ? "shrinks too slowly, stays" : "does not shrink (D >= B*c), stays",
                        Units.mib(threshold), s.passes());
        return new ModePrediction(MigrationMode.PRECOPY, s.passes(), Math.round(s.wireBytes()), ms(s.seconds()),
                ms(s.downtimeS()), s.converges(), MigrationMode.PRECOPY, List.of(),
                "pre-copy: pass 1 sends the non-zero memory (zero pages as headers), then V(i) = min(W, D*t(i-1)) "
                        + end + "; " + describe(in, r));
    }

    private static ModePrediction stopAndCopy(PredictionInputs in, Pass first) {
        return new ModePrediction(MigrationMode.STOP_AND_COPY, 1, Math.round(first.wireBytes()), ms(first.seconds()),
                ms(first.seconds()), true, MigrationMode.STOP_AND_COPY, List.of(),
                "stop-and-copy: one pass of the non-zero memory (zero pages as headers) with the guest paused, "
                        + "total = downtime; " + describe(in, Rates.of(in)));
    }

    private static ModePrediction postcopy(PredictionInputs in, Rates r, Pass first) {
        double pulled = Math.min(r.workingSet(), r.dirty() * first.seconds());
        return new ModePrediction(MigrationMode.POSTCOPY, 1, Math.round(first.wireBytes() + pulled / r.ratio()),
                ms(first.seconds() + pulled / r.memoryRate()), 0, true, MigrationMode.POSTCOPY, List.of(),
                "post-copy after one pre-copy pass: then min(W, D*t1) = " + Units.mib(pulled)
                        + " pulled, downtime the switch-over only (taken as 0); " + describe(in, r));
    }

    /** AUTO as the agent runs it: pre-copy, and the ladder's steps while the model says it will not converge. */
    private static ModePrediction auto(PredictionInputs in, Rates r, Pass first) {
        AutoLadder ladder = in.auto();
        double memoryRate = r.memoryRate();
        boolean hopelessRate = r.dirty() >= ladder.nonConvergenceRatio() * memoryRate;
        long allowedMs = in.allowedDowntimeMs();
        long downtimeMs = allowedMs;
        int throttlesLeft = ladder.throttleSteps();
        List<String> steps = new ArrayList<>();
        double wire = first.wireBytes();
        double seconds = first.seconds();
        double previous = first.memoryBytes();
        double v = Math.min(r.workingSet(), r.dirty() * first.seconds());
        int sent = 1;
        int lastStep = Integer.MIN_VALUE / 2;
        String formula = "auto: pre-copy, taking the agent's steps while the model says it will not converge "
                + "(D >= " + ladder.nonConvergenceRatio() + "*B*c or V stops shrinking); " + describe(in, r);
        while (true) {
            int pass = sent + 1;
            if (v <= memoryRate * downtimeMs / 1000.0 || pass >= MAX_PASSES) {
                double down = v / memoryRate;
                return new ModePrediction(MigrationMode.AUTO, pass, Math.round(wire + v / r.ratio()),
                        ms(seconds + down), ms(down), v <= memoryRate * downtimeMs / 1000.0, MigrationMode.PRECOPY,
                        steps, formula);
            }
            if ((hopelessRate || v >= previous) && pass - lastStep >= ladder.dwellPasses()) {
                OptionalLong raised = ladder.nextDowntimeMs(allowedMs, downtimeMs, (long) Math.ceil(v / memoryRate * 1000));
                if (raised.isPresent()) {
                    downtimeMs = raised.getAsLong();
                    steps.add("pass " + pass + ": allowed downtime raised to " + downtimeMs + " ms");
                    lastStep = pass;
                    continue;
                }
                if (throttlesLeft > 0) {
                    throttlesLeft--;
                    steps.add("pass " + pass + ": vCPUs throttled (step " + (ladder.throttleSteps() - throttlesLeft)
                            + " of " + ladder.throttleSteps() + "), not counted on to lower the dirty rate");
                    lastStep = pass;
                } else if (in.postcopyAllowed()) {
                    steps.add("pass " + pass + ": switched to post-copy, " + Units.mib(v) + " pulled");
                    return new ModePrediction(MigrationMode.AUTO, sent, Math.round(wire + v / r.ratio()),
                            ms(seconds + v / memoryRate), 0, true, MigrationMode.POSTCOPY, steps, formula);
                } else if (ladder.suspendAllowed()) {
                    double down = v / memoryRate;
                    steps.add("pass " + pass + ": guest paused, " + Units.mib(v) + " sent");
                    return new ModePrediction(MigrationMode.AUTO, pass, Math.round(wire + v / r.ratio()),
                            ms(seconds + down), ms(down), true, MigrationMode.STOP_AND_COPY, steps, formula);
                }
            }
            wire += v / r.ratio();
            seconds += v / memoryRate;
            previous = v;
            v = Math.min(r.workingSet(), r.dirty() * (v / memoryRate));
            sent = pass;
        }
    }

    /** "M=256.0 MiB, N=197.3 MiB (learned), W=..., D=..., B=32.0 MiB/s, T=300 ms". */
    private static String describe(PredictionInputs in, Rates r) {
        String compression = !in.compression().enabled() ? ""
                : in.compression().isEstimated() ? ", compressed (ratio unknown, taken as 1)"
                : String.format(Locale.ROOT, ", c=%.2f", r.ratio());
        return "M=" + Units.mib(in.memoryBytes()) + ", N=" + Units.mib(in.nonZeroBytes().value()) + source(in.nonZeroBytes())
                + ", W=" + Units.mib(r.workingSet()) + source(in.workingSetBytes())
                + ", D=" + Units.rate(r.dirty()) + source(in.dirtyRateBytesPerS())
                + ", B=" + Units.rate(r.link()) + compression + ", T=" + in.allowedDowntimeMs() + " ms";
    }

    private static String source(Figure f) {
        return f.source() == Source.MEASURED ? "" : " (" + f.source().name().toLowerCase(Locale.ROOT) + ")";
    }

    static long ms(double seconds) {
        return Math.round(seconds * 1000);
    }
}
