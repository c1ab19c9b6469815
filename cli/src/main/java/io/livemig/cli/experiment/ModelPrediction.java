package io.livemig.cli.experiment;

/**
 * What the textbook model predicts for one run (see {@code MigrationModel}).
 *
 * @param passes     pre-copy passes over memory (1 for stop-and-copy and post-copy)
 * @param bytes      bytes sent
 * @param totalMs    time from start to end
 * @param downtimeMs time the guest is paused
 * @param converges  pre-copy: whether the remaining set falls below what the allowed downtime
 *                   can send; false means the model's pre-copy never finishes by itself
 * @param formula    one line saying which bound or series was used
 */
public record ModelPrediction(long passes, long bytes, long totalMs, long downtimeMs, boolean converges, String formula) {}
