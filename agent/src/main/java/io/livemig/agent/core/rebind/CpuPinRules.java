package io.livemig.agent.core.rebind;

import static io.livemig.agent.core.rebind.PlannedRule.keep;
import static io.livemig.agent.core.rebind.PlannedRule.refuse;

import io.livemig.agent.core.rebind.BindingExtractor.Found;
import io.livemig.agent.core.rebind.ResourceBinding.HostCpuPin;
import io.livemig.agent.core.rebind.ResourceBinding.VcpuPin;
import io.livemig.common.value.CpuSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.w3c.dom.Element;

/**
 * The CPU-pinning rule: every pin of a VM ({@code <vcpupin>}, {@code <emulatorpin>},
 * {@code <iothreadpin>}, {@code <vcpu cpuset>}) is decided together, since whether a host CPU is
 * "dedicated" to one vCPU depends on all of them.
 */
final class CpuPinRules {

    private CpuPinRules() {
    }

    /** Decides the pins at {@code indexes} of {@code found} into {@code decisions}. */
    static void decide(BindingRules rules, List<Found> found, List<Integer> indexes, PlannedRule[] decisions) {
        TargetHost target = rules.target();
        if (indexes.isEmpty()) {
            return;
        }
        Map<Integer, CpuSet> sets = new LinkedHashMap<>();
        CpuSet pinned = CpuSet.of();
        for (int i : indexes) {
            HostCpuPin pin = (HostCpuPin) found.get(i).binding();
            CpuSet set;
            try {
                set = CpuSet.parse(pin.cpuset());
            } catch (IllegalArgumentException e) {
                throw new InvalidDomainXmlException(pin.subject() + ": " + e.getMessage(), e);
            }
            sets.put(i, set);
            pinned = pinned.union(set);
        }
        CpuSet usable = target.usableCpus();
        if (usable.containsAll(pinned)) {
            for (int i : indexes) {
                HostCpuPin pin = (HostCpuPin) found.get(i).binding();
                decisions[i] = keep(pin, pin.cpuset(), "host CPUs " + sets.get(i) + " are usable on " + rules.dst()
                        + " (usable: " + usable + ")");
            }
            return;
        }
        // Which host CPUs one vCPU has to itself: those keep a CPU of their own on the target.
        Map<Integer, Integer> users = new HashMap<>();
        sets.values().forEach(set -> set.cpus().forEach(cpu -> users.merge(cpu, 1, Integer::sum)));
        List<Integer> dedicated = new ArrayList<>();
        for (int i : indexes) {
            CpuSet set = sets.get(i);
            if (found.get(i).binding() instanceof VcpuPin && set.size() == 1 && users.get(set.cpus().get(0)) == 1) {
                dedicated.add(set.cpus().get(0));
            }
        }
        dedicated.sort(null);
        List<Integer> order = new ArrayList<>(dedicated);
        pinned.cpus().stream().filter(cpu -> !dedicated.contains(cpu)).forEach(order::add);
        List<Integer> targets = usable.cpus();
        Map<Integer, Integer> move = new LinkedHashMap<>();
        for (int k = 0; k < order.size(); k++) {
            move.put(order.get(k), targets.get(k % targets.size()));
        }
        String spread = "pinned CPUs go onto the CPUs of " + rules.dst() + " in order ("
                + move.entrySet().stream().limit(16).map(m -> m.getKey() + "->" + m.getValue()).collect(Collectors.joining(", "))
                + (move.size() > 16 ? ", ..." : "") + ")";
        String lacks = rules.dst() + " lacks host CPU(s) " + pinned.minus(usable) + " (usable: " + usable + ")";
        String shared = order.size() > targets.size() ? "; " + rules.dst() + " has fewer usable CPUs (" + targets.size() + ") than the "
                + order.size() + " pinned ones, so some now share a CPU" : "";
        boolean tooManyDedicated = dedicated.size() > targets.size();
        for (int i : indexes) {
            HostCpuPin pin = (HostCpuPin) found.get(i).binding();
            CpuSet set = sets.get(i);
            if (tooManyDedicated && pin instanceof VcpuPin v && set.size() == 1 && dedicated.contains(set.cpus().get(0))) {
                decisions[i] = refuse(pin, pin.cpuset(), "vCPU " + v.vcpu() + " has host CPU " + set + " to itself on " + rules.src()
                        + ", but " + rules.dst() + " offers " + targets.size() + " usable CPU(s) (" + usable + ") for "
                        + dedicated.size() + " dedicated vCPU pins");
                continue;
            }
            CpuSet image = CpuSet.of(set.cpus().stream().map(move::get).toList());
            if (image.equals(set)) {
                decisions[i] = keep(pin, pin.cpuset(), "unchanged when " + spread + ", as " + lacks + shared);
                continue;
            }
            String to = image.format();
            Element element = found.get(i).element();
            decisions[i] = new PlannedRule(new BindingRule(pin, RebindAction.MAP, pin.cpuset(), to, lacks + ": " + spread + shared),
                    () -> element.setAttribute("cpuset", to), null);
        }
    }
}
