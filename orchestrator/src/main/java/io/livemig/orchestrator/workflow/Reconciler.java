package io.livemig.orchestrator.workflow;

import java.util.Objects;
import java.util.Optional;

/**
 * Decides, after an orchestrator restart, what became of each migration it had not finished,
 * from where the agents now say the VM runs and what the source agent still knows. Pure: the
 * caller asks the agents and applies the {@link Resolution}.
 *
 * <p>The orchestrator may have died at any point: before a queued migration started, while the
 * agent was migrating, or after the agent finished but before the outcome was recorded. The
 * agent's own word is preferred; where it has none (e.g. the agent restarted too), where the VM
 * runs is the evidence. Rules, first match wins ({@code host} = where the VM runs now):
 *
 * <table>
 *   <caption>Reconciliation of an unfinished record</caption>
 *   <tr><th>state</th><th>agent outcome</th><th>host</th><th>resolution</th></tr>
 *   <tr><td>REQUESTED, PLANNED</td><td>(ignored)</td><td>= source</td><td>Requeue</td></tr>
 *   <tr><td>REQUESTED, PLANNED</td><td>(ignored)</td><td>other or none</td>
 *       <td>Finish(FAILED, none, "VM &lt;vm&gt; no longer runs on &lt;source&gt; (now:
 *       &lt;host or nowhere&gt;)")</td></tr>
 *   <tr><td>RUNNING</td><td>running</td><td>(ignored)</td><td>Keep</td></tr>
 *   <tr><td>RUNNING</td><td>succeeded, failed, aborted</td><td>(ignored)</td>
 *       <td>Finish(that state, its figures, its error)</td></tr>
 *   <tr><td>RUNNING</td><td>unknown</td><td>= target</td><td>Finish(SUCCEEDED, none, "")</td></tr>
 *   <tr><td>RUNNING</td><td>unknown</td><td>= source</td><td>Finish(FAILED, none,
 *       "orchestrator restarted during the migration; the VM is still on &lt;source&gt;")</td></tr>
 *   <tr><td>RUNNING</td><td>unknown</td><td>other or none</td><td>Finish(FAILED, none,
 *       "orchestrator restarted during the migration; VM &lt;vm&gt; found on &lt;host|no
 *       host&gt;")</td></tr>
 * </table>
 *
 * <p>A failed or aborted outcome without an error message gets one ("the agent reported the
 * migration failed without an error"), so that every FAILED record says something.
 */
public final class Reconciler {

    /**
     * @param hostRunningVm the host an agent reports the VM running on; empty if none does (lost,
     *     or paused on both sides mid-flight)
     * @param agentOutcome what the source agent knows about {@code r.agentMigrationId()}; empty if
     *     it does not know it (or the record never started)
     * @throws IllegalArgumentException if {@code r} is already terminal
     */
    public Resolution resolve(MigrationRecord r, Optional<String> hostRunningVm,
            Optional<AgentOutcome> agentOutcome) {
        return resolve(r, hostRunningVm, agentOutcome, "orchestrator restarted during the migration");
    }

    /**
     * As {@link #resolve(MigrationRecord, Optional, Optional)}, with {@code cause} in place of
     * "orchestrator restarted during the migration" in the errors (e.g. the source agent restarted).
     */
    public Resolution resolve(MigrationRecord r, Optional<String> hostRunningVm,
            Optional<AgentOutcome> agentOutcome, String cause) {
        Objects.requireNonNull(r, "r");
        Objects.requireNonNull(hostRunningVm, "hostRunningVm");
        Objects.requireNonNull(agentOutcome, "agentOutcome");
        switch (r.state()) {
            case REQUESTED:
            case PLANNED:
                if (hostRunningVm.filter(r.source()::equals).isPresent()) {
                    return new Resolution.Requeue();
                }
                return new Resolution.Finish(RecordState.FAILED, Figures.none(),
                        "VM " + r.vm() + " no longer runs on " + r.source()
                                + " (now: " + hostRunningVm.orElse("nowhere") + ")");
            case RUNNING:
                if (agentOutcome.isPresent()) {
                    return fromAgent(agentOutcome.get());
                }
                String host = hostRunningVm.orElse(null);
                if (r.target().equals(host)) {
                    return new Resolution.Finish(RecordState.SUCCEEDED, Figures.none(), "");
                }
                if (r.source().equals(host)) {
                    return new Resolution.Finish(RecordState.FAILED, Figures.none(),
                            cause + "; the VM is still on " + r.source());
                }
                return new Resolution.Finish(RecordState.FAILED, Figures.none(),
                        cause + "; VM " + r.vm() + " found on "
                                + (host == null ? "no host" : host));
            default:
                throw new IllegalArgumentException(
                        "migration " + r.id() + " is already " + r.state() + "; nothing to reconcile");
        }
    }

    private static Resolution fromAgent(AgentOutcome o) {
        switch (o.status()) {
            case "running":
                return new Resolution.Keep();
            case "succeeded":
                return new Resolution.Finish(RecordState.SUCCEEDED, o.figures(), "");
            case "failed":
                return new Resolution.Finish(RecordState.FAILED, o.figures(),
                        o.error().isBlank() ? "the agent reported the migration failed without an error"
                                : o.error());
            case "aborted":
                return new Resolution.Finish(RecordState.ABORTED, o.figures(),
                        o.error().isBlank() ? "the agent reported the migration aborted without an error"
                                : o.error());
            default:
                throw new AssertionError("AgentOutcome admitted status " + o.status());
        }
    }
}
