package io.livemig.agent.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU utilisation of a host's guests from two readings of their cumulative CPU time: what the
 * orchestrator balances, and what moves with a VM. A guest seen in only one reading (it just
 * started or arrived) counts as idle until the next.
 */
public final class CpuUsage {

    private CpuUsage() {
    }

    /** Cumulative CPU times of the running guests at one moment (monotonic nanoseconds). */
    public record Reading(long atNanos, Map<String, Guest> guests) {
        public Reading {
            guests = Map.copyOf(guests);
        }

        public static Reading of(long atNanos, List<VmInfo> running) {
            Map<String, Guest> guests = new HashMap<>();
            for (VmInfo vm : running) {
                guests.put(vm.uuid(), new Guest(vm.name(), vm.cpuTimeNs(), vm.vcpus()));
            }
            return new Reading(atNanos, guests);
        }
    }

    public record Guest(String name, long cpuTimeNs, int vcpus) {}

    /**
     * @param host 0..1 of the host's CPUs used by the guests of the later reading
     * @param vms  by VM name: 0..1 of the VM's own vCPUs
     */
    public record Utilisation(double host, Map<String, Double> vms) {
        public static final Utilisation NONE = new Utilisation(0, Map.of());

        public Utilisation {
            vms = Map.copyOf(vms);
        }

        public double vm(String name) {
            return vms.getOrDefault(name, 0.0);
        }
    }

    /** Utilisation between two readings; guests are matched by UUID (a name can be reused). */
    public static Utilisation between(Reading earlier, Reading later, int hostCpus) {
        long intervalNs = later.atNanos() - earlier.atNanos();
        if (intervalNs <= 0 || hostCpus <= 0) {
            return Utilisation.NONE;
        }
        Map<String, Double> vms = new HashMap<>();
        double usedCpus = 0;
        for (Map.Entry<String, Guest> e : later.guests().entrySet()) {
            Guest now = e.getValue();
            Guest before = earlier.guests().get(e.getKey());
            double cpus = 0;
            if (before != null && now.cpuTimeNs() >= before.cpuTimeNs()) {
                cpus = (double) (now.cpuTimeNs() - before.cpuTimeNs()) / intervalNs;
            }
            usedCpus += cpus;
            vms.put(now.name(), clamp(cpus / Math.max(1, now.vcpus())));
        }
        return new Utilisation(clamp(usedCpus / hostCpus), vms);
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
