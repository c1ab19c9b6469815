package io.livemig.common.predict;

import java.util.List;
import java.util.Objects;

/**
 * What the model predicts for one mode.
 *
 * @param mode       the mode asked about
 * @param passes     passes over memory: for pre-copy up to and including the one sent with the
 *                   guest paused; 1 for stop-and-copy and post-copy (its pre-copy pass). libvirt's
 *                   iteration count runs higher near the end, because QEMU re-reads the dirty
 *                   bitmap whenever what is left looks small enough
 * @param bytes      bytes put on the wire
 * @param totalMs    from the first byte to the end
 * @param downtimeMs how long the guest is paused
 * @param converges  whether the migration finishes by itself; when not (pre-copy that never gets
 *                   within the allowed downtime), the other figures are those of the first
 *                   {@value MigrationPredictor#MAX_PASSES} passes, with the last one sent paused
 * @param endsAs     how it ends: the mode itself, or for AUTO the technique its steps end in
 *                   (PRECOPY, POSTCOPY, or STOP_AND_COPY when it pauses the guest)
 * @param steps      AUTO: the steps it is predicted to take, in order; empty otherwise
 * @param formula    one line: the series or bound used, with the numbers
 */
public record ModePrediction(
        MigrationMode mode,
        int passes,
        long bytes,
        long totalMs,
        long downtimeMs,
        boolean converges,
        MigrationMode endsAs,
        List<String> steps,
        String formula) {

    public ModePrediction {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(endsAs, "endsAs");
        steps = List.copyOf(steps);
        Objects.requireNonNull(formula, "formula");
    }

    /** Whether it finishes with the guest paused for no longer than {@code allowedDowntimeMs}. */
    public boolean within(long allowedDowntimeMs) {
        return converges && downtimeMs <= allowedDowntimeMs;
    }
}
