package io.livemig.cli.experiment;

/**
 * What the model predicts for one run (see {@code MigrationModel}).
 *
 * @param passes     pre-copy passes over memory (1 for stop-and-copy and post-copy; auto's before
 *                   it switches to post-copy, if it does)
 * @param bytes      bytes sent
 * @param totalMs    time from start to end
 * @param downtimeMs time the guest is paused
 * @param converges  pre-copy: whether the remaining set falls below what the allowed downtime
 *                   can send; false means the model's pre-copy (or auto, with no step left) never
 *                   finishes by itself
 * @param formula    one line saying which bound or series was used
 */
public record ModelPrediction(long passes, long bytes, long totalMs, long downtimeMs, boolean converges, String formula) {}
