package io.livemig.cli.experiment;

import io.livemig.common.predict.Objective;
import java.util.Locale;

/**
 * One migration of an experiment, as the matrix orders it.
 *
 * @param index           position in the run order, 0-based (the warm-up, if any, is 0)
 * @param id              stable name, e.g. "r007-precopy-d32-l32-rep1" (file name of its series)
 * @param warmup          the warm-up run: executed and recorded, left out of the statistics
 * @param repetition      1-based repetition of its cell (0 for the warm-up)
 * @param mode            precopy, stopcopy, postcopy or auto; for a baseline run, the mode it stands beside
 * @param baseline        migrated with plain {@code virsh migrate}, not through livemig
 * @param memMib          guest memory
 * @param dirtyMib        memory the guest's workload dirties
 * @param dirtyRateMibps  rate at which it dirties it
 * @param linkMibps       migration bandwidth limit, 0 for none
 * @param maxDowntimeMs   allowed downtime, 0 for the default
 * @param timeoutS        completion timeout of the run, the same for livemig and its baseline: livemig's
 *                        timeout rule, virsh's {@code --timeout}; 0 in runs recorded before it was kept
 * @param objective       a livemig auto run: what its plan optimised for, safe or fastest (runs
 *                        recorded before it was kept read back as safe, the default);
 *                        empty for every other run
 */
public record RunPlan(
        int index,
        String id,
        boolean warmup,
        int repetition,
        String mode,
        boolean baseline,
        int memMib,
        int dirtyMib,
        int dirtyRateMibps,
        int linkMibps,
        long maxDowntimeMs,
        long timeoutS,
        String objective) {

    public RunPlan {
        if (objective == null || objective.isEmpty()) {
            objective = !baseline && "auto".equals(mode) ? Objective.DEFAULT.name().toLowerCase(Locale.ROOT) : "";
        }
    }

    /** The cell this run belongs to: runs of one cell are repetitions of each other. */
    public String cell() {
        return (baseline ? "baseline-" : "") + mode + "/m" + memMib + "/d" + dirtyMib + "@" + dirtyRateMibps + "/l" + linkMibps;
    }
}
