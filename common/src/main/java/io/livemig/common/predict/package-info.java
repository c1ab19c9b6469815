/**
 * Knowing a migration before it runs: {@link io.livemig.common.predict.MigrationPredictor} predicts
 * time, downtime, bytes and passes of each mode from a VM's figures, and
 * {@link io.livemig.common.predict.ProgressEstimator} turns a running job's statistics into a
 * progress fraction and an ETA with the same model. Pure: numbers in, numbers out.
 *
 * <p>The model, with M the memory size, N its non-zero part, W the working set the guest
 * rewrites, D its dirty rate, B the link rate the migration gets, c the compression ratio (1
 * without) and T the allowed downtime. Memory moves at B·c bytes of memory per second.
 * <ul>
 *   <li>First pass: only non-zero pages carry data. QEMU sends a zero page as a 9-byte header
 *       (8-byte page address with the zero flag, then one byte), so the pass puts
 *       F = N/c + 9·(M−N)/4096 bytes on the wire and takes t1 = N/(B·c) + 9·(M−N)/4096/B. The
 *       8-byte header of each data page (0.2 %) is left out: it is below the run-to-run noise of
 *       any measurement, whereas the zero-page headers are all a guest with empty memory costs.</li>
 *   <li>Pre-copy: pass i sends what the guest dirtied while pass i−1 ran, bounded by the working
 *       set however long the pass took: V(i) = min(W, D·t(i−1)), t(i) = V(i)/(B·c). As soon as
 *       V(i) can be sent within T (V(i) ≤ B·c·T) the guest is paused and it is: downtime V(i)/(B·c),
 *       passes i. Pre-copy does not converge when V stops shrinking (D ≥ B·c with V held at W) or
 *       shrinks too slowly to get there within {@value io.livemig.common.predict.MigrationPredictor#MAX_PASSES}
 *       passes (Xen's cap; QEMU has none, livemig's completion timeout ends such a migration).</li>
 *   <li>Stop-and-copy: one pass with the guest paused: total = downtime = t1, bytes F.</li>
 *   <li>Post-copy, as livemig runs it: one pre-copy pass, then the guest runs on the destination
 *       and pulls what it dirtied during that pass: bytes F + min(W, D·t1)/c, downtime only the
 *       switch-over (device state, a few milliseconds, taken as 0).</li>
 *   <li>Auto: pre-copy that takes the agent's steps (see {@link io.livemig.common.predict.AutoLadder})
 *       when the model says pre-copy will not converge.</li>
 * </ul>
 * Parallel connections do not raise the rate: B is what the migration gets on the link, and more
 * streams only help when one stream cannot fill it, which the inputs would then show as a higher
 * B. Setup (the destination's preparation, a few hundred milliseconds) is not counted.
 */
package io.livemig.common.predict;
