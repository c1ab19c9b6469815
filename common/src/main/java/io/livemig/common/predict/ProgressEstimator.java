package io.livemig.common.predict;

import io.livemig.common.predict.MigrationPredictor.Pass;
import io.livemig.common.predict.MigrationPredictor.Rates;
import io.livemig.common.predict.MigrationPredictor.Series;
import io.livemig.common.predict.Progress.Point;
import io.livemig.common.predict.Progress.Track;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A running migration's progress and ETA, recomputed at every sample of its job from the same
 * model as {@link MigrationPredictor}: what is still to send is the rest of the pass under way
 * plus, for pre-copy, the passes the model says follow it at the rates seen now. Pure: the state
 * travels in {@link Progress#track()}.
 *
 * <ul>
 *   <li>Progress = bytes sent / (bytes sent + bytes still to send), held at its highest so far:
 *       the set to send grows at the start of each pre-copy pass, and a bar that goes back is
 *       worse than one that pauses. While the model says pre-copy will not end by itself it is
 *       held where it was, and there is no ETA.</li>
 *   <li>Transfer rate: what the job sent over the last {@value #RATE_WINDOW_MS} ms since its first
 *       byte (at least {@value #MIN_RATE_SPAN_MS} ms of it), else the link rate of the inputs.</li>
 *   <li>Dirty rate: the job's, from the second pass on. QEMU's figure is the pages found dirty
 *       at a pass's start divided by the pass before's length. It understates the rate when that
 *       pass was long: the guest rewrote pages it had rewritten already, or pages of the pass not
 *       yet sent, and neither is counted twice (advice experiment, 28 MiB/s dirtied over 128 MiB:
 *       22.1 MiB/s after the first pass, 26.4 and 26.9 after passes of 133 and 109 MiB, 28.3 to
 *       30.2 after passes of 77 MiB and less). So the job's figure is taken as it is only after a
 *       pass that started at no more than {@value #UNFILLED} of the working set (the known one of
 *       the inputs or the largest pass seen since the second, whichever is larger); before that it
 *       is never taken below the rate of the inputs. The inputs' rate comes from readings that sample a few
 *       pages and can be far off: at 28 MiB/s their median once said more than the 32 MiB/s link,
 *       and the estimate had no ETA until the last passes.</li>
 *   <li>First pass: the non-zero memory of the inputs not yet sent, the rest of the pass as
 *       zero-page headers. Where the non-zero memory is only estimated (before a VM's first
 *       migration: the RAM its host holds, else the whole memory), once an eighth of memory is
 *       scanned the rest is taken to be as non-zero as the part scanned, if that is less, or
 *       anyway once the pass has sent more than the estimate: a guest's zero pages lie mostly in
 *       the memory it has not used, so this errs long.</li>
 *   <li>AUTO is estimated as pre-copy at the inputs' allowed downtime: steps the agent may still
 *       take are not foreseen, until a switch to post-copy shows in the samples.</li>
 * </ul>
 */
public final class ProgressEstimator {

    /** The span the transfer rate is measured over. */
    static final long RATE_WINDOW_MS = 5000;
    /** The shortest span a transfer rate is measured over. */
    static final long MIN_RATE_SPAN_MS = 1000;
    /** The share of the working set a pass starts at, at most, for the job's dirty rate to be taken as it is. */
    static final double UNFILLED = 0.5;
    /** The share of memory the first pass has scanned before its non-zero share stands for the rest. */
    static final double MIN_SCANNED = 0.125;

    private final MigrationMode mode;
    private final PredictionInputs inputs;

    public ProgressEstimator(MigrationMode mode, PredictionInputs inputs) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
    }

    /** Before the first sample: nothing done, the ETA the prediction's total. */
    public Progress initial() {
        ModePrediction p = MigrationPredictor.predict(inputs).of(mode);
        return new Progress(0, p.converges() ? p.totalMs() : -1, p.bytes(), "the prediction before the start", Track.NONE);
    }

    /** The progress after {@code sample}, from the one after the sample before ({@link #initial()} first). */
    public Progress next(Progress previous, JobProgress sample) {
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(sample, "sample");
        Track track = track(previous.track(), sample);
        double link = transferRate(track, sample);
        double dirty = dirtyRate(track, sample);
        Rates r = new Rates(dirty, inputs.workingSetBytes().value(), link, inputs.compression().ratio());
        Rest rest = rest(sample, r, (sample.elapsedMs() - track.passStartedMs()) / 1000.0);
        double processed = sample.dataProcessedBytes();
        double fraction = previous.fraction();
        long etaMs = -1;
        if (rest.ends()) {
            double total = processed + rest.wireBytes();
            fraction = Math.max(fraction, total <= 0 ? 0 : Math.min(1, processed / total));
            etaMs = MigrationPredictor.ms(rest.seconds());
        }
        return new Progress(fraction, etaMs, Math.round(rest.wireBytes()), rest.basis(), track);
    }

    /** The job's dirty rate where it can be trusted (see the class comment), else the higher of it and the inputs'. */
    private double dirtyRate(Track track, JobProgress s) {
        double planned = inputs.dirtyRateBytesPerS().value();
        double job = s.dirtyRateBytesPerS();
        if (s.iteration() < 2 || job < 0) {
            return planned;
        }
        double workingSet = Math.max(track.largestBefore(),
                inputs.workingSetBytes().isEstimated() ? 0 : inputs.workingSetBytes().value());
        return track.passBytes() <= UNFILLED * workingSet ? job : Math.max(planned, job);
    }

    /** What is still to send, how long it takes, whether it ends by itself. */
    private record Rest(double wireBytes, double seconds, boolean ends, String basis) {}

    private Rest rest(JobProgress s, Rates r, double passElapsedS) {
        double remaining = s.dataRemainingBytes();
        String rates = " at " + Units.rate(r.link()) + ", dirty rate " + Units.rate(r.dirty());
        if (s.postcopyActive()) {
            return new Rest(remaining / r.ratio(), remaining / r.memoryRate(), true,
                    "post-copy: " + Units.mib(remaining) + " left to pull" + rates);
        }
        Pass current = s.iteration() <= 1 ? firstPassLeft(s, r) : new Pass(remaining, remaining / r.ratio(),
                remaining / r.memoryRate());
        String pass = "pass " + Math.max(1, s.iteration()) + ": " + Units.mib(current.memoryBytes()) + " left in it";
        if (mode == MigrationMode.STOP_AND_COPY) {
            return new Rest(current.wireBytes(), current.seconds(), true, pass + rates);
        }
        if (mode == MigrationMode.POSTCOPY) {
            if (s.iteration() >= 2) {
                return new Rest(current.wireBytes(), current.seconds(), true, pass + ", then post-copy" + rates);
            }
            double pulled = Math.min(r.workingSet(), r.dirty() * (passElapsedS + current.seconds()));
            return new Rest(current.wireBytes() + pulled / r.ratio(), current.seconds() + pulled / r.memoryRate(), true,
                    pass + ", then " + Units.mib(pulled) + " to pull" + rates);
        }
        Series series = MigrationPredictor.precopy(current, passElapsedS, r, r.threshold(inputs.allowedDowntimeMs()),
                MigrationPredictor.MAX_PASSES);
        return new Rest(series.wireBytes(), series.seconds(), series.converges(), pass + (series.converges()
                ? ", then " + (series.passes() - 1) + " more passes" : ", and pre-copy will not converge") + rates);
    }

    /** The first pass from here: the non-zero memory not yet sent, the rest of it zero pages. */
    private Pass firstPassLeft(JobProgress s, Rates r) {
        double toScan = s.iteration() == 0 ? inputs.memoryBytes() : s.dataRemainingBytes();
        double sent = s.dataProcessedBytes() * r.ratio();
        double estimateLeft = Math.max(0, inputs.nonZeroBytes().value() - sent);
        double nonZeroLeft = Math.min(toScan, estimateLeft);
        double scanned = inputs.memoryBytes() - toScan;
        if (inputs.nonZeroBytes().isEstimated() && scanned >= inputs.memoryBytes() * MIN_SCANNED) {
            // Not known: the rest is taken to hold as much non-zero memory as the part scanned.
            // An estimate the pass has already sent more than says nothing of the rest.
            double asScanned = toScan * Math.min(1, sent / scanned);
            nonZeroLeft = estimateLeft > 0 ? Math.min(nonZeroLeft, asScanned) : asScanned;
        }
        double zeroHeaders = MigrationPredictor.zeroHeaderBytes(toScan - nonZeroLeft);
        return new Pass(nonZeroLeft, nonZeroLeft / r.ratio() + zeroHeaders,
                nonZeroLeft / r.memoryRate() + zeroHeaders / r.link());
    }

    /** The first pass starts with the job; each later one when its iteration is first seen. */
    private static Track track(Track before, JobProgress s) {
        boolean newPass = s.iteration() != before.iteration();
        long passStarted = s.iteration() <= 1 ? 0 : newPass ? s.elapsedMs() : before.passStartedMs();
        // A pass's first sample may come late in it. Taken at its most, a pass is not taken for
        // shorter than it was; the working set is taken from the passes at their least.
        long sentSince = before.recent().isEmpty() ? 0
                : s.dataProcessedBytes() - before.recent().get(before.recent().size() - 1).processedBytes();
        long passBytes = newPass ? s.dataRemainingBytes() + Math.max(0, sentSince) : before.passBytes();
        long passLeast = newPass ? s.dataRemainingBytes() : before.passLeast();
        long largestBefore = newPass && before.iteration() >= 2 ? Math.max(before.largestBefore(), before.passLeast())
                : before.largestBefore();
        List<Point> recent = new ArrayList<>(before.recent());
        if (s.dataProcessedBytes() > 0) {
            // Before the first byte the job is setting up, which says nothing of the transfer rate.
            recent.add(new Point(s.elapsedMs(), s.dataProcessedBytes()));
        }
        while (recent.size() > 2 && s.elapsedMs() - recent.get(1).elapsedMs() >= RATE_WINDOW_MS) {
            recent.remove(0);
        }
        return new Track(s.iteration(), passStarted, passBytes, passLeast, largestBefore, recent);
    }

    private double transferRate(Track track, JobProgress s) {
        if (track.recent().isEmpty()) {
            return inputs.linkBytesPerS();
        }
        Point oldest = track.recent().get(0);
        long spanMs = s.elapsedMs() - oldest.elapsedMs();
        long bytes = s.dataProcessedBytes() - oldest.processedBytes();
        return spanMs >= MIN_RATE_SPAN_MS && bytes > 0 ? bytes * 1000.0 / spanMs : inputs.linkBytesPerS();
    }
}
