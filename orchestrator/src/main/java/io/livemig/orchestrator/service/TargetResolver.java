package io.livemig.orchestrator.service;

import io.livemig.orchestrator.placement.HostLoad;
import io.livemig.orchestrator.placement.HostRejection;
import io.livemig.orchestrator.placement.Placement;
import io.livemig.orchestrator.placement.PlacementPolicy;
import io.livemig.orchestrator.placement.TargetChoice;
import io.livemig.orchestrator.service.Orchestrator.Settings;
import io.livemig.orchestrator.service.Orchestrator.VmView;
import io.livemig.orchestrator.service.OrchestratorException.Code;
import io.livemig.orchestrator.workflow.MigrationRecord;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a migration request's VM runs and where it goes: the VM looked up (again, where the view
 * may be stale), the refusals a request gets, the placement's choice or the requested target
 * checked, and the explanation people read. Records nothing; round-robin's last choice is kept
 * here once a migration is queued ({@link #chose}). Its callers hold the orchestrator's lock
 * around {@link #resolve} and {@link #chose}.
 */
final class TargetResolver {

    private final Settings settings;
    private final Records records;
    private final HostMonitor hosts;
    private final Placement placement = new Placement();
    private String lastRoundRobin = ""; // under the lock

    TargetResolver(Settings settings, Records records, HostMonitor hosts) {
        this.settings = settings;
        this.records = records;
        this.hosts = hosts;
    }

    /**
     * Where the VM runs. The view is up to a poll old: when it has the VM on the requested target
     * already, every host is asked again first, since another tool (virsh) may have moved it since.
     */
    VmView located(String vmName, String target) throws OrchestratorException {
        VmView vm = hosts.findVm(vmName);
        if (target != null && target.equals(vm.host())) {
            hosts.pollAll();
            vm = hosts.findVm(vmName);
        }
        return vm;
    }

    /** Under the orchestrator's lock. */
    Resolved resolve(VmView vm, String target, String why) throws OrchestratorException {
        String vmName = vm.vm().name();
        for (MigrationRecord r : records.unfinished()) {
            if (r.vm().equals(vmName)) {
                throw new OrchestratorException(Code.ALREADY_EXISTS, "VM '" + vmName + "' already has migration "
                        + r.id() + " (" + r.state().name().toLowerCase(Locale.ROOT) + ")");
            }
        }
        List<HostLoad> loads = hosts.hostLoads();
        TargetChoice decision;
        String explanation;
        if (target == null || target.isBlank()) {
            decision = placement.place(vm.load(), loads, settings.policy(), settings.rebalance().placement(),
                    lastRoundRobin);
            if (decision.chosenHost().isEmpty()) {
                throw new OrchestratorException(Code.FAILED_PRECONDITION, "cannot place '" + vmName + "': "
                        + decision.whyUnplaceable());
            }
            explanation = explain(decision);
        } else {
            hosts.known(target);
            if (target.equals(vm.host())) {
                throw new OrchestratorException(Code.INVALID_ARGUMENT, "VM '" + vmName + "' already runs on "
                        + target);
            }
            decision = placement.place(vm.load(), loads, settings.policy(), settings.rebalance().placement(),
                    lastRoundRobin);
            Optional<HostRejection> rejected = decision.rejections().stream()
                    .filter(r -> r.host().equals(target)).findFirst();
            if (rejected.isPresent()) {
                throw new OrchestratorException(Code.FAILED_PRECONDITION, "cannot move '" + vmName + "' to "
                        + target + ": " + rejected.get().explanation());
            }
            explanation = why != null ? why : target + " was requested";
            decision = new TargetChoice(decision.vm(), decision.policy(), Optional.of(target), decision.candidates(),
                    decision.rejections());
        }
        String chosen = target == null || target.isBlank() ? decision.chosenHost().orElseThrow() : target;
        return new Resolved(vm, chosen, decision, explanation);
    }

    /** A migration request resolved: the VM as seen now, the target, the decision and its explanation. */
    record Resolved(VmView vm, String target, TargetChoice decision, String explanation) {}

    /** The choice and the runners-up, with each rejected host's reason, for people. */
    static String explain(TargetChoice d) {
        StringBuilder b = new StringBuilder();
        String chosen = d.chosenHost().orElse("none");
        b.append(chosen).append(" chosen by policy ").append(d.policy().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        d.candidates().stream().filter(c -> c.host().equals(chosen)).findFirst().ifPresent(c -> b.append(String.format(
                Locale.ROOT, ": projected load %.3f, score %.4f", c.projectedHostLoad(), c.score())));
        d.candidates().stream().filter(c -> !c.host().equals(chosen)).forEach(c -> b.append(String.format(Locale.ROOT,
                "; %s: projected load %.3f, score %.4f", c.host(), c.projectedHostLoad(), c.score())));
        d.rejections().forEach(r -> b.append("; ").append(r.host()).append(" rejected: ").append(r.explanation()));
        return b.toString();
    }

    /** A migration to {@code target} was queued: round-robin goes on from there. Under the lock. */
    void chose(String target) {
        if (settings.policy() == PlacementPolicy.ROUND_ROBIN) {
            lastRoundRobin = target;
        }
    }
}
